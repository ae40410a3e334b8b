// Exploration: swarm draws, --quick, shards, the exploration API (workers 1 and
// 2 agree with a direct run), the determinism self-check (shown able to fail),
// the time budget, merge, and the explore/merge commands end to end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../cli/main.js';
import { MS } from '../sim/engine/time.js';
import { type ExploreTarget, explore } from '../sim/explore/explore.js';
import { mergeExplorations } from '../sim/explore/merge.js';
import { QUICK_MIN_LOAD, QUICK_TAIL, quickVariant } from '../sim/scenario/prepare/quick.js';
import { clean } from '../sim/explore/result.js';
import { inRecheckSample, parseShard, shardSeeds } from '../sim/explore/seeds.js';
import { drawSwarm } from '../sim/scenario/prepare/swarm.js';
import { AS_WRITTEN } from '../sim/scenario/prepare/variant.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { formatProblem, parseScenarioText, parseScenarioValue } from '../sim/scenario/load.js';
import type { ResolvedScenario } from '../sim/scenario/resolve.js';
import { PERTURB_AT_US } from './fixtures/perturbed-runner.js';

// uvu sets FORCE_COLOR; with NO_COLOR also set (scripts/test.mjs), every worker thread would warn.
delete process.env.FORCE_COLOR;

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/xorsim.mjs');

function load(file: string): ResolvedScenario {
  const r = parseScenarioText(file, readFileSync(join(ROOT, file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${formatProblem(r.problems[0]!)}`);
  return r.scenario;
}
const TINY: ExploreTarget = { file: 'test/fixtures/tiny.json', scenario: load('test/fixtures/tiny.json') };
const SWARM: ExploreTarget = { file: 'test/fixtures/tiny-swarm.json', scenario: load('test/fixtures/tiny-swarm.json') };

/** The command in a separate process. */
function xorsim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The command in this process (no start-up cost), its output captured. */
async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, error: console.error, write: process.stderr.write, isTTY: process.stderr.isTTY };
  process.stderr.isTTY = false; // plain progress lines, even when the tests run in a terminal
  console.log = (...xs: unknown[]) => void (stdout += `${xs.join(' ')}\n`);
  console.error = (...xs: unknown[]) => void (stderr += `${xs.join(' ')}\n`);
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error });
    process.stderr.write = saved.write;
    process.stderr.isTTY = saved.isTTY;
  }
}

test('swarm: the same seed draws the same configuration; knobs stay in range and vary', () => {
  const s = SWARM.scenario;
  assert.equal(drawSwarm(s, 7), drawSwarm(s, 7));
  const depths = new Set<number>();
  for (let seed = 1; seed <= 200; seed++) {
    const { scenario, draw } = drawSwarm(s, seed);
    const k = draw!.knobs;
    assert.ok(k['workload.iodepth']! >= 1 && k['workload.iodepth']! <= 4);
    depths.add(k['workload.iodepth']!);
    assert.ok(k['workload.readFraction']! >= 0 && k['workload.readFraction']! < 0.9);
    assert.ok(k['faults.random.controllerCrash.rate']! >= 0 && k['faults.random.controllerCrash.rate']! < 40);
    assert.is(scenario.workload.iodepth, k['workload.iodepth']);
    if (!draw!.off.includes('controller-crash')) assert.ok(Math.abs(scenario.faults.random.controllerCrash!.rate - 1e6 / k['faults.random.controllerCrash.rate']!) < 1e-6);
  }
  assert.equal([...depths].sort(), [1, 2, 3, 4], 'both ends of an integer range are drawn');
});

test('swarm: each listed family is off in about familyOff of seeds (99.9% binomial bounds), and off means gone', () => {
  const s = SWARM.scenario;
  const seeds = 4000;
  const off = { loss: 0, partition: 0, 'controller-crash': 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const { scenario, draw } = drawSwarm(s, seed);
    for (const f of draw!.off) off[f as keyof typeof off]++;
    const net = scenario.network;
    assert.ok(net.model === 'lossy');
    if (net.model !== 'lossy') return;
    if (draw!.off.includes('loss')) assert.ok(net.loss === 0 && net.links.every((l) => l.loss === 0), 'loss off: every link, overrides too');
    else assert.is(net.links[0]!.loss, 0.03, 'a link override keeps its own loss');
    assert.is(scenario.faults.schedule.some((f) => f.do === 'partition'), !draw!.off.includes('partition'));
    assert.is(scenario.faults.random.controllerCrash === undefined, draw!.off.includes('controller-crash'));
  }
  // p = 0.3, n = 4000: mean 1200, sd 29; ±3.3 sd is the 99.9% band.
  for (const [family, count] of Object.entries(off)) assert.ok(count > 1104 && count < 1296, `${family} off in ${count} of ${seeds}`);
});

test('swarm: a knob added to the scenario does not shift the other knobs', () => {
  const s = SWARM.scenario;
  const more = { ...s, swarm: { ...s.swarm!, ranges: { ...s.swarm!.ranges, 'workload.thinkTime': [100, 2000] as [number, number] } } };
  for (let seed = 1; seed <= 20; seed++) {
    const a = drawSwarm(s, seed).draw!;
    const b = drawSwarm(more, seed).draw!;
    assert.is(b.knobs['workload.iodepth'], a.knobs['workload.iodepth']);
    assert.is(b.knobs['network.loss'], a.knobs['network.loss']);
    assert.equal(b.off, a.off);
  }
});

test('swarm section: ranges must run low to high, and lossy-network knobs need the lossy network', () => {
  const base = { name: 'm', primaries: { count: 2, blocks: 10 }, workload: { duration: '1s' } };
  const problem = (swarm: unknown) => {
    const r = parseScenarioValue('s.json', { ...base, swarm });
    return r.ok ? 'ok' : formatProblem(r.problems[0]!);
  };
  assert.is(problem({ ranges: { 'workload.iodepth': [8, 2] } }), 's.json: swarm.ranges.workload.iodepth: expected [low, high], got the high end first');
  assert.is(problem({ ranges: { 'faults.random.controllerCrash.rate': ['10/s', '1/s'] } }), 's.json: swarm.ranges.faults.random.controllerCrash.rate: expected [low, high], got the high end first');
  assert.is(problem({ ranges: { 'network.loss': ['0%', '2%'] } }), 's.json: swarm.ranges.network.loss: needs network.model "lossy"');
  assert.match(problem({ families: ['earthquake'] }), /^s\.json: swarm\.families\[0\]: /);
  assert.match(problem({ ranges: { 'workload.iodepht': [1, 2] } }), /unknown field "workload\.iodepht"/);
  assert.is(problem({ ranges: { 'workload.iodepth': [1, 8], 'network.latency': ['10us', '1ms'] }, families: ['controller-crash'] }), 'ok');
});

test('--quick keeps every scheduled fault and cuts the load just past the last one', () => {
  const lossy = load('scenarios/lossy-network.json');
  const q = quickVariant(lossy);
  assert.equal(q.faults, lossy.faults);
  // The flap starts at 800ms: 5 × (10ms down + 40ms up) ends at 1050ms.
  assert.is(q.workload.duration, 1050 * MS + QUICK_TAIL);
  assert.ok(q.workload.duration < lossy.workload.duration);
  assert.is(quickVariant(load('scenarios/quickstart.json')).workload.duration, QUICK_MIN_LOAD);
  assert.is(quickVariant(TINY.scenario), TINY.scenario, 'a load already short is kept');
});

test('shards: disjoint, together the whole range; bad shards named', () => {
  const all = shardSeeds(5, 23);
  assert.equal(all, Array.from({ length: 23 }, (_, i) => 5 + i));
  const parts = [0, 1, 2, 3].map((index) => shardSeeds(5, 23, { index, count: 4 }));
  assert.equal(parts.flat().sort((a, b) => a - b), all);
  assert.equal(parts[1]!.slice(0, 3), [6, 10, 14]);
  assert.equal(parseShard('3/8'), { index: 3, count: 8 });
  assert.is(parseShard('4/4'), 'shard index 4 is out of range for 4 shards (0…3)');
  assert.match(parseShard('1-4') as string, /^expected i\/n/);
  const sampled = Array.from({ length: 10_000 }, (_, i) => i + 1).filter((s) => inRecheckSample(s, 0.05)).length;
  assert.ok(sampled > 420 && sampled < 580, `5% sample: ${sampled} of 10000`);
});

test('explore: workers 1 and 2 give each seed the traceHash and verdict of a direct run', async () => {
  const options = { from: 1, seeds: 4, variant: { swarm: true, quick: false }, recheck: 0 };
  const one = await explore([TINY, SWARM], { ...options, workers: 1 });
  const two = await explore([TINY, SWARM], { ...options, workers: 2 });
  assert.equal(two.scenarios.map((s) => s.runs.map((r) => [r.seed, r.verdict, r.traceHash, r.events])), one.scenarios.map((s) => s.runs.map((r) => [r.seed, r.verdict, r.traceHash, r.events])));
  assert.is(one.scenarios[0]!.runs[0]!.traceHash, '98a149af99db549e', 'tiny seed 1 as pinned in golden.test.ts');
  for (const r of one.scenarios[1]!.runs) {
    const direct = await runScenario(drawSwarm(SWARM.scenario, r.seed).scenario, { seed: r.seed, file: SWARM.file });
    assert.is(r.traceHash, direct.traceHash, `tiny-swarm seed ${r.seed}`);
    assert.equal(r.swarm, drawSwarm(SWARM.scenario, r.seed).draw);
    assert.is(r.replay, `npx xorsim replay test/fixtures/tiny-swarm.json --seed ${r.seed} --protocol hardened --swarm`);
  }
  assert.ok(clean(one) && one.totals.runs === 8);
});

test('determinism check: a run that differs on its re-run fails the exploration, naming the first differing record', async () => {
  const runner = { module: new URL('./fixtures/perturbed-runner.ts', import.meta.url).href, fn: 'runPerturbed' };
  const e = await explore([TINY], { from: 1, seeds: 3, workers: 1, variant: AS_WRITTEN, recheck: 0.05, runner });
  assert.is(e.totals.pass, 3, 'every first run passes');
  assert.not.ok(clean(e));
  const sample = [1, 2, 3].filter((seed) => seed === 1 || inRecheckSample(seed, 0.05));
  assert.equal(e.determinism.rechecked.map((r) => r.seed), sample, 'the first seed and the 5% sample are re-run');
  assert.is(e.determinism.mismatches.length, sample.length, 'every perturbed re-run is caught');
  const [m] = e.determinism.mismatches;
  assert.ok(m !== undefined && m.seed === 1);
  assert.is.not(m.traceHashes[0], m.traceHashes[1]);
  const d = m.firstDifference!;
  assert.ok(d !== null, m.note);
  assert.is.not(d.first, d.again);
  // The perturbation is a crash at PERTURB_AT_US into the load: everything before it agrees.
  assert.ok(d.record > 100, `first difference at record ${d.record}`);
  const t = (line: string) => (JSON.parse(line) as { t: number }).t;
  assert.ok(t(d.again) >= PERTURB_AT_US && t(d.first) >= PERTURB_AT_US, `${d.first} / ${d.again}`);
  assert.match(m.note, new RegExp(`agree on the first ${d.record} trace records`));
});

test('determinism check: a difference that does not reproduce still fails the exploration, and says so', async () => {
  const runner = { module: new URL('./fixtures/perturbed-runner.ts', import.meta.url).href, fn: 'runPerturbedOnce' };
  const e = await explore([TINY], { from: 1, seeds: 1, workers: 1, variant: AS_WRITTEN, runner });
  assert.not.ok(clean(e));
  const [m] = e.determinism.mismatches;
  assert.ok(m !== undefined && m.firstDifference === null);
  assert.match(m.note, /^two more runs of this seed agreed \(traceHash 98a149af99db549e\): the difference did not reproduce/);
});

test('time budget: no seed starts after it; the rest are counted as not run', async () => {
  const e = await explore([TINY], { from: 1, seeds: 50, workers: 1, variant: AS_WRITTEN, recheck: 0, timeBudgetMs: 1 });
  assert.ok(e.budget.stopped && e.budget.ran < 50, `ran ${e.budget.ran}`);
  assert.is(e.totals.notRun, 50 - e.budget.ran);
  assert.is(e.scenarios[0]!.runs.length, e.budget.ran);
});

test('merge: shards combine into the unsharded exploration; overlaps and mismatched runs are refused', async () => {
  const options = { from: 10, seeds: 5, workers: 1, variant: AS_WRITTEN, recheck: 0 };
  const whole = await explore([TINY], options);
  const a = await explore([TINY], { ...options, shard: { index: 0, count: 3 } });
  const b = await explore([TINY], { ...options, shard: { index: 2, count: 3 } });
  const c = await explore([TINY], { ...options, shard: { index: 1, count: 3 } });
  const m = mergeExplorations([{ file: 'a', data: a }, { file: 'b', data: b }, { file: 'c', data: c }]);
  assert.ok(m.ok);
  if (!m.ok) return;
  assert.equal(m.merged.scenarios[0]!.runs.map((r) => [r.seed, r.traceHash]), whole.scenarios[0]!.runs.map((r) => [r.seed, r.traceHash]));
  assert.equal(m.merged.missing, []);
  const partial = mergeExplorations([{ file: 'a', data: a }, { file: 'b', data: b }]);
  assert.equal(partial.ok && partial.merged.missing, ['shard 1 of 3 missing: their seeds are not in this result']);
  assert.ok(partial.ok && !clean(partial.merged) && clean(partial.merged, true), 'a partial merge is clean only when accepted');
  const problem = (x: ReturnType<typeof mergeExplorations>) => (x.ok ? 'ok' : x.problem);
  assert.is(problem(mergeExplorations([{ file: 'a', data: a }, { file: 'w', data: whole }])), 'w: seed 10 of test/fixtures/tiny.json is also in a: results to merge must not overlap');
  const literal = await explore([TINY], { ...options, shard: { index: 1, count: 3 }, variant: { ...AS_WRITTEN, protocol: 'literal' } });
  assert.match(problem(mergeExplorations([{ file: 'a', data: a }, { file: 'l', data: literal }])), /^l: settings .*"protocol":"literal".* differ from a's/);
  const changed = { ...c, scenarios: [{ ...c.scenarios[0]!, scenarioHash: '0000000000000000' }] };
  assert.match(problem(mergeExplorations([{ file: 'a', data: a }, { file: 'x', data: changed }])), /^x: test\/fixtures\/tiny\.json is not the scenario a ran/);
  assert.match(problem(mergeExplorations([{ file: 'r', data: { format: 'something-else' } }])), /^r: not an exploration result of this version/);
});

test('CLI: run, explore --workers 1 and explore --workers 2 give a swarm seed the same traceHash; its replay command reproduces it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-explore-'));
  const hashes = async (workers: string) => {
    const out = join(dir, `w${workers}.json`);
    const r = await cli('explore', 'test/fixtures/tiny-swarm.json', '--seeds', '3', '--from', '4', '--swarm', '--workers', workers, '--out', out);
    assert.is(r.code, 0, r.stdout + r.stderr);
    return JSON.parse(readFileSync(out, 'utf8')).scenarios[0].runs as { seed: number; traceHash: string; replay: string }[];
  };
  const w1 = await hashes('1');
  const w2 = await hashes('2');
  const key = (runs: typeof w1) => runs.map((r) => [r.seed, r.traceHash, r.replay]);
  assert.equal(key(w2), key(w1));
  const seed5 = w1.find((r) => r.seed === 5)!;
  const replay = seed5.replay.replace(/^npx xorsim /, '').split(' ');
  const run = xorsim(...replay, '--json');
  assert.is(run.code, 0, run.stderr);
  assert.is(JSON.parse(run.stdout).traceHash, seed5.traceHash);
  assert.ok(replay.includes('--swarm'));
});

test('CLI: explore prints the table and exits 0; failing seeds with replay commands exit 1; merge combines shards', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-explore-'));
  const ok = await cli('explore', 'test/fixtures/tiny.json', '--seeds', '4', '--workers', '1', '--shard', '0/2', '--out', join(dir, 's0.json'));
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^explored 1 scenario, seeds 1…4 shard 0\/2 /);
  assert.match(ok.stdout, /\ntiny +2 +2 +0 +0 +0 /);
  assert.match(ok.stdout, /determinism: 1 seed re-run on fresh worker threads, every traceHash identical/);
  assert.match(ok.stderr, /^seeds: \d+\/2, 0 failed/m, 'a plain progress line when stderr is not a terminal');
  assert.is((await cli('explore', 'test/fixtures/tiny.json', '--seeds', '4', '--workers', '1', '--shard', '1/2', '--recheck', '0', '--out', join(dir, 's1.json'))).code, 0);
  const merged = await cli('merge', join(dir, 's0.json'), join(dir, 's1.json'));
  assert.is(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /\ntiny +4 +4 +0 /);
  assert.match(merged.stdout, /merged from 2 result files/);
  // One shard missing: exit 1 and the summary says so, unless --allow-partial (which still names what is missing).
  const partial = await cli('merge', join(dir, 's0.json'));
  assert.is(partial.code, 1);
  assert.match(partial.stdout, /\nINCOMPLETE {2}shard 1 of 2 missing: their seeds are not in this result \(merge --allow-partial accepts a partial result\)\n/);
  assert.match(partial.stdout, /\nFAIL {2}incomplete: shard 1 of 2 missing: their seeds are not in this result; the 2 runs present passed\n$/);
  const accepted = await cli('merge', join(dir, 's0.json'), '--allow-partial');
  assert.is(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /\nPASS {2}2 runs, every one passed; every re-run identical; partial: shard 1 of 2 missing/);
  const overlap = await cli('merge', join(dir, 's0.json'), join(dir, 's0.json'));
  assert.is(overlap.code, 2);
  assert.match(overlap.stderr, /^xorsim: .*s0\.json: seed 1 of test\/fixtures\/tiny\.json is also in .*s0\.json/);

  const bad = await cli('explore', 'scenarios/quickstart.json', '--seeds', '2', '--workers', '1', '--protocol', 'literal', '--recheck', '0');
  assert.is(bad.code, 1);
  assert.match(bad.stdout, /FAIL {2}quickstart seed 1: correctness at [\d.]+m?s \(parity block \d+\)/);
  assert.match(bad.stdout, /replay: npx xorsim replay scenarios\/quickstart\.json --seed 2 --protocol literal\n/);
  assert.match(bad.stdout, /FAIL {2}2 of 2 runs failed/);
});

test('a directory argument means its scenario files (the JSON Schema left out), for validate as for explore', async () => {
  const r = await cli('validate', 'scenarios/');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^scenarios\/crash-recovery\.json: ok /m);
  assert.not.match(r.stdout, /schema/);
});

test('CLI: bad input to explore and merge is one line and exit 2, with nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-explore-'));
  const out = join(dir, 'never.json');
  const cases: [string[], RegExp][] = [
    [['explore', 'test/fixtures/tiny.json', '--shard', '2/2', '--out', out], /^xorsim: --shard: shard index 2 is out of range for 2 shards \(0…1\)$/],
    [['explore', 'test/fixtures/tiny.json', '--seeds', '0', '--out', out], /^xorsim: --seeds: expected a positive integer, got "0"$/],
    [['explore', 'test/fixtures/tiny.json', '--time-budget', 'soon'], /^xorsim: --time-budget: expected a duration/],
    [['explore', 'test/fixtures/tiny.json', 'test/fixtures/bad-duration.json', '--out', out], /^xorsim: test\/fixtures\/bad-duration\.json: workload\.duration: /],
    [['explore', 'scenarios/nope.json'], /^xorsim: scenarios\/nope\.json: no such file or directory$/],
    [['explore', 'test/fixtures/tiny.json', '--out', dir], /^xorsim: .*: is a directory, expected a file to write$/],
    [['merge', 'test/fixtures/tiny.json'], /^xorsim: test\/fixtures\/tiny\.json: not an exploration result of this version/],
  ];
  for (const [args, want] of cases) {
    const r = await cli(...args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr.trim(), want);
    assert.is(r.stderr.trim().split('\n').length, 1);
  }
  assert.throws(() => readFileSync(out));
});

test.run();
