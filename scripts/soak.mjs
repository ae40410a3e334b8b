#!/usr/bin/env node
// `npm run soak [-- <explore options>]`: the nightly exploration — every
// scenario in scenarios/, swarm mode, thousands of seeds, every core — writing
// its results to out/soak.json. Any explore option may follow and replaces the
// default of the same name (for other scenario files, run explore itself),
// e.g. `npm run soak -- --seeds 500 --time-budget 2h --from 100001` (a fresh
// seed range each night explores new ground; a failure's replay command
// reproduces it whatever the range).
//
// `npm run soak -- --generate [--budget unlimited]`: generated worlds instead
// (explore --generate, 2 000 seeds), results in out/soak-generated-<budget>.json
// and failing worlds in out/generated-failures-<budget>/.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const given = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
const generate = given.has('--generate');
const budgetAt = args.indexOf('--budget');
const budget = budgetAt >= 0 ? args[budgetAt + 1] : args.find((a) => a.startsWith('--budget='))?.split('=')[1] ?? 'recoverable';
const DEFAULTS = generate
  ? { '--seeds': '2000', '--out': `out/soak-generated-${budget}.json`, '--save-failures': `out/generated-failures-${budget}` }
  : { '--seeds': '2000', '--out': 'out/soak.json' };
const defaults = Object.entries(DEFAULTS).filter(([flag]) => !given.has(flag)).flat();
const swarm = generate || given.has('--swarm') || given.has('--no-swarm') ? [] : ['--swarm'];
const what = generate ? [] : ['scenarios/'];
const bin = new URL('../bin/xorsim.mjs', import.meta.url).pathname;
const r = spawnSync(process.execPath, [bin, 'explore', ...what, ...swarm, ...defaults, ...args], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
