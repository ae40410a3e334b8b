import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockUnion } from '../sim/storage/block-union.js';

test('block union: every block once, ascending — property against a Set and a sort', () => {
  const block = fc.oneof(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 2 ** 31 - 40, max: 2 ** 31 + 40 }), fc.integer({ min: 2 ** 40 - 100, max: 2 ** 40 - 1 }));
  fc.assert(
    fc.property(fc.array(fc.array(block, { maxLength: 60 }), { maxLength: 4 }), (lists) => {
      const u = new BlockUnion();
      for (const l of lists) u.addAll(l);
      const want = [...new Set(lists.flat())].sort((a, b) => a - b);
      assert.equal([...u.ascending()], want);
      assert.is(u.size, want.length);
    }),
  );
});

test('block union: a whole 2^24-block array, past what a Set holds', () => {
  const u = new BlockUnion();
  for (let b = 2 ** 24; b >= 0; b--) u.add(b); // 2^24 + 1 blocks, added backwards
  const all = u.ascending();
  assert.is(all.length, 2 ** 24 + 1);
  assert.is(all[0], 0);
  assert.is(all[2 ** 24], 2 ** 24);
  for (let i = 1; i < all.length; i += 4099) assert.is(all[i], i);
});

test.run();
