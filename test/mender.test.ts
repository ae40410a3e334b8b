// A primary's mending of its own blocks (src/primary/mender.ts) below what the
// simulated worlds judge: which blocks are rebuilt from parity and which are
// not, what a lost block reads as, what is stored and recorded, in which order
// a loss is made durable and reported, and how many rebuilds run at once. The
// mutation judge runs these for mender.ts mutants no run caught (docs/MUTATION.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReadResult, WriteResult } from '../src/ports/block-device.js';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { Probe } from '../src/ports/probe.js';
import type { Message } from '../src/protocol/messages.js';
import { REFUSAL } from '../src/protocol/peer-checks.js';
import { HONEST } from '../src/protocol/planted-bugs.js';
import type { Rpc } from '../src/protocol/rpc.js';
import { BlockLocks } from '../src/util/block-locks.js';
import type { VerifiedDisk } from '../src/util/verified-disk.js';
import type { Copies } from '../src/primary/copies.js';
import { DATA_LOST, Mender } from '../src/primary/mender.js';
import type { Outbox } from '../src/primary/outbox.js';
import { RestoreState } from '../src/primary/restore-state.js';

const BLOCKS = 32;
const BYTES = 8;
const OK: WriteResult = { ok: true };

const data = (byte: number) => new Uint8Array(BYTES).fill(byte);
const zeros = () => new Uint8Array(BYTES);

/** A mender with every port faked: the test answers parity's reconstruct requests and decides what the disk reads. */
function harness(options: { member?: boolean; seam?: typeof HONEST } = {}) {
  const log: string[] = [];
  const hits: string[] = [];
  const requests: { block: number; answer: (m: unknown) => void }[] = [];
  const writes: { block: number; data: Uint8Array }[] = [];
  const reads = new Map<number, ReadResult>();
  const unchecked: number[] = [];
  let writeResult: WriteResult = OK;
  const lostReported: number[] = [];
  let persists = 0;
  let readyGate: (() => void) | undefined;
  let ready: Promise<void> = Promise.resolve();
  const settledFor: number[] = [];
  const copies: string[] = [];
  const spawned: Promise<unknown>[] = [];
  const clock: Clock = {
    now: () => 0,
    sleep: () => Promise.resolve(),
    timer: (): Timer => ({ cancel() {} }),
    spawn: (_name, task) => void spawned.push(task()),
  };
  const probe: Probe = { hit: (name) => void hits.push(name), anomaly() {} };
  const rpc = {
    call: (_to: string, expect: string, make: (id: number) => Message) => {
      assert.is(expect, 'reconstruct-reply');
      const message = make(requests.length + 1) as Extract<Message, { type: 'reconstruct-request' }>;
      log.push(`ask ${message.block}`);
      return new Promise((answer) => requests.push({ block: message.block, answer }));
    },
  } as unknown as Rpc;
  const read = async (block: number): Promise<ReadResult> => reads.get(block) ?? { ok: true, data: data(0xee) };
  const disk = {
    blockCount: BLOCKS,
    blockBytes: BYTES,
    read,
    readUnchecked: async (block: number) => {
      unchecked.push(block);
      return read(block);
    },
    write: async (block: number, bytes: Uint8Array) => {
      writes.push({ block, data: bytes });
      log.push(`write ${block}`);
      return writeResult;
    },
  } as unknown as VerifiedDisk;
  const locks = new BlockLocks();
  const restore = new RestoreState();
  const outbox = {
    settled: async (block: number) => {
      settledFor.push(block);
      log.push(`settled ${block}`);
    },
  } as unknown as Outbox;
  const copiesFake = {
    beginRepair: (block: number, rereadable: boolean) => void copies.push(`begin ${block} ${rereadable}`),
    repairWrites: (block: number, bytes: Uint8Array) => void copies.push(`writes ${block} ${bytes[0]}`),
    endRepair: (block: number) => void copies.push(`end ${block}`),
  } as unknown as Copies;
  const m = new Mender({
    disk,
    net: { self: 'p1', send() {}, listen() {} },
    clock,
    rpc,
    parity: 'parity',
    locks,
    restore,
    copies: copiesFake,
    outbox,
    seam: options.seam ?? HONEST,
    probe,
    ready: () => ready,
    member: () => options.member ?? true,
    lost: (block) => {
      lostReported.push(block);
      log.push(`reported ${block}`);
    },
    persist: async () => {
      persists++;
      log.push(`persist`);
    },
    highestSeq: () => 7,
  });
  const settle = async () => {
    for (let i = 0; i < 30; i++) await Promise.resolve();
  };
  return {
    m,
    locks,
    restore,
    log,
    hits,
    requests,
    writes,
    reads,
    unchecked,
    lostReported,
    settledFor,
    copies,
    spawned,
    settle,
    persists: () => persists,
    failWrites: () => void (writeResult = { ok: false, error: 'device-failed' }),
    holdReady: () => void (ready = new Promise((r) => (readyGate = r))),
    releaseReady: () => readyGate?.(),
    /** Answers the oldest reconstruct request still open. */
    answer: (reply: unknown) => requests.shift()!.answer(reply),
    /** contents() of `block` under its lock. */
    contents: (block: number, forWrite = false) => locks.with(block, () => m.contents(block, forWrite)),
  };
}

const rebuilt = (block: number, byte: number) => ({ type: 'reconstruct-reply', id: 1, block, lost: 0, data: data(byte) });
const lostReply = (block: number) => ({ type: 'reconstruct-reply', id: 1, block, lost: 1, data: new Uint8Array(0) });

test('a readable block is served from the disk, nothing asked of parity', async () => {
  const h = harness();
  const got = await h.contents(3);
  assert.equal(got, { ok: true, data: data(0xee) });
  assert.is(h.requests.length, 0);
  assert.equal(h.unchecked, [], 'reads are verified');
});

test('out of range: the disk answer goes back as it is, no rebuild', async () => {
  const h = harness();
  h.reads.set(40, { ok: false, error: 'out-of-range' });
  assert.equal(await h.contents(40), { ok: false, error: 'out-of-range' });
  assert.is(h.requests.length, 0);
});

test('an unreadable block outside the group is a media error: nothing to rebuild it from', async () => {
  const h = harness({ member: false });
  h.reads.set(3, { ok: false, error: 'media-error' });
  assert.equal(await h.contents(3), { ok: false, error: 'media-error' });
  assert.is(h.requests.length, 0);
});

test('an unreadable block is rebuilt by parity once its deltas settled, stored, recorded and served', async () => {
  const h = harness();
  h.reads.set(3, { ok: false, error: 'media-error' });
  h.restore.begin();
  h.restore.valid.add(3);
  const got = h.contents(3);
  await h.settle();
  assert.equal(h.log, ['settled 3', 'ask 3'], 'parity is asked only after it has our every delta for the block');
  assert.equal(h.copies, ['begin 3 true'], 'its stored copy, restored data, may be read meanwhile');
  h.restore.valid.delete(3);
  h.answer(rebuilt(3, 0x42));
  assert.equal(await got, { ok: true, data: data(0x42) });
  assert.equal(h.writes, [{ block: 3, data: data(0x42) }]);
  assert.equal(h.copies, ['begin 3 true', 'writes 3 66', 'end 3']);
  assert.ok(h.hits.includes('media-error-repaired'));
  assert.ok(h.restore.valid.has(3), 'stored: valid again in the restore under way');
});

test('a checksum failure (the verified read fails) is repaired the same way', async () => {
  const h = harness();
  h.reads.set(5, { ok: false, error: 'checksum-mismatch' } as never);
  const got = h.contents(5);
  await h.settle();
  h.answer(rebuilt(5, 9));
  assert.equal(await got, { ok: true, data: data(9) });
});

test('a block not restored yet is rebuilt without reading the disk, its stored copy not to be read', async () => {
  const h = harness();
  h.restore.begin();
  h.reads.set(4, { ok: true, data: data(1) });
  const got = h.contents(4);
  await h.settle();
  assert.equal(h.copies, ['begin 4 false']);
  h.answer(rebuilt(4, 7));
  assert.equal(await got, { ok: true, data: data(7) });
  assert.ok(h.hits.includes('degraded-read-served'));
  assert.not.ok(h.hits.includes('media-error-repaired'));
  assert.ok(h.restore.valid.has(4));
});

test('a rebuilt block the disk cannot store is served anyway, and not counted valid', async () => {
  const h = harness();
  h.restore.begin();
  h.failWrites();
  const got = h.contents(4);
  await h.settle();
  h.answer(rebuilt(4, 7));
  assert.equal(await got, { ok: true, data: data(7) });
  assert.not.ok(h.restore.valid.has(4), 'a later restore-data must still store it');
  assert.equal(h.copies.at(-1), 'end 4');
});

test('parity refusing to rebuild: the host gets a media error, nothing lost', async () => {
  const h = harness();
  h.reads.set(3, { ok: false, error: 'media-error' });
  const got = h.contents(3);
  await h.settle();
  h.answer({ type: 'refused', id: 1, reason: REFUSAL['not-a-member'] });
  assert.equal(await got, { ok: false, error: 'media-error' });
  assert.ok(h.hits.includes('request-refused'));
  assert.is(h.restore.lost.size, 0);
  assert.is(h.writes.length, 0);
  assert.equal(h.copies, ['begin 3 true', 'end 3'], 'the repair ends even so');
});

test('parity cannot rebuild: the loss is durable before it is reported, then zero-filled; a reader gets data-lost', async () => {
  const h = harness();
  h.reads.set(3, { ok: false, error: 'media-error' });
  const got = h.contents(3);
  await h.settle();
  h.answer(lostReply(3));
  assert.is(await got, DATA_LOST);
  assert.equal(h.log, ['settled 3', 'ask 3', 'persist', 'reported 3', 'write 3']);
  assert.equal(h.writes, [{ block: 3, data: zeros() }]);
  assert.equal(h.lostReported, [3]);
  assert.is(h.restore.lost.since(3), 7, 'journaled writes up to the highest delta number are older than the loss');
  assert.ok(h.hits.includes('block-reported-lost'));
  assert.not.ok(h.hits.includes('media-error-repaired'));
  assert.equal(h.copies, ['begin 3 true', 'end 3']);
});

test('parity cannot rebuild, for a writer: zeros to write against', async () => {
  const h = harness();
  h.reads.set(3, { ok: false, error: 'media-error' });
  const got = h.contents(3, true);
  await h.settle();
  h.answer(lostReply(3));
  assert.equal(await got, { ok: true, data: zeros() });
});

test('a block found lost while parity rebuilt it is not served the rebuilt data', async () => {
  const h = harness();
  h.reads.set(3, { ok: false, error: 'media-error' });
  const got = h.contents(3);
  await h.settle();
  h.restore.lost.add(3, 2);
  h.answer(rebuilt(3, 5));
  assert.is(await got, DATA_LOST);
  assert.equal(h.writes, [{ block: 3, data: zeros() }], 'its zeros, not the rebuilt data');
  assert.equal(h.lostReported, [], 'already reported');
  assert.is(h.restore.lost.since(3), 2);
});

test('a lost block reads data-lost, and zeros for a writer, without the disk or parity', async () => {
  const h = harness();
  h.restore.lost.add(6, 1);
  assert.is(await h.contents(6), DATA_LOST);
  assert.equal(await h.contents(6, true), { ok: true, data: zeros() });
  assert.is(h.requests.length, 0);
  assert.is(h.writes.length, 0);
});

test('lose: a fresh loss is persisted, reported once and zero-filled; again, persisted and zero-filled but not reported', async () => {
  const h = harness();
  await h.locks.with(2, () => h.m.lose(2));
  assert.equal(h.log, ['persist', 'reported 2', 'write 2']);
  assert.equal(h.hits.filter((x) => x === 'block-reported-lost').length, 1);
  await h.locks.with(2, () => h.m.lose(2));
  assert.equal(h.lostReported, [2]);
  assert.is(h.persists(), 2);
  assert.is(h.writes.length, 2);
  assert.equal(h.hits.filter((x) => x === 'block-reported-lost').length, 1);
});

test('lose: a host write that replaced the loss while it was persisted keeps its data', async () => {
  const h = harness();
  const m = h.m;
  // While the loss is persisted, it ends (a write replaced it).
  const done = h.locks.with(2, async () => {
    const p = m.lose(2);
    h.restore.lost.delete(2);
    await p;
  });
  await done;
  assert.equal(h.writes, [], 'no zeros over the write');
});

test('rebuildAll: nothing to do for no blocks; else after recovery, every block rebuilt or re-zeroed, 8 at once', async () => {
  const h = harness();
  h.m.rebuildAll([]);
  assert.is(h.spawned.length, 0);
  h.holdReady();
  h.restore.lost.add(1, 0);
  const blocks = Array.from({ length: 12 }, (_, i) => i);
  for (const block of blocks) h.reads.set(block, { ok: false, error: 'media-error' }); // a replaced drive
  h.m.rebuildAll(blocks);
  await h.settle();
  assert.is(h.requests.length, 0, 'waits for recovery');
  h.releaseReady();
  await h.settle();
  // Block 1 is lost: its zeros written again, no rebuild; the rest rebuilt, 8 at a time.
  assert.equal(h.writes, [{ block: 1, data: zeros() }]);
  assert.equal(
    h.requests.map((r) => r.block),
    [0, 2, 3, 4, 5, 6, 7, 8],
  );
  while (h.requests.length > 0) {
    const block = h.requests[0]!.block;
    h.answer(rebuilt(block, block + 1));
    await h.settle();
  }
  await Promise.all(h.spawned);
  assert.equal(
    h.writes.map((w) => w.block),
    [1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  );
  assert.is(h.hits.filter((x) => x === 'lost-block-rebuilt').length, 11);
  assert.not.ok(h.hits.includes('degraded-read-served'));
  assert.not.ok(h.hits.includes('media-error-repaired'));
});

test('rebuildAll: a readable block is still read from the disk (not rebuilt) once recovery is done', async () => {
  const h = harness();
  h.reads.set(0, { ok: false, error: 'media-error' });
  h.m.rebuildAll([0, 1]);
  await h.settle();
  assert.equal(
    h.requests.map((r) => r.block),
    [0],
  );
  h.answer(rebuilt(0, 3));
  await Promise.all(h.spawned);
  assert.equal(h.writes, [{ block: 0, data: data(3) }]);
});

test('zeroFillLost: every lost block still lost gets its zeros again, under its lock', async () => {
  const h = harness();
  h.restore.lost.add(4, 0);
  h.restore.lost.add(9, 0);
  h.restore.lost.add(2, 0);
  let held = false;
  const blocker = h.locks.with(9, async () => {
    await h.settle();
    held = true;
    h.restore.lost.delete(9); // a write replaced it while the zero-fill waited
  });
  h.m.zeroFillLost();
  await Promise.all(h.spawned);
  await blocker;
  assert.ok(held);
  assert.equal(
    h.writes.map((w) => w.block),
    [2, 4],
  );
  assert.ok(h.writes.every((w) => w.data.every((b) => b === 0) && w.data.length === BYTES));
});

test('a planted bug may skip verification: the read is unchecked then', async () => {
  const h = harness({ seam: { ...HONEST, verifiesReads: false } });
  await h.contents(3);
  assert.equal(h.unchecked, [3]);
});

test.run();
