import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Engine } from '../sim/engine/engine.js';
import { EventQueue } from '../sim/engine/event-queue.js';

test('heap pops in (time, insertion) order — property against a stable sort', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 400 }), (times) => {
      const q = new EventQueue();
      times.forEach((t, i) => q.pushHeap(t, i));
      const popped: number[] = [];
      while (q.size > 0) popped.push(q.popHeap());
      const expected = times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
      assert.equal(popped, expected);
    }),
  );
});

test('equal times keep insertion order, across heap growth', () => {
  const q = new EventQueue();
  for (let i = 0; i < 5000; i++) q.pushHeap(7, i);
  for (let i = 0; i < 5000; i++) assert.is(q.popHeap(), i);
});

test('interleaved push/pop keeps order (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 })), { maxLength: 300 }), (ops) => {
      const q = new EventQueue();
      const ref: [number, number][] = [];
      let id = 0;
      for (const [pop, t] of ops) {
        if (pop && ref.length > 0) {
          ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          assert.is(q.popHeap(), ref.shift()![1]);
        } else {
          q.pushHeap(t, id);
          ref.push([t, id++]);
        }
      }
    }),
  );
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
  for (let i = 0; i < 2000; i++) e.after(rng.int(10_000), k, () => seen.push(e.now));
  await e.run();
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!);
  assert.is(seen.length, 2000);
});
test.run();
