// The adaptive retransmission timeout (src/protocol/retransmit-timer.ts):
// RFC 6298's estimator, clamped to the configured bounds, Karn's backoff; and
// end to end, a primary whose parity answers slowly (HDD arrays) resends far
// fewer deltas than a fixed 5 ms timer would.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RetransmitTimer } from '../src/protocol/retransmit-timer.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { scenario } from './helpers.js';

const OPTIONS = { initialUs: 5_000, maxUs: 500_000 };

test('starts at the initial timeout; the first round trip r gives r + 4·r/2; steady round trips converge to them', () => {
  const t = new RetransmitTimer(OPTIONS);
  assert.is(t.timeoutUs, 5_000);
  t.sample(40_000);
  assert.is(t.timeoutUs, 40_000 + 4 * 20_000);
  for (let i = 0; i < 60; i++) t.sample(40_000);
  assert.ok(t.timeoutUs >= 40_000 && t.timeoutUs < 40_100, `${t.timeoutUs}`);
});

test('never below the initial timeout nor above the maximum', () => {
  const t = new RetransmitTimer(OPTIONS);
  for (let i = 0; i < 60; i++) t.sample(100);
  assert.is(t.timeoutUs, 5_000);
  t.sample(10_000_000);
  assert.is(t.timeoutUs, 500_000);
});

test('a timeout doubles it once, however many messages sent at that timeout expire together, until a fresh sample', () => {
  const t = new RetransmitTimer(OPTIONS);
  const wait = t.timeoutUs;
  for (let i = 0; i < 10; i++) t.timedOut(wait); // ten requests in flight, all sent with the same wait
  assert.is(t.timeoutUs, 10_000);
  t.timedOut(t.timeoutUs); // a resend expiring again
  assert.is(t.timeoutUs, 20_000);
  for (let i = 0; i < 10; i++) t.timedOut(t.timeoutUs);
  assert.is(t.timeoutUs, 500_000, 'capped');
  t.sample(30_000); // a message answered at its first sending
  assert.is(t.timeoutUs, 30_000 + 4 * 15_000);
});

test("HDD arrays: deltas wait for parity's drives instead of being resent every 5 ms", async () => {
  const s = scenario({ primaries: { count: 3, blocks: 512 }, disk: { model: 'hdd', drives: 4 }, workload: { duration: '2s', iodepth: 4, thinkTime: '5ms' } });
  const r = await runScenario(s, { seed: 1, file: 'x' });
  assert.is(r.verdict, 'pass');
  const resent = r.probes['delta-retransmitted'] ?? 0;
  // A write's round trip through the drives is tens of ms: a fixed 5 ms timer resent each delta about 3 times here (751 for 257 writes).
  assert.ok(r.hostOps.writes > 100 && resent < r.hostOps.writes / 4, `${resent} deltas resent for ${r.hostOps.writes} writes`);
});

test.run();
