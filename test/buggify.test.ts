// BUGGIFY (src/ports/buggify.ts, sim/world/buggify.ts): faults from inside the
// controllers' code. Off, or on with nothing firing, a run is exactly what it
// was (the traceHash pinned in golden.test.ts); on, it is still a function of
// the seed, every firing is counted, and a point does what it says — a dropped
// ack is healed by retransmission, a crash after the journal by its redo.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatRun } from '../cli/format-run.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import { BUGGIFY_POINTS, type BuggifyPoint } from '../src/protocol/buggify-points.js';
import { type RunReport } from '../sim/runner/run-report.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioText, parseScenarioValue } from '../sim/scenario/load.js';
import type { ResolvedScenario } from '../sim/scenario/resolve.js';

const text = readFileSync(new URL('fixtures/tiny.json', import.meta.url), 'utf8');
const tiny = (buggify?: unknown): ResolvedScenario => {
  const json = JSON.parse(text) as Record<string, unknown>;
  const r = buggify === undefined ? parseScenarioText('tiny.json', text) : parseScenarioValue('tiny.json', { ...json, buggify });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.scenario;
};

/** Every kind of protocol work in one short run: a join, a restore, a leave, a scrub repairing corruption. */
function busy(buggify: unknown): ResolvedScenario {
  const r = parseScenarioValue('busy.json', {
    name: 'busy',
    primaries: [{ blocks: 64 }, { blocks: 64 }, { blocks: 64 }, { blocks: 48, member: false }],
    prefill: 0.5,
    workload: { duration: '300ms', iodepth: 3, thinkTime: '300us', readFraction: 0.3 },
    scrub: { interval: '200us' },
    faults: {
      schedule: [
        { at: '20ms', do: 'join', array: 'p4' },
        { at: '60ms', do: 'fail-array', array: 'p2', replaceAfter: '5ms' },
        { at: '150ms', do: 'corrupt', array: 'parity', count: 3 },
        { at: '200ms', do: 'leave', array: 'p3' },
      ],
    },
    buggify,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.scenario;
}

const run = (s: ResolvedScenario, seed = 1): Promise<RunReport> => runScenario(s, { seed, file: `${s.name}.json` });
const fired = (r: RunReport): Record<string, number> => Object.fromEntries(Object.entries(r.probes).filter(([p]) => p.startsWith('buggify:')));

test('off, or on with no point firing: the traceHash pinned in golden.test.ts', async () => {
  for (const buggify of [undefined, false, { enable: 0 }, { enable: 1, fire: 0 }]) {
    const r = await run(tiny(buggify));
    assert.is(r.verdict, 'pass');
    assert.is(r.traceHash, '98a149af99db549e', JSON.stringify(buggify));
    assert.is(r.events, 1817);
    assert.equal(fired(r), {});
  }
});

test('on: a function of the seed, every firing counted; it changes the run', async () => {
  const s = busy({ enable: 1, fire: 0.3 });
  const a = await run(s);
  const b = await run(s);
  assert.is(a.verdict, 'pass', a.violations[0]?.message);
  assert.is(a.traceHash, b.traceHash);
  assert.equal(a.probes, b.probes);
  assert.ok(Object.keys(fired(a)).length >= 8, JSON.stringify(fired(a)));
  const off = await run(busy(false));
  assert.is(off.verdict, 'pass', off.violations[0]?.message);
  assert.is.not(off.traceHash, a.traceHash);
  assert.equal(fired(off), {});
  assert.is.not((await run(s, 2)).traceHash, a.traceHash);
});

test('every point is reached and fires in a run that does every kind of work', async () => {
  const seen = new Set<string>();
  for (const seed of [1, 2, 3]) {
    const r = await run(busy({ enable: 1, fire: 0.5 }), seed);
    assert.is(r.verdict, 'pass', `seed ${seed}: ${r.violations[0]?.message}`);
    for (const p of Object.keys(fired(r))) seen.add(p.slice('buggify:'.length));
  }
  assert.equal([...seen].sort(), Object.keys(BUGGIFY_POINTS).sort());
});

test('points: only the listed ones fire; the others draw as before', async () => {
  const r = await run(busy({ enable: 1, fire: 0.5, points: ['scrub-between-reads', 'join-before-merge'] }));
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.equal(Object.keys(fired(r)).sort(), ['buggify:join-before-merge', 'buggify:scrub-between-reads']);
});

test('nothing fires during the initial parity build', async () => {
  let atLoad: Record<string, number> | undefined;
  const r = await runScenario(busy({ enable: 1, fire: 1 }), { seed: 1, file: 'busy.json', onPhase: (phase, world) => void (phase === 'load' && (atLoad = world.probes.snapshot())) });
  assert.equal(Object.keys(atLoad!).filter((p) => p.startsWith('buggify:')), []);
  assert.ok(Object.keys(fired(r)).length > 0);
});

test('delta-ack-drop: without network loss, the dropped acks come back as retransmissions, their duplicates acknowledged', async () => {
  const off = await run(tiny(false));
  assert.is(off.probes['delta-retransmitted'], undefined);
  const r = await run(tiny({ enable: 1, fire: 0.5, points: ['delta-ack-drop'] }));
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  const drops = r.probes['buggify:delta-ack-drop'] ?? 0;
  assert.ok(drops > 0);
  assert.ok((r.probes['delta-retransmitted'] ?? 0) >= drops, JSON.stringify(r.probes));
  assert.ok((r.probes['duplicate-delta-dropped'] ?? 0) > 0, JSON.stringify(r.probes));
  assert.match(formatRun(r), new RegExp(`\\n  buggify    delta-ack-drop ×${drops}\\n`));
});

test('crash points: the controller dies there, restarts, and recovers from its journal', async () => {
  const cases: [BuggifyPoint, string][] = [
    ['primary-crash-after-journal', 'primary-journal-redo'],
    ['primary-crash-after-data-write', 'primary-journal-redo'],
    ['parity-crash-after-apply-write', 'parity-journal-redo'],
  ];
  for (const [point, redo] of cases) {
    const r = await run(tiny({ enable: 1, fire: 1, points: [point] }));
    assert.is(r.verdict, 'pass', `${point}: ${r.violations[0]?.message}`);
    assert.is(r.probes[`buggify:${point}`], 1, point); // once per run
    assert.ok((r.probes[redo] ?? 0) > 0, `${point}: ${JSON.stringify(r.probes)}`);
  }
});

test('literal runs with it too (the claims as written), deterministically', async () => {
  const s = { ...busy({ enable: 1, fire: 0.3 }), protocol: 'literal' } as ResolvedScenario;
  const a = await run(s);
  const b = await run(s);
  assert.is(a.traceHash, b.traceHash);
  assert.ok(Object.keys(fired(a)).length > 0);
});

test('the inert port: no delay, no drop, no crash, at every point', () => {
  for (const [point, { kind }] of Object.entries(BUGGIFY_POINTS)) {
    if (kind === 'delay') assert.is(NO_BUGGIFY.delay(point as never), 0);
    if (kind === 'drop') assert.is(NO_BUGGIFY.fires(point as never), false);
    if (kind === 'crash') assert.is(NO_BUGGIFY.crashes(point as never), false);
  }
});

test('scenario field: true takes the defaults; a bad point name is refused', () => {
  assert.equal(tiny(true).buggify, { enable: 0.25, fire: 0.2, maxDelay: 20_000, points: undefined });
  assert.equal(tiny({ fire: '5%', maxDelay: '2ms' }).buggify, { enable: 0.25, fire: 0.05, maxDelay: 2000 });
  assert.is(tiny(false).buggify, undefined);
  const bad = parseScenarioValue('tiny.json', { ...(JSON.parse(text) as object), buggify: { points: ['nowhere'] } });
  assert.not.ok(bad.ok);
});

test.run();
