import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError, decode, encode, encodedSize } from '../src/protocol/codec.js';
import { writeFields } from '../src/protocol/fields.js';
import { type ParityJournalRecord, decodeParityRecord, encodeParityRecord, isCheckpointRecord } from '../src/protocol/parity-journal.js';
import { MESSAGE_TYPES, type Message } from '../src/protocol/messages.js';
import { type WriteIntent, decodeHeader, decodeJournalRecord, encodeHeader, encodeJournalRecord } from '../src/protocol/journal-record.js';
import { equalBytes, isZero, xor, xorInto } from '../src/protocol/xor.js';
import { BlockLocks } from '../src/util/block-locks.js';
import { PROTOCOL_VARIANTS } from '../src/protocol/variant.js';
import { protocol } from '../lib/options.js';
import { SeqSet } from '../src/protocol/seq-set.js';

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

// Every message type, written out by hand (not from MESSAGE_SPECS, which it pins): each field crosses the wire,
// in the documented layout (type index, then 8 bytes per number and 4 + n per byte string), and comes back.
const d4 = Uint8Array.of(9, 8, 7, 6);
const EVERY_MESSAGE: readonly Message[] = [
  { type: 'build-request', first: 3, count: 5 },
  { type: 'block-copy', block: 3, data: d4 },
  { type: 'delta', block: 3, epoch: 4, seq: 5, replaces: 1, data: d4 },
  { type: 'delta-ack', block: 3, epoch: 4, seq: 5 },
  { type: 'restore-request', id: 2, epoch: 4, resume: 1 },
  { type: 'restore-begin', id: 2, epoch: 4, session: 6 },
  { type: 'copy-request', id: 2, block: 3 },
  { type: 'copy-reply', id: 2, block: 3, status: 1, data: d4 },
  { type: 'restore-data', id: 2, session: 6, block: 3, lost: 1, data: d4 },
  { type: 'restore-ack', id: 2, block: 3 },
  { type: 'restore-complete', id: 2, session: 6 },
  { type: 'join-request', id: 2, blockCount: 7 },
  { type: 'join-begin', id: 2, epoch: 4 },
  { type: 'join-copy-request', id: 2, block: 3 },
  { type: 'join-copy', id: 2, block: 3, epoch: 4, reflectsUpTo: 8, data: d4 },
  { type: 'join-complete', id: 2 },
  { type: 'join-ack', id: 2 },
  { type: 'leave-request', id: 2 },
  { type: 'leave-complete', id: 2 },
  { type: 'reconstruct-request', id: 2, block: 3 },
  { type: 'reconstruct-reply', id: 2, block: 3, lost: 1, data: d4 },
  { type: 'repair-request', id: 2, block: 3, lost: 1 },
  { type: 'repair-done', id: 2, block: 3 },
  { type: 'refused', id: 2, reason: 5 },
];

test('codec: every message type carries every one of its fields, in the documented layout', () => {
  assert.equal(new Set(EVERY_MESSAGE.map((m) => m.type)).size, MESSAGE_TYPES.length);
  EVERY_MESSAGE.forEach((m) => {
    const fields = Object.entries(m).filter(([name]) => name !== 'type');
    const size = 1 + fields.reduce((n, [, v]) => n + (v instanceof Uint8Array ? 4 + v.length : 8), 0);
    const wire = encode(m);
    assert.is(wire.length, size, m.type);
    assert.is(encodedSize(m), size, m.type);
    assert.is(wire[0], MESSAGE_TYPES.indexOf(m.type), m.type);
    assert.equal(decode(wire), m, m.type);
  });
  // Byte for byte: a delta-ack {block 3, epoch 4, seq 5} is its type index, then three little-endian float64s.
  const ack = encode({ type: 'delta-ack', block: 3, epoch: 4, seq: 5 });
  const view = new DataView(ack.buffer, ack.byteOffset + 1);
  assert.equal([view.getFloat64(0, true), view.getFloat64(8, true), view.getFloat64(16, true)], [3, 4, 5]);
  // A byte string is a little-endian u32 length, then the bytes.
  const copy = encode({ type: 'block-copy', block: 1, data: new Uint8Array(0x1_02_03).fill(7) });
  assert.equal([...copy.subarray(9, 13)], [3, 2, 1, 0]);
});

test("primary journal: the header and a write intent decode to what was encoded; an empty header is epoch 0; other bytes are refused", () => {
  const header = { epoch: 7, restoring: 1, lost: Uint8Array.of(1, 2, 3) };
  const h = encodeHeader(header);
  assert.is(h.length, 8 + 8 + 4 + 3);
  assert.equal(decodeHeader(h), header);
  assert.equal(decodeHeader(new Uint8Array(0)), { epoch: 0, restoring: 0, lost: new Uint8Array(0) });
  const intent: WriteIntent = { kind: 'intent', block: 5, data: Uint8Array.of(1, 2), delta: Uint8Array.of(3, 4, 5), replaces: 1 };
  const r = encodeJournalRecord(intent);
  assert.is(r[0], 1); // the intent's tag
  assert.is(r.length, 1 + 8 + (4 + 2) + (4 + 3) + 8);
  assert.equal(decodeJournalRecord(r), intent);
  const other = r.slice();
  other[0] = 2;
  assert.throws(() => decodeJournalRecord(other), (e: unknown) => e instanceof DecodeError);
  assert.throws(() => decodeJournalRecord(r.subarray(0, r.length - 1)), (e: unknown) => e instanceof DecodeError);
  assert.throws(() => decodeHeader(h.subarray(0, 5)), (e: unknown) => e instanceof DecodeError);
  assert.throws(() => encodeJournalRecord({ ...intent, block: -1 }), RangeError);
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

test('parity journal: a checkpoint keeps any one extra part alone; the tags; bad records are refused', () => {
  const applied = [{ member: 'p1', epoch: 2, floor: 10, above: [12] }];
  const extras: Partial<ParityJournalRecord & { kind: 'checkpoint' }>[] = [
    { members: [{ name: 'p4', blockCount: 8, state: 'member' }] },
    { merged: [{ member: 'p4', blocks: [[1, 2]] }] },
    { removed: [{ member: 'p3', blocks: [1] }] },
    { lost: [{ member: 'p1', blocks: [4] }] },
    { reprotect: [7] },
    { stale: [7] },
  ];
  for (const extra of extras) {
    const r: ParityJournalRecord = { kind: 'checkpoint', applied, ...extra };
    const bytes = encodeParityRecord(r);
    assert.ok(isCheckpointRecord(bytes));
    assert.equal(decodeParityRecord(bytes), r, JSON.stringify(extra));
  }
  const tagOf = (r: ParityJournalRecord) => encodeParityRecord(r)[0];
  const q = Uint8Array.of(1);
  assert.equal(
    [
      tagOf({ kind: 'apply', member: 'p1', epoch: 0, seq: 1, block: 0, replaces: 0, newQ: q }),
      tagOf({ kind: 'checkpoint', applied }),
      tagOf({ kind: 'epoch', member: 'p1', epoch: 1 }),
      tagOf({ kind: 'write', block: 0, newQ: q }),
      tagOf({ kind: 'member', name: 'p1', blockCount: 1, state: 'left' }),
      tagOf({ kind: 'merge', member: 'p1', block: 0, upTo: 0, epoch: 0, noCopy: 0, newQ: q }),
      tagOf({ kind: 'unmerge', member: 'p1', block: 0, newQ: q }),
      tagOf({ kind: 'lost', member: 'p1', block: 0, stale: 0 }),
      tagOf({ kind: 'write', block: 0, newQ: q, found: ['p1'] }),
      tagOf({ kind: 'epoch', member: 'p1', epoch: 1, request: 0 }),
    ],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.not.ok(isCheckpointRecord(encodeParityRecord({ kind: 'write', block: 0, newQ: q })));
  const refused = (bytes: Uint8Array) => assert.throws(() => decodeParityRecord(bytes), (e: unknown) => e instanceof DecodeError);
  refused(Uint8Array.of(11));
  refused(Uint8Array.of(0));
  const member = encodeParityRecord({ kind: 'member', name: 'p1', blockCount: 1, state: 'left' });
  new DataView(member.buffer).setFloat64(member.length - 8, 4, true); // state index 4: none
  refused(member);
  const found = (json: string) => {
    const text = new TextEncoder().encode(json);
    const out = new Uint8Array(1 + 8 + 4 + text.length + 4);
    out[0] = 9;
    new DataView(out.buffer).setUint32(9, text.length, true);
    out.set(text, 13);
    return out;
  };
  assert.equal(decodeParityRecord(found('["p1"]')), { kind: 'write', block: 0, newQ: new Uint8Array(0), found: ['p1'] });
  refused(found('"p1"'));
  refused(found('["p1",2]'));
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
test("PROTOCOL_VARIANTS: the two variants, the CLI's --protocol choices and what the library's protocol option takes; any other refused", () => {
  assert.equal([...PROTOCOL_VARIANTS], ['literal', 'hardened']);
  for (const v of ['literal', 'hardened']) assert.is(protocol(v), v);
  assert.throws(() => protocol('hardend'), /unknown value "hardend" \(did you mean "hardened"\?\); expected one of "literal", "hardened"/);
});

test('writeFields: exactly its fields, at the offset given — the bytes before and after them untouched', () => {
  const out = new Uint8Array(1 + 8 + 4 + 3 + 8 + 5).fill(0xee);
  const end = writeFields([['a', 'uint'], ['b', 'bytes'], ['c', 'uint']], { a: 1, b: Uint8Array.of(7, 8, 9), c: 2 ** 40 }, out, 1, 'test');
  assert.is(end, 1 + 8 + 4 + 3 + 8);
  assert.equal([...out], [0xee, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 3, 0, 0, 0, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0x70, 0x42, 0xee, 0xee, 0xee, 0xee, 0xee]);
});

test('codec: a cut or overlong message is refused naming what is wrong — the field cut short, its length or its bytes, or the bytes left over', () => {
  const wire = encode({ type: 'block-copy', block: 3, data: Uint8Array.of(9, 8, 7, 6) }); // type, 8 + (4 + 4) bytes
  assert.is(wire.length, 17);
  const refusal = (bytes: Uint8Array) => {
    try {
      decode(bytes);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      return error.message;
    }
    return 'decoded';
  };
  for (let cut = 1; cut < 9; cut++) assert.is(refusal(wire.subarray(0, cut)), 'block-copy.block: truncated', `cut at ${cut}`);
  for (let cut = 9; cut < 13; cut++) assert.is(refusal(wire.subarray(0, cut)), 'block-copy.data: truncated length', `cut at ${cut}`);
  for (let cut = 13; cut < 17; cut++) assert.is(refusal(wire.subarray(0, cut)), 'block-copy.data: truncated bytes', `cut at ${cut}`);
  assert.is(refusal(Uint8Array.of(...wire, 0)), 'block-copy: 1 trailing bytes');
  assert.is(refusal(encode({ type: 'delta-ack', block: 3, epoch: 4, seq: 5 }).subarray(0, 20)), 'delta-ack.seq: truncated');
});

test("SeqSet.from: a checkpoint's floor and the numbers above it, as the set that wrote them had them", () => {
  const s = new SeqSet();
  for (const n of [1, 2, 3, 5, 8, 6]) s.add(n);
  assert.is(s.floor, 3);
  assert.equal(s.above(), [5, 6, 8]);
  const back = SeqSet.from(s.floor, s.above());
  assert.is(back.floor, 3);
  assert.equal(back.above(), [5, 6, 8]);
  for (const n of [1, 3, 5, 6, 8]) assert.ok(back.has(n), `${n} in`);
  for (const n of [4, 7, 9]) assert.not.ok(back.has(n), `${n} not in`);
  back.add(4);
  assert.is(back.floor, 6, 'the gap filled: the floor climbs past the numbers above it');
});

test.run();
