// A primary's record of its lost blocks (src/primary/lost-blocks.ts) and of
// parity's loss notices as they meet host writes (src/primary/loss-notices.ts),
// below what the simulated worlds judge: the header encoding and what a bad one
// is refused for, and when a notice still stands. The mutation judge runs these
// for mutants of either file no run caught (docs/MUTATION.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { DecodeError } from '../src/protocol/fields.js';
import { LossNotices } from '../src/primary/loss-notices.js';
import { LostBlocks } from '../src/primary/lost-blocks.js';

const entries = (...pairs: [number, number][]) => {
  const out = new Uint8Array(pairs.length * 16);
  const view = new DataView(out.buffer);
  pairs.forEach(([block, since], i) => {
    view.setFloat64(i * 16, block, true);
    view.setFloat64(i * 16 + 8, since, true);
  });
  return out;
};

test('lost blocks: add once, since kept, delete, size, ascending blocks', () => {
  const l = new LostBlocks();
  assert.is(l.size, 0);
  assert.ok(l.add(9, 4));
  assert.ok(l.add(2, 7));
  assert.not.ok(l.add(9, 5), 'already lost');
  assert.is(l.since(9), 4, 'the first loss stands');
  assert.is(l.since(2), 7);
  assert.is(l.since(3), undefined);
  assert.ok(l.has(2));
  assert.not.ok(l.has(3));
  assert.is(l.size, 2);
  assert.equal(l.blocks(), [2, 9]);
  l.add(10, 0);
  assert.equal(l.blocks(), [2, 9, 10], 'numerically, not as text');
  assert.ok(l.delete(9));
  assert.not.ok(l.delete(9));
  assert.not.ok(l.has(9));
  assert.is(l.size, 2);
});

test('lost blocks: encoded as ascending (block, since) pairs, 8-byte little-endian floats, and back', () => {
  const l = new LostBlocks();
  l.add(300, 12);
  l.add(1, 0);
  const bytes = l.encode();
  assert.equal([...bytes], [...entries([1, 0], [300, 12])]);
  const back = LostBlocks.decode(bytes);
  assert.equal(back.blocks(), [1, 300]);
  assert.is(back.since(300), 12);
  assert.is(back.since(1), 0);
  assert.is(new LostBlocks().encode().length, 0);
  assert.is(LostBlocks.decode(new Uint8Array(0)).size, 0);
});

test('lost blocks: each encoding equals sorting and encoding every entry, whatever order blocks were added and deleted in', () => {
  // encode() starts from the previous encoding while blocks only arrive past its end; any other change must rebuild.
  const op = fc.oneof(
    fc.record({ add: fc.nat(60), since: fc.nat(9) }),
    fc.record({ ascending: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ del: fc.nat(40) }),
    // A block that is lost: of the last encoding or of the blocks added since.
    fc.record({ delLost: fc.nat() }),
    fc.constant({ encode: true as const }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const l = new LostBlocks();
      const ref = new Map<number, number>();
      let top = 20; // ascending runs and single adds overlap: an add below the run's end must not join it
      const check = () => assert.equal([...l.encode()], [...entries(...[...ref].sort((a, b) => a[0] - b[0]))]);
      for (const o of ops) {
        if ('add' in o) {
          assert.is(l.add(o.add, o.since), !ref.has(o.add));
          if (!ref.has(o.add)) ref.set(o.add, o.since);
        } else if ('ascending' in o) {
          for (let i = 0; i < o.ascending; i++) {
            top += 1 + i;
            assert.is(l.add(top, i), !ref.has(top));
            if (!ref.has(top)) ref.set(top, i);
          }
        } else if ('del' in o) {
          assert.is(l.delete(o.del), ref.delete(o.del));
        } else if ('delLost' in o) {
          const lost = [...ref.keys()];
          if (lost.length === 0) continue;
          const block = lost[o.delLost % lost.length]!;
          assert.ok(l.delete(block));
          ref.delete(block);
        } else check();
      }
      check();
    }),
  );
});

test('lost blocks: decode reads at the view of a larger buffer', () => {
  const inner = entries([5, 6]);
  const outer = new Uint8Array(inner.length + 8);
  outer.set(inner, 8);
  const back = LostBlocks.decode(outer.subarray(8));
  assert.equal(back.blocks(), [5]);
  assert.is(back.since(5), 6);
});

test('lost blocks: a header entry that is not a whole pair, not a block number, or listed twice is refused', () => {
  assert.throws(() => LostBlocks.decode(new Uint8Array(15)), (e: unknown) => e instanceof DecodeError);
  assert.throws(() => LostBlocks.decode(new Uint8Array(17)), (e: unknown) => e instanceof DecodeError);
  for (const [block, since] of [
    [-1, 0],
    [0, -1],
    [1.5, 0],
    [0, 2.5],
    [Number.NaN, 0],
    [0, Number.POSITIVE_INFINITY],
    [2 ** 60, 0],
  ] as [number, number][]) {
    assert.throws(() => LostBlocks.decode(entries([block, since])), (e: unknown) => e instanceof DecodeError, `(${block}, ${since})`);
  }
  assert.throws(() => LostBlocks.decode(entries([3, 0], [3, 1])), (e: unknown) => e instanceof DecodeError);
  assert.is(LostBlocks.decode(entries([0, 0])).since(0), 0, 'block 0 lost before any delta is fine');
});

test('loss notices: one with no write since it arrived stands; answered from then on', () => {
  const n = new LossNotices();
  assert.not.ok(n.answered(1));
  n.arrived(1, 4, false);
  assert.not.ok(n.answered(1));
  assert.ok(n.settle(1, 4));
  assert.ok(n.answered(1));
  assert.not.ok(n.answered(2));
});

test('loss notices: a host write of its block after it arrived ends it; of another block does not', () => {
  const n = new LossNotices();
  n.arrived(1, 4, false);
  n.arrived(2, 5, false);
  n.written(4);
  assert.not.ok(n.settle(1, 4));
  assert.ok(n.settle(2, 5));
});

test('loss notices: a write before it arrived does not end it; a write ahead of parity when it arrived does', () => {
  const n = new LossNotices();
  n.written(4); // nothing waits: nothing counted
  n.arrived(1, 4, false);
  assert.ok(n.settle(1, 4));
  n.arrived(2, 4, true); // a delta of the block unacknowledged: parity had not applied it
  assert.not.ok(n.settle(2, 4));
});

test('loss notices: two waiting for one block; each judged by the writes since its own arrival; the entry goes with the last', () => {
  const n = new LossNotices();
  n.arrived(1, 4, false);
  n.written(4);
  n.arrived(2, 4, false);
  assert.not.ok(n.settle(1, 4));
  assert.ok(n.settle(2, 4), 'no write since the second arrived');
  // Both settled: the block's count is gone, a new notice starts from nothing.
  n.written(4);
  n.arrived(3, 4, false);
  assert.ok(n.settle(3, 4));
  n.arrived(4, 4, false);
  n.arrived(5, 4, false);
  assert.ok(n.settle(4, 4));
  n.written(4);
  assert.not.ok(n.settle(5, 4), 'the entry outlives its first settled notice');
});

test('loss notices: one that arrived with a delta ahead of parity never stands, whatever writes come after', () => {
  const n = new LossNotices();
  n.arrived(1, 4, true);
  n.written(4);
  assert.not.ok(n.settle(1, 4), 'ahead, then one write');
  // Ahead is told apart from any count of writes, a count already moved by a write included.
  n.arrived(2, 4, false);
  n.written(4);
  n.arrived(3, 4, true);
  assert.not.ok(n.settle(3, 4), 'ahead, arriving after a write');
  assert.not.ok(n.settle(2, 4));
});

test('loss notices: settling one that never arrived, or an arrival twice, is a broken invariant', () => {
  const n = new LossNotices();
  assert.throws(() => n.settle(1, 4));
  n.arrived(1, 4, false);
  assert.throws(() => n.arrived(1, 4, false));
  n.arrived(2, 5, false);
  assert.throws(() => n.settle(2, 6), 'a block nothing waits for');
});

test('loss notices: one forgotten as answered (1024 since) arriving again is taken afresh, not an arrival twice', () => {
  const n = new LossNotices();
  for (let id = 1; id <= 1025; id++) {
    n.arrived(id, id % 7, false);
    n.settle(id, id % 7);
  }
  assert.not.ok(n.answered(1));
  n.arrived(1, 3, false);
  assert.ok(n.settle(1, 3));
});

test('loss notices: the last 1024 answered are remembered, the oldest forgotten first', () => {
  const n = new LossNotices();
  for (let id = 1; id <= 1025; id++) {
    n.arrived(id, id % 7, false);
    n.settle(id, id % 7);
  }
  assert.not.ok(n.answered(1), 'the oldest forgotten');
  assert.ok(n.answered(2));
  assert.ok(n.answered(1025));
  const m = new LossNotices();
  for (let id = 1; id <= 1024; id++) {
    m.arrived(id, 0, false);
    m.settle(id, 0);
  }
  assert.ok(m.answered(1), '1024 kept');
});

test.run();
