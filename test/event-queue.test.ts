import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Engine } from '../sim/engine/engine.js';
import { EventQueue } from '../sim/engine/event-queue.js';
import { FarHeap } from '../sim/engine/far-heap.js';

test('far heap pops in (time, insertion) order — property against a stable sort', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 400 }), (times) => {
      const q = new FarHeap();
      times.forEach((t, i) => q.push(t, i));
      const popped: number[] = [];
      while (q.size > 0) popped.push(q.pop());
      const expected = times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
      assert.equal(popped, expected);
    }),
  );
});

/**
 * Reference model: a list sorted by (time, seq). Operations push at now+delay
 * (delays span zero, the wheel, its edge and far beyond) or pop.
 */
const delay = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 50 }),
  fc.integer({ min: 65_530, max: 65_540 }), // around the wheel's reach
  fc.integer({ min: 0, max: 400_000 }),
  fc.integer({ min: 32_000, max: 100_000 }), // one coarse bucket and the next
  fc.integer({ min: 33_500_000, max: 33_700_000 }), // around the coarse wheel's reach
  fc.integer({ min: 0, max: 60_000_000 }),
  fc.integer({ min: 1e9, max: 1e12 }),
);
const ops = fc.array(
  fc.oneof(delay.map((d) => ({ push: d })), fc.constant({ pop: true as const }), delay.map((d) => ({ advance: d }))),
  { maxLength: 400 },
);

test('queue pops in exact (time, seq) order across wheel, coarse wheel, edges and far heap (property)', () => {
  fc.assert(
    fc.property(ops, (list) => {
      const q = new EventQueue();
      const ref: { t: number; seq: number; slot: number }[] = [];
      let seq = 0;
      let slot = 0;
      const free: number[] = [];
      for (const op of list) {
        if ('push' in op) {
          const s = free.pop() ?? slot++;
          const t = q.now + op.push;
          q.push(t, s);
          ref.push({ t, seq: seq++, slot: s });
        } else if ('advance' in op) {
          // The clock may move up to the earliest pending event, never past it.
          const earliest = ref.reduce((m, e) => Math.min(m, e.t), Infinity);
          const to = Math.min(q.now + op.advance, earliest);
          q.advance(to);
          assert.is(q.now, to);
          assert.is(q.peekTime(), earliest);
        } else if (ref.length > 0) {
          ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
          const want = ref.shift()!;
          assert.is(q.peekTime(), want.t);
          assert.is(q.pop(), want.slot);
          assert.is(q.now, want.t);
          free.push(want.slot);
        }
      }
      ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
      for (const want of ref) {
        assert.is(q.pop(), want.slot);
        assert.is(q.now, want.t);
      }
      assert.is(q.size, 0);
    }),
    { numRuns: 300 },
  );
});

test('equal times keep insertion order, however the events arrived', () => {
  const q = new EventQueue();
  const T = 1_000_000;
  for (let i = 0; i < 3000; i++) q.push(T, i); // far: through the heap
  q.advance(T - 10);
  for (let i = 3000; i < 6000; i++) q.push(T, i); // near: straight onto the wheel
  for (let i = 0; i < 6000; i++) {
    assert.is(q.pop(), i);
    assert.is(q.now, T);
  }
});

test('advance moves the clock and keeps later events', () => {
  const q = new EventQueue();
  q.push(500_000, 1);
  q.push(10, 2);
  assert.is(q.pop(), 2);
  q.advance(400_000);
  assert.is(q.now, 400_000);
  assert.is(q.peekTime(), 500_000);
  assert.throws(() => q.advance(5), /before/);
  assert.is(q.pop(), 1);
});

test('engine: exact (time, seq) order — zero-delay events queue behind everything already due', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  const order: string[] = [];
  e.after(10, k, () => {
    order.push('A');
    e.after(0, k, () => order.push('C (zero delay from A)'));
  });
  e.after(10, k, () => order.push('B'));
  e.after(5, k, () => e.after(5, k, () => order.push('D (queued at 5 for 10)')));
  await e.run();
  // D was queued (at t=5) before C (at t=10), so D runs first although C has zero delay.
  assert.equal(order, ['A', 'B', 'D (queued at 5 for 10)', 'C (zero delay from A)']);
});

test('engine: events run in time order and the clock only moves forward', async () => {
  const e = new Engine(3);
  const rng = e.random.stream('t');
  const k = e.trace.kind('t');
  const seen: number[] = [];
  for (let i = 0; i < 2000; i++) e.after(rng.int(10_000_000), k, () => seen.push(e.now));
  await e.run();
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!);
  assert.is(seen.length, 2000);
});
test.run();
