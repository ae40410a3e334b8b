// A primary's side of a restore (src/primary/restoration.ts) below what the
// simulated worlds judge: what the journal header holds and in which order its
// writes go, what a refused restore loses, which restored blocks are stored,
// and what completes a restore. The mutation judge runs these for
// restoration.ts mutants no run caught (docs/MUTATION.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WriteResult } from '../src/ports/block-device.js';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { DurableLog } from '../src/ports/durable-log.js';
import type { Probe } from '../src/ports/probe.js';
import { decodeHeader } from '../src/protocol/journal-record.js';
import type { Message } from '../src/protocol/messages.js';
import { REFUSAL } from '../src/protocol/peer-checks.js';
import { HONEST } from '../src/protocol/planted-bugs.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Rpc } from '../src/protocol/rpc.js';
import { BlockLocks } from '../src/util/block-locks.js';
import type { VerifiedDisk } from '../src/util/verified-disk.js';
import type { Mender } from '../src/primary/mender.js';
import type { Outbox } from '../src/primary/outbox.js';
import { Restoration } from '../src/primary/restoration.js';
import { RestoreState } from '../src/primary/restore-state.js';

const BLOCKS = 4;
const OK: WriteResult = { ok: true };
const FAILED: WriteResult = { ok: false, error: 'device-failed' };

type Answer = Message;

/** A restoration with every port faked: the test answers parity's requests, the flushes and the header writes. */
function harness(options: { outside?: boolean; journal?: boolean } = {}) {
  const sent: Message[] = [];
  const hits: string[] = [];
  const headers: Uint8Array[] = [];
  const headerGates: (() => void)[] = [];
  let holdHeaders = false;
  const requests: { message: Message; answer: (m: Answer) => void }[] = [];
  const writes: { block: number; data: Uint8Array }[] = [];
  const flushes: ((r: WriteResult) => void)[] = [];
  let writeResult: WriteResult = OK;
  const lostReported: number[] = [];
  const mended: number[] = [];
  const pending = new Set<number>();
  let restoredCount = 0;
  const timers: { live: boolean }[] = [];
  const clock: Clock = {
    now: () => 0,
    sleep: () => Promise.resolve(),
    timer: (): Timer => {
      const t = { live: true };
      timers.push(t);
      return { cancel: () => void (t.live = false) };
    },
    spawn: (_name, task) => void task(),
  };
  const probe: Probe = { hit: (name) => void hits.push(name), anomaly() {} };
  const journal: DurableLog = {
    append: () => Promise.reject(new Error('not used')),
    trim: () => Promise.reject(new Error('not used')),
    writeHeader: (bytes) => {
      headers.push(bytes);
      if (!holdHeaders) return Promise.resolve();
      return new Promise<void>((r) => headerGates.push(r));
    },
    read: () => Promise.reject(new Error('not used')),
  };
  const rpc = {
    call: (_to: string, _expect: string, make: (id: number) => Message) =>
      new Promise<Answer>((answer) => requests.push({ message: make(requests.length + 1), answer })),
  } as unknown as Rpc;
  const disk = {
    blockCount: BLOCKS,
    write: async (block: number, data: Uint8Array) => {
      writes.push({ block, data });
      return writeResult;
    },
    flush: () => new Promise<WriteResult>((r) => flushes.push(r)),
  } as unknown as VerifiedDisk;
  const restore = new RestoreState();
  const mender = { lose: async (block: number) => void mended.push(block) } as unknown as Mender;
  const outbox = { pending: (block: number) => pending.has(block) } as unknown as Outbox;
  const r = new Restoration({
    name: 'p1',
    disk,
    net: { self: 'p1', send: (_to, m) => void sent.push(m), listen() {} },
    clock,
    rpc,
    parity: 'parity',
    retransmit: { initialUs: 100, maxUs: 1_000_000 },
    journal: options.journal === false ? undefined : journal,
    locks: new BlockLocks(),
    restore,
    outbox,
    mender,
    seam: HONEST,
    probe,
    buggify: NO_BUGGIFY,
    outside: () => options.outside ?? false,
    highestSeq: () => 7,
    lost: (block) => void lostReported.push(block),
    restored: () => void restoredCount++,
  });
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return {
    r,
    restore,
    sent,
    hits,
    requests,
    writes,
    flushes,
    lostReported,
    mended,
    pending,
    settle,
    restoredCount: () => restoredCount,
    /** Timers set and not cancelled (the session's watchdog). */
    liveTimers: () => timers.filter((t) => t.live).length,
    /** The headers written so far, decoded. */
    headers: () => headers.map((h) => decodeHeader(h)),
    holdHeaders: () => void (holdHeaders = true),
    releaseHeader: () => headerGates.shift()?.(),
    failWrites: () => void (writeResult = FAILED),
    /** Begins a restore: the handshake answered with epoch 3, session 9. */
    begin: async () => {
      restore.begin();
      const done = r.handshake();
      await settle();
      requests[requests.length - 1]!.answer({ type: 'restore-begin', id: 1, epoch: 3, session: 9 });
      await done;
    },
  };
}

const data = (byte: number) => new Uint8Array(8).fill(byte);
const restoreData = (block: number, options: { session?: number; lost?: 0 | 1; id?: number } = {}) =>
  ({ type: 'restore-data', id: options.id ?? 100 + block, session: options.session ?? 9, block, lost: options.lost ?? 0, data: data(block + 1) }) as Extract<Message, { type: 'restore-data' }>;
const complete = (session = 9, id = 50) => ({ type: 'restore-complete', id, session }) as Extract<Message, { type: 'restore-complete' }>;

test('the handshake asks a fresh restore in our epoch, journals the new epoch and "restoring" before taking it', async () => {
  const h = harness();
  h.r.recovered({ epoch: 2, restoring: 0, lost: new Uint8Array(0) } as never);
  assert.is(h.r.epoch, 2, 'journal recovery hands back the epoch');
  h.restore.begin();
  h.holdHeaders();
  const done = h.r.handshake();
  await h.settle();
  assert.is(h.requests.length, 1);
  assert.equal(h.requests[0]!.message, { type: 'restore-request', id: 1, epoch: 2, resume: 0 });
  h.requests[0]!.answer({ type: 'restore-begin', id: 1, epoch: 3, session: 9 });
  await h.settle();
  assert.is(h.headers().length, 1);
  assert.is(h.headers()[0]!.epoch, 3);
  assert.is(h.headers()[0]!.restoring, 1);
  assert.is(h.r.epoch, 2, 'the new epoch is ours only once it is durable');
  h.releaseHeader();
  await done;
  assert.is(h.r.epoch, 3);
  // The session begun is the one whose data is taken.
  await h.r.restoreData(restoreData(1, { session: 8 }));
  assert.is(h.writes.length, 0, "another session's data is not stored");
  assert.ok(h.hits.includes('stale-restore-data-ignored'));
  await h.r.restoreData(restoreData(1));
  assert.equal(h.writes, [{ block: 1, data: data(2) }]);
});

test('header writes are queued in order, each carrying the whole state as of its turn', async () => {
  const h = harness();
  h.holdHeaders();
  let firstDone = false;
  let secondDone = false;
  void h.r.persist({ epoch: 5, restoring: 1 }).then(() => void (firstDone = true));
  h.restore.lost.add(2, 1);
  void h.r.persist().then(() => void (secondDone = true));
  await h.settle();
  assert.is(h.headers().length, 1, 'the second write waits for the first');
  h.releaseHeader();
  await h.settle();
  assert.ok(firstDone);
  assert.not.ok(secondDone);
  assert.is(h.headers().length, 2);
  const second = h.headers()[1]!;
  assert.is(second.epoch, 5, 'a write without a patch keeps the epoch');
  assert.is(second.restoring, 1);
  assert.ok(second.lost.length > 0, 'the lost blocks go into the header');
  h.releaseHeader();
  await h.settle();
  assert.ok(secondDone);
});

test('without a journal nothing is written, and persist resolves at once', async () => {
  const h = harness({ journal: false });
  await h.r.persist({ epoch: 4 });
  assert.is(h.headers().length, 0);
});

test('a resumed restore asks nothing when ordered again after the crash', async () => {
  const h = harness();
  h.r.recovered({ epoch: 3, restoring: 1, lost: new Uint8Array(0) } as never);
  h.r.resume();
  assert.ok(h.restore.active);
  assert.ok(h.hits.includes('restore-resumed-after-crash'));
  await h.settle();
  assert.is(h.requests.length, 1, 'the resume request');
  assert.equal(h.requests[0]!.message, { type: 'restore-request', id: 1, epoch: 3, resume: 1 });
  await Promise.race([h.r.handshake(), h.settle()]);
  assert.is(h.requests.length, 1, 'no fresh restore asked');
});

test('refused outside the group (not a member): every block is lost, durably, reported once, and the restore ends', async () => {
  const h = harness({ outside: true });
  h.restore.lost.add(2, 1); // known lost already: not reported again
  h.restore.begin();
  const waiting = h.r.finished();
  let released = false;
  void waiting.then(() => void (released = true));
  const done = h.r.handshake();
  await h.settle();
  h.requests[0]!.answer({ type: 'refused', id: 1, reason: REFUSAL['not-a-member'] } as Message);
  await done;
  await h.settle();
  assert.ok(h.hits.includes('request-refused'));
  assert.equal(h.lostReported, [0, 1, 3]);
  assert.is(h.hits.filter((x) => x === 'block-reported-lost').length, 3);
  assert.is(h.restore.lost.size, BLOCKS);
  assert.is(h.restore.lost.since(0), 7, 'lost since the highest delta number assigned');
  assert.not.ok(h.restore.active);
  assert.is(h.headers().at(-1)!.restoring, 0);
  assert.ok(released, 'a leave waiting for the restore goes on');
  assert.is(h.restoredCount(), 1);
});

test('a resumed restore refused outside the group: every block lost, and the header no longer says "restoring"', async () => {
  const h = harness({ outside: true });
  h.r.recovered({ epoch: 3, restoring: 1, lost: new Uint8Array(0) } as never);
  h.r.resume();
  await h.settle();
  h.requests[0]!.answer({ type: 'refused', id: 1, reason: REFUSAL['not-a-member'] } as Message);
  await h.settle();
  assert.equal(h.lostReported, [0, 1, 2, 3]);
  assert.not.ok(h.restore.active);
  assert.is(h.headers().at(-1)!.restoring, 0, 'a crash now resumes no restore');
  assert.is(h.headers().at(-1)!.epoch, 3);
  assert.is(h.restoredCount(), 1);
});

test('refused for another reason, or inside the group: nothing is lost', async () => {
  for (const [outside, reason] of [
    [true, REFUSAL['unknown-peer']],
    [false, REFUSAL['not-a-member']],
  ] as const) {
    const h = harness({ outside });
    h.restore.begin();
    const done = h.r.handshake();
    await h.settle();
    h.requests[0]!.answer({ type: 'refused', id: 1, reason } as Message);
    await done;
    await h.settle();
    assert.is(h.lostReported.length, 0);
    assert.is(h.restore.lost.size, 0);
    assert.ok(h.restore.active);
    assert.is(h.restoredCount(), 0);
  }
});

test('refused when no restore is under way (a late answer): nothing is lost', async () => {
  const h = harness({ outside: true });
  const done = h.r.handshake();
  await h.settle();
  h.requests[0]!.answer({ type: 'refused', id: 1, reason: REFUSAL['not-a-member'] } as Message);
  await done;
  assert.is(h.lostReported.length, 0);
  assert.is(h.restore.lost.size, 0);
});

test('restored data is stored and acknowledged; a block written since, or with a delta pending, is not overwritten', async () => {
  const h = harness();
  await h.begin();
  await h.r.restoreData(restoreData(0));
  assert.equal(h.writes, [{ block: 0, data: data(1) }]);
  assert.ok(h.restore.valid.has(0), 'stored: valid again');
  assert.equal(h.sent.at(-1), { type: 'restore-ack', id: 100, block: 0 });
  // Written by the host since.
  h.restore.written(1);
  await h.r.restoreData(restoreData(1));
  assert.is(h.writes.length, 1);
  assert.ok(h.hits.includes('stale-restore-data-ignored'));
  assert.equal(h.sent.at(-1), { type: 'restore-ack', id: 101, block: 1 }, 'acknowledged all the same');
  // A delta of it on its way to parity.
  h.pending.add(2);
  await h.r.restoreData(restoreData(2));
  assert.is(h.writes.length, 1);
  assert.equal(h.sent.at(-1), { type: 'restore-ack', id: 102, block: 2 });
});

test('a failed write is acknowledged but leaves the block not valid', async () => {
  const h = harness();
  await h.begin();
  h.failWrites();
  await h.r.restoreData(restoreData(3));
  assert.is(h.writes.length, 1);
  assert.not.ok(h.restore.valid.has(3));
  assert.equal(h.sent.at(-1), { type: 'restore-ack', id: 103, block: 3 });
});

test('a lost block, or one known lost, goes to the mender and is not written', async () => {
  const h = harness();
  await h.begin();
  await h.r.restoreData(restoreData(1, { lost: 1 }));
  h.restore.lost.add(2, 1);
  await h.r.restoreData(restoreData(2));
  assert.equal(h.mended, [1, 2]);
  assert.is(h.writes.length, 0);
  assert.equal(h.sent.map((m) => m.type), ['restore-ack', 'restore-ack']);
});

test('restored data outside a restore, or for a block out of range, is not stored (but acknowledged)', async () => {
  const h = harness();
  await h.begin();
  for (const block of [-1, BLOCKS, 1.5]) await h.r.restoreData(restoreData(block));
  assert.is(h.writes.length, 0);
  assert.is(h.mended.length, 0);
  assert.is(h.sent.length, 3);
  await h.r.restoreData(restoreData(BLOCKS - 1));
  assert.is(h.writes.length, 1, 'the last block is in range');
  h.restore.complete();
  await h.r.restoreData(restoreData(0));
  assert.is(h.writes.length, 1, 'not restoring: nothing stored');
});

test('completion: flushed first, then the restore ends, the header clears "restoring", a waiting leave goes on, and parity hears', async () => {
  const h = harness();
  await h.begin();
  const waiting = h.r.finished();
  let released = false;
  void waiting.then(() => void (released = true));
  const done = h.r.restoreComplete(complete());
  await h.settle();
  assert.is(h.flushes.length, 1);
  assert.ok(h.restore.active, 'not done before the flush');
  assert.is(h.sent.length, 0);
  h.flushes[0]!(OK);
  await done;
  assert.not.ok(h.restore.active);
  assert.ok(released);
  assert.is(h.restoredCount(), 1);
  assert.is(h.headers().at(-1)!.restoring, 0);
  assert.is(h.headers().at(-1)!.epoch, 3);
  assert.equal(h.sent, [{ type: 'restore-ack', id: 50, block: 0 }]);
  assert.is(h.liveTimers(), 0, "the session's watchdog is stopped");
  // A retransmission of the completion: acknowledged again, nothing else.
  void h.r.restoreComplete(complete(9, 51));
  await h.settle();
  assert.is(h.flushes.length, 1, 'no flush again');
  assert.is(h.restoredCount(), 1);
  assert.equal(h.sent.at(-1), { type: 'restore-ack', id: 51, block: 0 });
});

test('completion with a failed flush: the restore stays under way and parity is not answered (it resends)', async () => {
  const h = harness();
  await h.begin();
  const done = h.r.restoreComplete(complete());
  await h.settle();
  h.flushes[0]!(FAILED);
  await done;
  assert.ok(h.restore.active);
  assert.is(h.sent.length, 0);
  assert.is(h.restoredCount(), 0);
});

test("a superseded session's completion is ignored while the restore is under way", async () => {
  const h = harness();
  await h.begin();
  void h.r.restoreComplete(complete(8));
  await h.settle();
  assert.is(h.flushes.length, 0, 'not flushed: it does not complete ours');
  assert.ok(h.restore.active);
  assert.is(h.sent.length, 0);
  assert.ok(h.hits.includes('stale-restore-data-ignored'));
});

test('two completions at once: the second, finding the restore done after its flush, does not end it again', async () => {
  const h = harness();
  await h.begin();
  const first = h.r.restoreComplete(complete(9, 50));
  const second = h.r.restoreComplete(complete(9, 51));
  await h.settle();
  assert.is(h.flushes.length, 2);
  h.flushes[0]!(OK);
  await first;
  h.flushes[1]!(OK);
  await second;
  assert.is(h.restoredCount(), 1);
  assert.is(h.headers().filter((x) => x.restoring === 0).length, 1, 'one header write clears it');
  // The second is not answered: parity resends it, and that copy is acknowledged (not restoring).
  assert.equal(h.sent.map((m) => (m as { id: number }).id), [50]);
});

test.run();
