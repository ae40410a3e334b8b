#!/usr/bin/env node
// `npm run soak [-- <explore options>]`: the nightly exploration — every
// scenario in scenarios/, swarm mode, thousands of seeds, every core — writing
// its results to out/soak.json. Any explore option may follow and replaces the
// default of the same name (for other scenario files, run explore itself),
// e.g. `npm run soak -- --seeds 500 --time-budget 2h --from 100001` (a fresh
// seed range each night explores new ground; a failure's replay command
// reproduces it whatever the range).
import { spawnSync } from 'node:child_process';

const DEFAULTS = { '--seeds': '2000', '--out': 'out/soak.json' };
const args = process.argv.slice(2);
const given = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
const defaults = Object.entries(DEFAULTS).filter(([flag]) => !given.has(flag)).flat();
const swarm = given.has('--swarm') || given.has('--no-swarm') ? [] : ['--swarm'];
const bin = new URL('../bin/xorsim.mjs', import.meta.url).pathname;
const r = spawnSync(process.execPath, [bin, 'explore', 'scenarios/', ...swarm, ...defaults, ...args], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
