import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError, decode, encode, encodedSize } from '../src/protocol/codec.js';
import { type ParityJournalRecord, decodeParityRecord, encodeParityRecord } from '../src/protocol/parity-journal.js';
import type { Message } from '../src/protocol/messages.js';
import { equalBytes, isZero, xor, xorInto } from '../src/protocol/xor.js';
import { BlockLocks } from '../src/util/block-locks.js';

const uint = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const bytes = fc.uint8Array({ maxLength: 300 });
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('build-request' as const), first: uint, count: uint }),
  fc.record({ type: fc.constant('block-copy' as const), block: uint, data: bytes }),
  fc.record({ type: fc.constant('delta' as const), block: uint, epoch: uint, seq: uint, replaces: uint, data: bytes }),
  fc.record({ type: fc.constant('copy-reply' as const), id: uint, block: uint, status: uint, data: bytes }),
  fc.record({ type: fc.constant('restore-begin' as const), id: uint, epoch: uint, session: uint }),
  fc.record({ type: fc.constant('delta-ack' as const), block: uint, epoch: uint, seq: uint }),
);

test('codec: decode(encode(m)) = m, and the size is exact', () => {
  fc.assert(
    fc.property(message, (m) => {
      const wire = encode(m);
      assert.is(wire.length, encodedSize(m));
      assert.equal(decode(wire), { ...m }); // fast-check builds null-prototype records
    }),
  );
});

test('codec: truncated or trailing bytes are rejected, never misread', () => {
  fc.assert(
    fc.property(message, fc.nat(), (m, cut) => {
      const wire = encode(m);
      const short = wire.subarray(0, cut % wire.length);
      assert.throws(() => decode(short), (e: unknown) => e instanceof DecodeError);
      const long = new Uint8Array(wire.length + 1);
      long.set(wire);
      assert.throws(() => decode(long), (e: unknown) => e instanceof DecodeError);
    }),
  );
});

test('parity journal: every record kind decodes to what was encoded; a plain checkpoint keeps its old layout', () => {
  const q = Uint8Array.of(1, 2, 3);
  const applied = [{ member: 'p1', epoch: 2, floor: 10, above: [12, 14] }];
  const records: ParityJournalRecord[] = [
    { kind: 'apply', member: 'p1', epoch: 2, seq: 7, block: 3, replaces: 0, newQ: q },
    { kind: 'apply', member: 'p2', epoch: 0, seq: 8, block: 4, replaces: 1, newQ: new Uint8Array(0) },
    { kind: 'checkpoint', applied },
    {
      kind: 'checkpoint',
      applied,
      members: [{ name: 'p4', blockCount: 768, state: 'joining' }],
      merged: [{ member: 'p4', blocks: [[0, 5], [9, 0]] }],
      removed: [{ member: 'p3', blocks: [1, 2] }],
      lost: [{ member: 'p1', blocks: [4, 7] }],
      reprotect: [7],
      stale: [7],
    },
    { kind: 'epoch', member: 'p2', epoch: 3 },
    { kind: 'epoch', member: 'p2', epoch: 4, request: 5 * 2 ** 32 + 1 },
    { kind: 'checkpoint', applied: [{ member: 'p2', epoch: 4, floor: 0, above: [], request: 5 * 2 ** 32 + 1 }] },
    { kind: 'write', block: 5, newQ: q },
    { kind: 'write', block: 6, newQ: q, found: ['p1', 'p3'] },
    ...(['joining', 'member', 'leaving', 'left'] as const).map((state) => ({ kind: 'member' as const, name: 'p4', blockCount: 768, state })),
    { kind: 'merge', member: 'p4', block: 9, upTo: 41, epoch: 1, noCopy: 0, newQ: q },
    { kind: 'merge', member: 'p4', block: 10, upTo: 41, epoch: 1, noCopy: 1, newQ: q },
    { kind: 'unmerge', member: 'p3', block: 2, newQ: q },
    { kind: 'lost', member: 'p2', block: 11, stale: 1 },
  ];
  for (const r of records) assert.equal(decodeParityRecord(encodeParityRecord(r)), r);
  // Byte for byte what checkpoints held before the group was journaled (runs without joins keep their traces).
  assert.is(encodeParityRecord({ kind: 'checkpoint', applied }).length, 1 + 4 + JSON.stringify(applied).length);
  // A recomputation that ends no loss is written as before it could (tag 4, no list).
  assert.equal(encodeParityRecord({ kind: 'write', block: 5, newQ: q, found: [] }), encodeParityRecord({ kind: 'write', block: 5, newQ: q }));
});

test('xor: a ^ b ^ b = a, commutative, x ^ x = 0 — for any length and alignment', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(3), fc.nat(3), (a, offA, offB) => {
      // Views at odd offsets exercise the byte path; aligned ones the word path.
      const bufA = new Uint8Array(a.length + offA);
      bufA.set(a, offA);
      const va = bufA.subarray(offA);
      const b = new Uint8Array(a.length).map((_, i) => (i * 37 + 11) & 0xff);
      const bufB = new Uint8Array(b.length + offB);
      bufB.set(b, offB);
      const vb = bufB.subarray(offB);
      assert.ok(equalBytes(xor(xor(va, vb), vb), a));
      assert.ok(equalBytes(xor(va, vb), xor(vb, va)));
      assert.ok(isZero(xorInto(Uint8Array.from(a), a)));
    }),
  );
});

test('xor: lengths must match', () => {
  assert.throws(() => xorInto(new Uint8Array(4), new Uint8Array(5)), /lengths differ/);
});

test('block locks: one holder at a time per block, FIFO; other blocks independent', async () => {
  const locks = new BlockLocks();
  const log: string[] = [];
  const job = (block: number, name: string) =>
    locks.with(block, async () => {
      log.push(`${name}+`);
      await Promise.resolve();
      await Promise.resolve();
      log.push(`${name}-`);
    });
  const all = Promise.all([job(1, 'a'), job(1, 'b'), job(2, 'c'), job(1, 'd')]);
  assert.ok(locks.busy(1) && locks.busy(2) && !locks.busy(3));
  await all;
  assert.equal(log.filter((l) => 'abd'.includes(l[0]!)), ['a+', 'a-', 'b+', 'b-', 'd+', 'd-']);
  assert.is(locks.size, 0);
});

test('block locks, non-exclusive (literal): everyone enters at once, busy still tracked', async () => {
  const locks = new BlockLocks(false);
  const log: string[] = [];
  const job = (name: string) =>
    locks.with(1, async () => {
      log.push(`${name}+`);
      await Promise.resolve();
      log.push(`${name}-`);
    });
  const all = Promise.all([job('a'), job('b')]);
  assert.ok(locks.busy(1));
  await all;
  assert.equal(log, ['a+', 'b+', 'a-', 'b-']);
  assert.not.ok(locks.busy(1));
  assert.throws(() => locks.release(1), /not held/);
});
test.run();
