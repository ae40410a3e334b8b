// A primary's outbox below what the simulated worlds judge: the round-trip
// estimate (Karn's rule), the count of resent deltas, the unstored data of a
// degraded write, abandon(), and how often the journal is flushed and trimmed.
// None of it makes a run wrong when broken — a retransmission comes sooner or
// later, a flush is repeated, a redone degraded write's data is kept a little
// longer or shorter — so the checks of a run cannot tell; these pin it, and
// the mutation judge runs them for outbox.ts (docs/MUTATION.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WriteResult } from '../src/ports/block-device.js';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { DurableLog } from '../src/ports/durable-log.js';
import type { Probe } from '../src/ports/probe.js';
import type { Message } from '../src/protocol/messages.js';
import { Outbox } from '../src/primary/outbox.js';

const EPOCH = 1;
/** A flush on a drive that failed. */
const FAILED: WriteResult = { ok: false, error: 'device-failed' };

/** A manual clock (timers fire when the test says), a flush answered by the test, a journal that records its trims. */
function harness(options: { journal?: boolean } = {}) {
  let now = 0;
  const sent: Extract<Message, { type: 'delta' }>[] = [];
  const hits: string[] = [];
  const waits: number[] = [];
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const tasks: Promise<void>[] = [];
  const flushes: ((r: WriteResult) => void)[] = [];
  const trims: number[] = [];
  let trimGate: Promise<void> = Promise.resolve();
  const clock: Clock = {
    now: () => now,
    sleep: () => new Promise(() => {}),
    timer(us, fn): Timer {
      waits.push(us);
      const t = { at: now + us, fn, live: true };
      timers.push(t);
      return { cancel: () => void (t.live = false) };
    },
    spawn: (_name, task) => void tasks.push(task()),
  };
  const probe: Probe = { hit: (name) => void hits.push(name), anomaly() {} };
  const journal: DurableLog = {
    append: () => Promise.reject(new Error('not used')),
    trim: async (upTo) => {
      trims.push(upTo);
      await trimGate;
    },
    writeHeader: () => Promise.resolve(),
    read: () => Promise.reject(new Error('not used')),
  };
  const box = new Outbox({
    net: { self: 'p1', send: (_to, m) => void (m.type === 'delta' && sent.push(m)), listen() {} },
    clock,
    parity: 'parity',
    retransmit: { initialUs: 100, maxUs: 1_000_000 },
    journal: options.journal ? journal : undefined,
    probe,
    flush: () => new Promise((answer) => flushes.push(answer)),
    epoch: () => EPOCH,
  });
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    box,
    sent,
    hits,
    waits,
    flushes,
    trims,
    settle,
    at: (us: number) => void (now = us),
    /** Fires every live timer due by now. */
    fire: () => {
      for (const t of timers.filter((t) => t.live && t.at <= now)) {
        t.live = false;
        t.fn();
      }
    },
    ack: (seq: number, block: number) => box.ack({ epoch: EPOCH, seq, block }),
    /** The next journal trim waits until the returned function is called. */
    holdTrim: () => {
      let open!: () => void;
      trimGate = new Promise((r) => (open = r));
      return () => {
        open();
        trimGate = Promise.resolve();
      };
    },
  };
}

const data = (byte: number) => new Uint8Array(8).fill(byte);

test("Karn's rule: a delta answered at its first sending measures the round trip; a resent one does not", async () => {
  const h = harness();
  h.at(1_000);
  void h.box.send(0, data(1), 1);
  assert.equal(h.waits, [100], 'the initial timeout');
  h.at(1_500);
  h.ack(1, 0); // 500 us after it was sent: RTO = 500 + 4·250
  void h.box.send(1, data(2), 2);
  assert.equal(h.waits, [100, 1_500], 'the measured round trip sets the next timeout');
  assert.is(h.box.retransmissions, 0);
  assert.not.ok(h.hits.includes('delta-retransmitted'), 'a first sending is no retransmission');
  h.at(3_000);
  h.fire(); // delta 2 unanswered: sent again, the timeout doubled
  assert.is(h.sent.length, 3);
  assert.equal(h.sent.map((m) => m.seq), [1, 2, 2]);
  assert.is(h.box.retransmissions, 1);
  assert.equal(h.hits, ['delta-retransmitted']);
  assert.equal(h.waits, [100, 1_500, 3_000]);
  h.at(10_000);
  h.ack(2, 1); // answers either copy: not measured
  void h.box.send(2, data(3), 3);
  assert.equal(h.waits, [100, 1_500, 3_000, 3_000], 'the doubled timeout stands until a fresh measurement');
  await h.settle();
});

test('a degraded write redone twice for one block: its unstored data is the last, until that delta is acknowledged', async () => {
  const h = harness();
  // Journal recovery redoes two records of block 4 on a failed drive: both deltas pending at once.
  void h.box.send(4, data(1), 1);
  h.box.unstored(1, data(0xa1));
  void h.box.send(4, data(2), 2);
  h.box.unstored(2, data(0xa2));
  h.ack(1, 4);
  assert.equal(h.box.unstoredData(4), data(0xa2), "delta 1's ack leaves delta 2's data");
  h.ack(2, 4);
  assert.is(h.box.unstoredData(4), undefined, 'acknowledged: parity holds it');
  // The second redo stored it (the drive was replaced meanwhile): the disk holds the newer data.
  void h.box.send(5, data(3), 3);
  h.box.unstored(3, data(0xb1));
  void h.box.send(5, data(4), 4);
  h.box.unstored(4, undefined);
  assert.is(h.box.unstoredData(5), undefined, "delta 3's data is older than the disk's");
  await h.settle();
});

test('after abandon() a delta is settled at once and never sent; after rejoin() it is sent again', async () => {
  const h = harness();
  h.box.abandon();
  let settled = false;
  void h.box.send(3, data(1), 1).then(() => (settled = true));
  await h.settle();
  assert.ok(settled);
  assert.is(h.sent.length, 0);
  assert.not.ok(h.box.pending(3));
  h.box.rejoin();
  void h.box.send(3, data(2), 2);
  assert.is(h.sent.length, 1);
  assert.ok(h.box.pending(3));
});

test('the journal is flushed and trimmed once per new acknowledged floor', async () => {
  const h = harness({ journal: true });
  for (const seq of [1, 2, 3]) void h.box.send(seq, data(seq), seq);
  h.ack(1, 1);
  assert.is(h.flushes.length, 1, 'floor 1: flushed');
  h.flushes[0]!({ ok: true });
  await h.settle();
  assert.equal(h.trims, [1]);
  h.ack(3, 3); // delta 2 still pending: the floor stays 1
  assert.is(h.flushes.length, 1, 'no new floor, no flush');
  await h.box.trimFlushed();
  assert.equal(h.trims, [1], 'trimmed up to the floor already: not again');
  h.ack(2, 2);
  assert.is(h.flushes.length, 2, 'floor 3');
});

test('a trim whose flush failed is not made; it is asked again by the next acknowledgement, or by retryTrim', async () => {
  const h = harness({ journal: true });
  for (const seq of [1, 2, 3, 4]) void h.box.send(seq, data(seq), seq);
  h.ack(1, 1);
  h.flushes[0]!(FAILED);
  await h.settle();
  assert.equal(h.trims, [], 'the flush failed: the records stay');
  assert.equal(h.hits, ['journal-trim-deferred']);
  h.ack(2, 2); // a new floor: asked again
  assert.is(h.flushes.length, 2);
  h.flushes[1]!(FAILED);
  await h.settle();
  h.box.retryTrim(); // the drive was replaced: asked again at once
  assert.is(h.flushes.length, 3);
  h.flushes[2]!({ ok: true });
  await h.settle();
  assert.equal(h.trims, [2]);
});

test('a failed flush does not undo a newer trim under way', async () => {
  const h = harness({ journal: true });
  for (const seq of [1, 2, 3, 4]) void h.box.send(seq, data(seq), seq);
  h.ack(1, 1); // flush 0: floor 1
  h.ack(2, 2); // flush 1: floor 2
  assert.is(h.flushes.length, 2);
  h.flushes[0]!(FAILED); // floor 1's flush failed; floor 2's trim is still under way
  await h.settle();
  h.ack(4, 4); // delta 3 pending: the floor stays 2, whose trim is asked already
  assert.is(h.flushes.length, 2, 'floor 2 is being trimmed: no second flush');
  h.flushes[1]!({ ok: true });
  await h.settle();
  assert.equal(h.trims, [2]);
});

test('a drive replaced while a trim waited on its flush: the failed trim is asked again at once', async () => {
  const h = harness({ journal: true });
  void h.box.send(1, data(1), 1);
  h.ack(1, 1);
  h.box.retryTrim(); // the drive was replaced while the flush waited on it
  assert.is(h.flushes.length, 1, 'floor 1 is being trimmed already');
  h.flushes[0]!(FAILED); // the flush queued on the failed drive fails after the replacement
  await h.settle();
  assert.is(h.flushes.length, 2, 'asked again, nothing else would');
  h.flushes[1]!({ ok: true });
  await h.settle();
  assert.equal(h.trims, [1]);
});

test('trimFlushed trims up to every acknowledged delta, once, and counts as a trim under way meanwhile', async () => {
  const h = harness({ journal: true });
  for (const seq of [1, 2, 3]) void h.box.send(seq, data(seq), seq);
  h.ack(1, 1);
  h.flushes[0]!(FAILED); // not trimmed
  await h.settle();
  const open = h.holdTrim();
  const done = h.box.trimFlushed(); // the caller flushed: trim up to 1 now
  await h.settle();
  assert.equal(h.trims, [1]);
  h.ack(3, 3); // delta 2 pending: the floor stays 1, being trimmed
  assert.is(h.flushes.length, 1, 'a trim up to 1 is under way: no flush for it');
  open();
  await done;
  await h.box.trimFlushed();
  assert.equal(h.trims, [1], 'done: not again');
});

test.run();
