import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockValues } from '../sim/storage/block-values.js';

const block = fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 2 ** 40 - 50, max: 2 ** 40 }));

test('block values: counts add and times set, each block on its own — property against a Map', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ block, by: fc.integer({ min: -3, max: 3 }), at: fc.integer({ min: 0, max: 2 ** 53 - 1 }) }), { maxLength: 200 }), (ops) => {
      const counts = new BlockValues('counts');
      const times = new BlockValues('times');
      const c = new Map<number, number>();
      const t = new Map<number, number>();
      for (const { block: b, by, at } of ops) {
        counts.add(b, by);
        c.set(b, (c.get(b) ?? 0) + by);
        times.set(b, at);
        t.set(b, at);
      }
      for (const { block: b } of ops) {
        assert.is(counts.get(b), c.get(b));
        assert.is(times.get(b), t.get(b));
      }
      assert.is(counts.get(7_777), c.get(7_777) ?? 0);
      assert.is(times.get(7_777), t.get(7_777) ?? -1);
    }),
  );
});

test.run();
