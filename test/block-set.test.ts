import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockSet } from '../src/util/block-set.js';

test('block set: add, delete, has, size and ascending order — property against a Set', () => {
  const block = fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 2 ** 31 - 40, max: 2 ** 31 + 40 }), fc.integer({ min: 2 ** 40 - 50, max: 2 ** 40 }));
  fc.assert(
    fc.property(fc.array(fc.record({ add: fc.boolean(), block }), { maxLength: 300 }), (ops) => {
      const s = new BlockSet();
      const ref = new Set<number>();
      for (const { add, block: b } of ops) {
        if (add) (s.add(b), ref.add(b));
        else (s.delete(b), ref.delete(b));
        assert.is(s.has(b), ref.has(b));
        assert.is(s.size, ref.size);
      }
      assert.equal([...s], [...ref].sort((a, b) => a - b));
      s.clear();
      assert.is(s.size, 0);
      assert.equal([...s], []);
    }),
  );
});

test('block set: a restore of 2^24 + 1 blocks, one more than a Set holds', () => {
  const s = new BlockSet();
  for (let b = 0; b <= 2 ** 24; b++) s.add(b);
  assert.is(s.size, 2 ** 24 + 1);
  assert.ok(s.has(2 ** 24) && s.has(0) && !s.has(2 ** 24 + 1));
});

test.run();
