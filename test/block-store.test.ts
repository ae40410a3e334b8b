// The block store and its paged tables against plain Maps: every operation,
// both layouts (small payloads in the table, larger ones in slots of the
// payload memory), snapshots that later writes do not disturb, and sparse
// arrays that cost only the pages they touched.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PagedTable } from '../sim/storage/paged-table.js';
import { BlockStore } from '../sim/storage/block-store.js';
import { payloadBuffer, payloadMemoryStats } from '../src/util/payload-memory.js';

type Op = { kind: 'set'; block: number; seed: number } | { kind: 'clear'; block: number } | { kind: 'snapshot' };

const op = (blocks: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), block: fc.nat(blocks - 1), seed: fc.nat(255) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('clear' as const), block: fc.nat(blocks - 1) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
  );

function data(bytes: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: bytes }, (_, i) => (seed * 31 + i * 7 + 1) & 0xff);
}

/** Checks a store against its model on `blocks` (contents, views, comparisons, XOR) and the written list. */
function agree(store: BlockStore, model: Map<number, Uint8Array>, blocks: Iterable<number>): void {
  const zeros = new Uint8Array(store.blockBytes);
  for (const b of blocks) {
    const want = model.get(b);
    assert.equal(store.get(b), want ?? zeros, `block ${b}`);
    assert.is(store.has(b), want !== undefined);
    assert.is(store.view(b) === undefined, want === undefined);
    assert.ok(store.equals(b, want ?? zeros));
    const acc = new Uint8Array(store.blockBytes).fill(0x5c);
    store.xorInto(acc, b);
    assert.equal(acc, (want ?? zeros).map((x) => x ^ 0x5c));
  }
  assert.equal(store.writtenBlocks(), [...model.keys()].sort((a, b) => a - b));
  assert.is(store.writtenCount, model.size);
}

for (const bytes of [1, 16, 64, 65, 100, 4096]) {
  test(`BlockStore (${bytes} B payloads) = a Map, snapshots included`, () => {
    const blocks = 2100; // three pages of the tables
    fc.assert(
      fc.property(fc.array(op(blocks), { maxLength: 120 }), (ops) => {
        const store = new BlockStore(blocks, bytes);
        const model = new Map<number, Uint8Array>();
        const snapshots: [BlockStore, Map<number, Uint8Array>][] = [];
        for (const o of ops) {
          if (o.kind === 'set') {
            store.set(o.block, data(bytes, o.seed));
            model.set(o.block, data(bytes, o.seed));
          } else if (o.kind === 'clear') {
            store.clear(o.block);
            model.delete(o.block);
          } else snapshots.push([store.snapshot(), new Map(model)]);
        }
        // Every block an operation named, and a few it did not.
        const named = new Set([0, 1, 1023, 1024, blocks - 1, ...ops.flatMap((o) => (o.kind === 'snapshot' ? [] : [o.block]))]);
        agree(store, model, named);
        for (const [snap, then] of snapshots) agree(snap, then, named);
      }),
      { numRuns: 60 },
    );
  });
}

test('a snapshot is read-only', () => {
  const snap = new BlockStore(10, 100).snapshot();
  assert.throws(() => snap.set(1, new Uint8Array(100)), /read-only/);
  assert.throws(() => snap.clear(1), /read-only/);
});

test('payloads above 64 B live in the payload memory (XOR of two stored blocks runs the SIMD kernel); smaller ones do not', () => {
  const big = new BlockStore(8, 4096);
  big.set(3, data(4096, 1));
  assert.is(big.view(3)!.buffer, payloadBuffer());
  const small = new BlockStore(8, 16);
  small.set(3, data(16, 1));
  assert.is.not(small.view(3)!.buffer, payloadBuffer());
});

test('stored blocks of two stores over many chunks stay apart', () => {
  const store = new BlockStore(4096, 4096);
  for (let b = 0; b < 4096; b += 7) store.set(b, data(4096, b)); // ~2.3 MiB: several chunks
  const other = new BlockStore(1024, 8192);
  for (let b = 0; b < 1024; b += 3) other.set(b, data(8192, b));
  for (let b = 0; b < 4096; b += 7) assert.ok(store.equals(b, data(4096, b)), `block ${b}`);
});

test('release: payload memory goes back once the store and its snapshots are released; use after release throws', () => {
  const before = payloadMemoryStats().inUseBytes;
  const store = new BlockStore(64, 4096);
  store.set(1, data(4096, 1));
  const snap = store.snapshot();
  const held = payloadMemoryStats().inUseBytes - before;
  assert.ok(held >= 64 * 4096, `${held} bytes held`);
  store.release();
  store.release(); // once only
  assert.ok(snap.equals(1, data(4096, 1)), 'the snapshot still reads its contents');
  assert.is(payloadMemoryStats().inUseBytes - before, held);
  snap.release();
  assert.is(payloadMemoryStats().inUseBytes, before);
  assert.throws(() => store.get(1), /after release/);
});

test('a 16 M-block array costs the pages its writes touched, not per-block tables', () => {
  const before = process.memoryUsage().arrayBuffers;
  const keep = [new BlockStore(1 << 24, 16), new BlockStore(1 << 24, 4096), new PagedTable(4)];
  for (const b of [0, 5_000_000, 16_777_215]) {
    (keep[0] as BlockStore).set(b, data(16, b));
    (keep[1] as BlockStore).set(b, data(4096, b));
    (keep[2] as PagedTable).setU32(b, b);
  }
  const grew = process.memoryUsage().arrayBuffers - before;
  // 3 pages of 1 024 entries each (16 KiB, 4 KiB, 4 KiB) and one 1 MiB slot chunk (in the payload memory, not counted here)
  assert.ok(grew < 256 * 1024, `${grew} bytes`);
  assert.equal((keep[0] as BlockStore).writtenBlocks(), [0, 5_000_000, 16_777_215]);
});

test('PagedTable: 32-bit entries, presence apart from value (0 is a value), block numbers past 2^32', () => {
  const t = new PagedTable(4);
  for (const [k, v] of [[0, 0], [1023, 0xffffffff], [1024, 7], [2 ** 32 + 5, 9], [2 ** 40 - 1, 0x80000000]] as const) t.setU32(k, v);
  assert.is(t.getU32(0), 0);
  assert.is(t.getU32(1), undefined);
  assert.is(t.getU32(1023), 0xffffffff);
  assert.is(t.getU32(2 ** 32 + 5), 9);
  assert.is(t.getU32(5), undefined, 'not aliased by 2^32 + 5');
  assert.is(t.getU32(2 ** 40 - 1), 0x80000000);
  assert.equal(t.keys(), [0, 1023, 1024, 2 ** 32 + 5, 2 ** 40 - 1]);
  const snap = t.snapshot();
  t.setU32(1024, 8);
  t.delete(0);
  assert.is(snap.getU32(1024), 7);
  assert.is(snap.getU32(0), 0);
  assert.is(t.getU32(1024), 8);
  assert.is(t.size, 4);
  assert.is(snap.size, 5);
  t.clear();
  assert.is(t.size, 0);
  assert.is(snap.getU32(2 ** 32 + 5), 9);
});

test.run();
