// Anomalies are verdicts (src/protocol/anomaly-names.ts, sim/checker/anomaly-checker.ts):
// a controller that meets what only a fault explains fails the run unless the
// world's record of faults explains it. Shown with the scrub's "every copy
// matches its checksum, yet Q ≠ XOR": made by rewriting Q[k] behind every
// check's back (no fault recorded: an anomaly), then explained by damage
// recorded on two copies of the stripe.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blockChecksum } from '../src/protocol/checksum.js';
import { AnomalyChecker } from '../sim/checker/anomaly-checker.js';
import type { Violation } from '../sim/checker/violation.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioText } from '../sim/scenario/load.js';
import type { World } from '../sim/world/world.js';

const loaded = parseScenarioText('tiny.json', readFileSync(new URL('fixtures/tiny.json', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error('tiny.json does not validate');
const scrubbed = { ...loaded.scenario, scrub: { interval: 100 } } as typeof loaded.scenario;

/** Q[k] rewritten, with a matching checksum, as no fault and no controller did: only the scrub can meet it. */
function rewriteQBehindEveryonesBack(world: World, block: number): void {
  const q = world.parity.device.store.get(block);
  q[0]! ^= 0x5a;
  world.parity.device.store.set(block, q);
  world.arrayPort(world.parity.name).setChecksum(block, blockChecksum(block, q));
}

test('the scrub meets a Q[k] no copy explains: an anomaly, and the run fails on it', async () => {
  const r = await runScenario(scrubbed, {
    seed: 1,
    file: 'tiny.json',
    onPhase: (phase, world) => {
      if (phase === 'load') world.engine.after(5_000, world.engine.trace.kind('test.rewrite'), () => rewriteQBehindEveryonesBack(world, 40));
    },
  });
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]?.kind, 'anomaly', r.violations[0]?.message);
  assert.match(r.violations[0]!.message, /scrub-copies-agree-q-differs at block 40/);
});

test('without a scrub nothing meets it: the parity check finds the same Q[k] at the final sweep', async () => {
  const r = await runScenario(loaded.scenario, {
    seed: 1,
    file: 'tiny.json',
    onPhase: (phase, world) => {
      if (phase === 'load') world.engine.after(5_000, world.engine.trace.kind('test.rewrite'), () => rewriteQBehindEveryonesBack(world, 40));
    },
  });
  assert.is(r.violations[0]?.kind, 'parity', r.violations[0]?.message);
});

test('damage recorded on two copies of the stripe explains it; on one it does not', async () => {
  let world: World | undefined;
  await runScenario(loaded.scenario, { seed: 1, file: 'tiny.json', onPhase: (phase, w) => void (phase === 'end' && (world = w)) });
  const w = world!;
  const reports: Omit<Violation, 'recent'>[] = [];
  const checker = new AnomalyChecker(w.engine, w, (v) => reports.push(v));
  const since = w.engine.now;
  w.media.record('p1', 7, 'corrupt');
  assert.not.ok(checker.judge(w.parity.name, 'scrub-copies-agree-q-differs', 7, since));
  w.media.record(w.parity.name, 7, 'corrupt');
  assert.ok(checker.judge(w.parity.name, 'scrub-copies-agree-q-differs', 7, since));
  assert.is(reports.length, 1);
  assert.is(reports[0]!.kind, 'anomaly');
});

test.run();
