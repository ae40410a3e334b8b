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
//
// `npm run soak -- --wire [--runs N] [--seed S]`: the wire fuzz instead
// (test/wire-fuzz.test.ts: every listener of a running cluster fed random,
// truncated, oversized and replayed frames, with and without a key), N runs
// (default 3 000) rather than npm test's two dozen.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args.includes('--wire')) {
  const value = (flag, fallback) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const root = new URL('..', import.meta.url).pathname;
  const env = { ...process.env, XORSIM_WIRE_FUZZ_RUNS: value('--runs', '3000'), XORSIM_WIRE_FUZZ_SEED: value('--seed', String(Date.now() % 1e9)) };
  console.log(`wire fuzz: ${env.XORSIM_WIRE_FUZZ_RUNS} runs, seed ${env.XORSIM_WIRE_FUZZ_SEED} (again: npm run soak -- --wire --runs N --seed ${env.XORSIM_WIRE_FUZZ_SEED})`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', '^wire-fuzz\\.test\\.ts$'], { cwd: root, env, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
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
