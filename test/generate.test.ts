// Generated worlds (explore --generate): the generator is a pure function of
// (seed, budget, weights) whose every world validates and follows the
// operator's rules; every coverage cell can be aimed at; steering batches make
// an exploration the same on one worker or two; a failing world is written out
// as an ordinary scenario file that `run` reproduces. Plus the scenario
// features generated worlds rely on: event-triggered faults, hot sets, bursts,
// and the coverage map a run records.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../cli/main.js';
import { exploreGenerated } from '../sim/explore/generated.js';
import { formatExploration } from '../sim/explore/format.js';
import { mergeExplorations } from '../sim/explore/merge.js';
import { generateWorld } from '../sim/generate/generator.js';
import { reachedBy, steeringWeights } from '../sim/generate/steering.js';
import { universe } from '../sim/generate/universe.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { formatProblem, parseScenarioText, parseScenarioValue } from '../sim/scenario/load.js';
import type { ResolvedScenario } from '../sim/scenario/resolve.js';

// uvu sets FORCE_COLOR; with NO_COLOR also set (scripts/test.mjs), every worker thread would warn.
delete process.env.FORCE_COLOR;

type Json = Record<string, unknown>;

function scenario(json: Json): ResolvedScenario {
  const r = parseScenarioValue('test.json', json);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('; '));
  return r.scenario;
}

test('generator: the same seed, budget and weights draw the same world; every world validates and keeps to the operator rules', () => {
  assert.equal(generateWorld({ seed: 5, budget: 'recoverable', weights: {}, batch: 0 }).json, generateWorld({ seed: 5, budget: 'recoverable', weights: {}, batch: 0 }).json);
  const shapes = new Set<string>();
  for (const budget of ['recoverable', 'unlimited'] as const) {
    for (let seed = 1; seed <= 150; seed++) {
      const w = generateWorld({ seed, budget, weights: {}, batch: 0 }); // throws if the world does not validate
      const s = w.scenario;
      shapes.add(`${s.primaries.length}/${s.disk.model}/${s.network.model}`);
      assert.ok(s.primaries.length >= 1 && s.primaries.length <= 16);
      assert.is(s.faults.budget, budget);
      for (const c of w.aimed) assert.ok(universe(budget).includes(c as never), `seed ${seed}: ${c} is not in the universe`);
      const outside = new Set(s.primaries.filter((p) => !p.member).map((p) => p.name));
      const joins = new Set(s.faults.schedule.filter((f) => f.do === 'join').map((f) => (f as { array: string }).array));
      for (const f of s.faults.schedule) {
        if (f.do === 'join') assert.ok(outside.has(f.array), `seed ${seed}: join of member ${f.array}`);
        // An array outside the group is failed or told to leave only once it has joined.
        if ((f.do === 'fail-array' || f.do === 'leave') && outside.has(f.array)) {
          assert.ok(joins.has(f.array) && f.after?.event === 'joined' && f.after.array === f.array, `seed ${seed}: ${f.do} of ${f.array} before it joined`);
        }
        assert.ok(f.at <= s.workload.duration);
      }
    }
  }
  assert.ok(shapes.size > 20, `only ${shapes.size} distinct shapes`);
});

test('generator: every cell of either universe can be aimed at (weight on it alone)', () => {
  for (const budget of ['recoverable', 'unlimited'] as const) {
    const cells = universe(budget);
    for (const cell of cells) {
      const weights = Object.fromEntries(cells.map((c) => [c, c === cell ? 1 : 0]));
      let placed = false;
      for (let seed = 1; seed <= 30 && !placed; seed++) placed = generateWorld({ seed, budget, weights, batch: 0 }).aimed.includes(cell);
      assert.ok(placed, `${budget}: ${cell} never placed in 30 seeds`);
    }
  }
});

test('steering: weight 1/(1 + seeds reached), unreached cells left at 1', () => {
  const reached = reachedBy([{ coverage: { 'crash@steady': 3 } }, { coverage: { 'crash@steady': 1, 'join@scrub': 2 } }]);
  const w = steeringWeights('recoverable', reached);
  assert.is(w['crash@steady'], 0.3333);
  assert.is(w['join@scrub'], 0.5);
  assert.is(w['leave@steady'], undefined);
});

test('explore --generate: one worker and two draw and run the same worlds (batches steer from earlier batches only)', async () => {
  const o = { from: 11, seeds: 4, batch: 2, budget: 'recoverable' as const, saveDir: 'generated-failures', recheck: 0 };
  const one = await exploreGenerated({ ...o, workers: 1 });
  const two = await exploreGenerated({ ...o, workers: 2 });
  const key = (e: typeof one) => e.scenarios[0]!.runs.map((r) => [r.seed, r.verdict, r.traceHash, r.generated?.name, r.generated?.batch, r.generated?.aimed.join()]);
  assert.equal(key(one), key(two));
  assert.equal(one.scenarios[0]!.runs.map((r) => r.generated!.batch), [0, 0, 1, 1]);
  assert.ok(one.scenarios[0]!.runs.every((r) => r.replay.startsWith('npx xorsim replay generated-failures/gen-r-')));
});

test('explore --generate: batch b is steered by batches 0 … b−2 (one behind: two batches share the threads), on any number of workers', async () => {
  const o = { from: 31, seeds: 6, batch: 2, budget: 'recoverable' as const, saveDir: 'generated-failures', recheck: 0 };
  const one = await exploreGenerated({ ...o, workers: 1 });
  const two = await exploreGenerated({ ...o, workers: 2 });
  const key = (e: typeof one) => e.scenarios[0]!.runs.map((r) => [r.seed, r.verdict, r.traceHash, r.generated?.batch, r.generated?.aimed.join()]);
  assert.equal(key(one), key(two));
  const runs = one.scenarios[0]!.runs;
  assert.equal(runs.map((r) => r.generated!.batch), [0, 0, 1, 1, 2, 2]);
  const hashOf = async (seed: number, weights: Record<string, number>, batch: number) => (await runScenario(generateWorld({ seed, budget: 'recoverable', weights, batch }).scenario, { seed, file: 'w.json' })).traceHash;
  // Batch 1 is drawn unsteered, as batch 0; batch 2 from batch 0's coverage alone.
  assert.is(runs[2]!.traceHash, await hashOf(33, {}, 1));
  const lagged = steeringWeights('recoverable', reachedBy(runs.slice(0, 2)));
  const unlagged = steeringWeights('recoverable', reachedBy(runs.slice(0, 4)));
  assert.not.equal(lagged, unlagged, 'batch 1 reached cells batch 0 did not: the two steerings differ');
  assert.is(runs[4]!.traceHash, await hashOf(35, lagged, 2));
  assert.is.not(runs[4]!.traceHash, await hashOf(35, unlagged, 2), 'the world batch 0 … 1 would steer to is another');
});

test('explore --generate: shards merge into one exploration with one coverage map', async () => {
  const o = { from: 21, seeds: 4, batch: 2, budget: 'recoverable' as const, saveDir: 'generated-failures', recheck: 0, workers: 1 };
  const shards = await Promise.all([0, 1].map((index) => exploreGenerated({ ...o, shard: { index, count: 2 } })));
  const merged = mergeExplorations(shards.map((e, i) => ({ file: `s${i}.json`, data: JSON.parse(JSON.stringify(e)) })));
  assert.ok(merged.ok);
  if (!merged.ok) return;
  assert.equal(merged.merged.scenarios[0]!.runs.map((r) => r.seed), [21, 22, 23, 24]);
  assert.is(merged.merged.settings.generate?.budget, 'recoverable');
  assert.match(formatExploration(merged.merged), /coverage map/);
});

test('explore --generate: a failing world is written as a scenario file that validate accepts and run reproduces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-gen-'));
  const out = join(dir, 'result.json');
  // literal fails generated worlds as it fails every shipped scenario.
  const r = await quiet(() => main(['explore', '--generate', '--seeds', '1', '--from', '3', '--workers', '1', '--protocol', 'literal', '--save-failures', dir, '--out', out]));
  assert.is(r.code, 1, r.stdout);
  const file = join(dir, 'gen-r-3.json');
  assert.match(r.stdout, `replay: npx xorsim replay ${file} --seed 3 --protocol literal`);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const g = saved['generated'] as { seed: number; budget: 'recoverable'; weights: Record<string, number>; batch: number; command: string };
  assert.match(g.command, /--generate --budget recoverable --from 3 --seeds 1 --batch 20 --protocol literal/);
  // Its generated section is enough to draw the same world again.
  const { command: _c, ...recorded } = g;
  assert.equal(generateWorld({ seed: g.seed, budget: g.budget, weights: g.weights, batch: g.batch }).json, { ...saved, generated: recorded });
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const run = result.scenarios[0].runs[0];
  assert.is((await quiet(() => main(['validate', file]))).code, 0);
  const again = await quiet(() => main(['run', file, '--seed', '3', '--protocol', 'literal', '--json']));
  assert.is(JSON.parse(again.stdout).traceHash, run.traceHash);
  assert.ok(Object.keys(result.scenarios[0].runs[0].coverage).length >= 0);
  assert.is(result.settings.generate.budget, 'recoverable');
});

test('explore: --generate takes no scenario files; its flags need it', async () => {
  for (const [args, message] of [
    [['explore', '--generate', 'scenarios/quickstart.json'], /^xorsim: --generate draws its own worlds: give no scenario files/],
    [['explore'], /^xorsim: missing the scenario files to explore/],
    [['explore', 'test/fixtures/tiny.json', '--budget', 'unlimited'], /^xorsim: --budget: only with --generate$/],
    [['explore', '--generate', '--swarm'], /^xorsim: --swarm: not with --generate/],
    [['explore', '--generate', '--batch', '0'], /^xorsim: --batch: expected a positive integer/],
  ] as const) {
    const r = await quiet(() => main([...args]));
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr.trim(), message);
  }
});

const TRIGGERED: Json = {
  name: 'triggered',
  primaries: { count: 3, blocks: 16 },
  prefill: 0.5,
  workload: { duration: '200ms', iodepth: 2, thinkTime: '500us' },
  faults: {
    schedule: [
      { at: '20ms', do: 'fail-array', array: 'p2', replaceAfter: '2ms' },
      { at: '0ms', after: { event: 'restored', array: 'p2', delay: '1ms' }, do: 'crash', array: 'p1', restartAfter: '3ms' },
      { at: '0ms', after: { event: 'restored', array: 'p3' }, do: 'crash', array: 'p3' }, // p3 is never restored: never happens
    ],
  },
};

test('after: a triggered fault strikes delay after its event, once; one whose event never comes never strikes', async () => {
  const faults: { t: number; code: number; actor: string }[] = [];
  let restoredAt = -1;
  const r = await runScenario(scenario(TRIGGERED), {
    seed: 1,
    file: 't.json',
    recordSink: (rec) => {
      if (rec.kind === 'fault') faults.push({ t: rec.t, code: Number(rec['code']), actor: rec.actor });
      if (rec.kind === 'node.restored' && rec.actor === 'p2') restoredAt = rec.t;
    },
  });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.ok(restoredAt > 0);
  const crashes = faults.filter((f) => f.code === 1);
  assert.equal(crashes.map((f) => [f.actor, f.t]), [['p1', restoredAt + 1000]]);
  assert.is(r.faults.injected, 2);
  assert.is(r.coverage['crash@after-restore'], 1);
  assert.is(r.coverage['fail-array@steady'], 1);
});

test('after: an event after the load has ended sets nothing off; arming waits for at', async () => {
  const late = { ...TRIGGERED, faults: { schedule: [{ at: '20ms', do: 'fail-array', array: 'p2', replaceAfter: '2ms' }, { at: '0ms', after: { event: 'restored', array: 'p2', delay: '500ms' }, do: 'crash', array: 'p1' }] } };
  assert.is((await runScenario(scenario(late), { seed: 1, file: 't.json' })).faults.injected, 1);
  const armedLate = { ...TRIGGERED, faults: { schedule: [{ at: '20ms', do: 'fail-array', array: 'p2', replaceAfter: '2ms' }, { at: '150ms', after: { event: 'restored', array: 'p2' }, do: 'crash', array: 'p1' }] } };
  assert.is((await runScenario(scenario(armedLate), { seed: 1, file: 't.json' })).faults.injected, 1);
});

test('after: validate names a trigger array that does not exist, or an event it never has', () => {
  const bad = (after: Json) => parseScenarioValue('x.json', { ...TRIGGERED, faults: { schedule: [{ at: '1ms', after, do: 'crash', array: 'p1' }] } });
  const r1 = bad({ event: 'restored', array: 'p9' });
  assert.ok(!r1.ok && formatProblem(r1.problems[0]!) === 'x.json: faults.schedule[0].after.array: no array named "p9" (arrays: p1, p2, p3, parity)');
  const r2 = bad({ event: 'rebuilt', array: 'p1' });
  assert.ok(!r2.ok && /only the parity array is "rebuilt"/.test(r2.problems[0]!.message));
  const r3 = bad({ event: 'soon' });
  assert.ok(!r3.ok && r3.problems[0]!.path === 'faults.schedule[0].after.event');
});

test('workload.hotSet aims its share at the hot blocks; bursts speed the load up', async () => {
  const base = { name: 'hot', primaries: { count: 2, blocks: 256 }, workload: { duration: '100ms', iodepth: 2, thinkTime: '1ms' } };
  const blocks: number[] = [];
  await runScenario(scenario({ ...base, workload: { ...base.workload, hotSet: { blocks: 3, share: 1 } } }), { seed: 1, file: 'h.json', onHostOp: (op) => void blocks.push(op.block) });
  assert.ok(blocks.length > 50 && blocks.every((b) => b < 3));
  const ops = async (w: Json) => (await runScenario(scenario({ ...base, workload: { ...base.workload, ...w } }), { seed: 1, file: 'h.json' })).hostOps.writes;
  const plain = await ops({});
  const bursty = await ops({ bursts: { every: '20ms', length: '10ms' } });
  assert.ok(bursty > plain * 1.2, `${bursty} writes with bursts, ${plain} without`);
});

test('scenarios/regressions/: every saved world validates and records where it came from', () => {
  const dir = new URL('../scenarios/regressions/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 5, files.join(', '));
  for (const f of files) {
    const r = parseScenarioText(`scenarios/regressions/${f}`, readFileSync(new URL(f, dir), 'utf8'));
    assert.ok(r.ok, r.ok ? f : formatProblem(r.problems[0]!));
    if (r.ok) assert.ok(r.scenario.generated === undefined || r.scenario.generated.plan.length > 0, f);
  }
});

async function quiet(fn: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { log: console.log, error: console.error, write: process.stderr.write, isTTY: process.stderr.isTTY };
  process.stderr.isTTY = false;
  console.log = (...xs: unknown[]) => void (stdout += `${xs.join(' ')}\n`);
  console.error = (...xs: unknown[]) => void (stderr += `${xs.join(' ')}\n`);
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await fn(), stdout, stderr };
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error });
    process.stderr.write = saved.write;
    process.stderr.isTTY = saved.isTTY;
  }
}

test.run();
