// The primary controller's wiring (src/primary/primary-controller.ts) where no
// judged world reaches it: the simulator always passes `member` and `left`
// (src/builtin-controllers.ts) and never sets the primary's `onLeft`, no judged
// member (not leaving) has its restore refused as "not a member", and the
// simulated host sends no malformed write. The
// parity side is scripted; the primary is the real one. The mutation judge
// runs these for primary-controller.ts mutants no run caught (docs/MUTATION.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlockDevice } from '../src/ports/block-device.js';
import type { DurableLog } from '../src/ports/durable-log.js';
import { PrimaryController } from '../src/primary/primary-controller.js';
import { encodeJournalRecord } from '../src/protocol/journal-record.js';
import type { AckPolicy } from '../src/protocol/ack-policy.js';
import type { Message } from '../src/protocol/messages.js';
import { REFUSAL } from '../src/protocol/peer-checks.js';
import { IdealDisk } from '../sim/disk/ideal-disk.js';
import { Engine } from '../sim/engine/engine.js';
import { SimClock } from '../sim/world/sim-clock.js';
import { engineNetwork } from './helpers.js';

const BLOCKS = 4;

interface DiskFaults {
  /** Writes fail (the device is gone). Read at each write: a test may set it midway. */
  writes?: boolean;
  /** Flushes fail. */
  flushes?: boolean;
  /** These blocks read as media errors (latent sector errors) until written. */
  unreadable?: Set<number>;
  /** Each read and write takes this long (default 100 µs). */
  latencyUs?: number;
}

function world(options: { member?: boolean; journal?: DurableLog; ackPolicy?: AckPolicy }, answer: (m: Message) => Message | undefined, faults: DiskFaults = {}) {
  const e = new Engine(3);
  const endpoint = engineNetwork(e);
  const ideal = new IdealDisk(e, { name: 'p1', blockCount: BLOCKS, blockBytes: 8, latencyUs: faults.latencyUs ?? 100 });
  let flushes = 0;
  const disk: BlockDevice = {
    blockBytes: ideal.blockBytes,
    blockCount: ideal.blockCount,
    read: (block) => (faults.unreadable?.has(block) ? ideal.read(block).then(() => ({ ok: false, error: 'media-error' }) as const) : ideal.read(block)),
    write: (block, data) => {
      if (faults.writes) return Promise.resolve({ ok: false, error: 'device-failed' });
      faults.unreadable?.delete(block);
      return ideal.write(block, data);
    },
    flush: () => {
      flushes++;
      return faults.flushes ? Promise.resolve({ ok: false, error: 'device-failed' }) : ideal.flush();
    },
  };
  const probes: string[] = [];
  const probe = { hit: (name: string) => void probes.push(name), anomaly() {} };
  const p = new PrimaryController({ disk, transport: endpoint('p1'), clock: new SimClock(e, 'p1'), parity: 'parity', probe, ...options });
  const parity = endpoint('parity');
  const heard: string[] = [];
  parity.listen((from, m) => {
    heard.push(m.type);
    const reply = answer(m);
    if (reply !== undefined) parity.send(from, reply);
  });
  p.start();
  return { e, p, heard, ideal, probes, parity, endpoint, flushes: () => flushes, contents: async (block: number) => [...((await settle(e, ideal.read(block))) as { data: Uint8Array }).data] };
}

/**
 * A parity array for one member, scripted: Q[k] is the member's block k (the
 * XOR of one), kept by applying each delta; it acknowledges every delta,
 * answers reconstructions from Q, and begins every restore (sending no data:
 * the restore stays under way).
 */
function oneMemberParity() {
  const q = Array.from({ length: BLOCKS }, () => new Uint8Array(8));
  const deltas: Extract<Message, { type: 'delta' }>[] = [];
  const answer = (m: Message): Message | undefined => {
    switch (m.type) {
      case 'delta':
        if (!deltas.some((d) => d.seq === m.seq && d.epoch === m.epoch)) {
          deltas.push(m);
          for (let i = 0; i < 8; i++) q[m.block]![i]! ^= m.data[i]!;
        }
        return { type: 'delta-ack', block: m.block, epoch: m.epoch, seq: m.seq };
      case 'reconstruct-request':
        return { type: 'reconstruct-reply', id: m.id, block: m.block, lost: 0, data: q[m.block]!.slice() };
      case 'restore-request':
        return { type: 'restore-begin', id: m.id, epoch: 1, session: 1 };
      default:
        return undefined;
    }
  };
  return { q, deltas, answer };
}

/** Runs `op` to its end on the world's engine. */
async function settle<T>(e: Engine, op: Promise<T>): Promise<T> {
  let out: { value: T } | undefined;
  void op.then((value) => void (out = { value }));
  await e.run({ stopWhen: () => out !== undefined });
  assert.ok(out !== undefined, 'the operation ended');
  return out.value;
}

test('built without `member` or `left`: a member (the documented default)', () => {
  assert.ok(world({}, () => undefined).p.member);
  assert.not.ok(world({ member: false }, () => undefined).p.member);
});

test('a completed leave calls onLeft once, and the primary is outside', async () => {
  const w = world({}, (m) => (m.type === 'leave-request' ? { type: 'leave-complete', id: m.id } : undefined));
  let left = 0;
  w.p.onLeft = () => void left++;
  w.p.leave();
  await w.e.run();
  assert.is(w.e.crash, undefined);
  assert.equal(w.heard, ['leave-request']);
  assert.is(left, 1);
  assert.not.ok(w.p.member);
});

test('a restore refused as "not a member": a member keeps its blocks; one outside the group loses them all', async () => {
  const refuse = (m: Message): Message | undefined => (m.type === 'restore-request' ? { type: 'refused', id: m.id, reason: REFUSAL['not-a-member'] } : undefined);
  const member = world({}, refuse);
  member.p.restore();
  await member.e.run();
  assert.is(member.e.crash, undefined);
  assert.equal(member.heard, ['restore-request']);
  assert.equal(member.p.lostBlocks(), [], 'a member (not leaving): nothing lost');
  const outside = world({ member: false }, refuse);
  outside.p.restore();
  await outside.e.run();
  assert.is(outside.e.crash, undefined);
  assert.equal(outside.p.lostBlocks(), [0, 1, 2, 3], 'outside the group: nothing protected its data');
});

test("built outside the group without `left` (not gone): its journal's deltas are still sent to parity", async () => {
  // One journaled write not trimmed: recovery redoes it and resends its delta, unless the array left.
  const data = new Uint8Array(8).fill(5);
  const record = encodeJournalRecord({ kind: 'intent', block: 1, data, delta: data, replaces: 0 });
  const journal: DurableLog = {
    append: async () => 2,
    trim: async () => {},
    writeHeader: async () => {},
    read: async () => ({ header: new Uint8Array(0), trimmedUpTo: 0, records: [{ position: 1, data: record }] }),
  };
  // Parity does not answer: the delta is resent until acknowledged (an array gone would drop it at its first timeout).
  const w = world({ member: false, journal }, () => undefined);
  await w.e.run({ until: 2_000_000 });
  assert.is(w.e.crash, undefined);
  assert.ok(w.heard.length >= 2, `resent: ${w.heard.join(', ')}`);
  assert.ok(w.heard.every((t) => t === 'delta'));
});

test('a host write of a block beyond the array, or of the wrong size, is a bad request', async () => {
  const w = world({}, () => undefined);
  const block = new Uint8Array(8);
  assert.equal(await w.p.hostWrite(BLOCKS, block), { ok: false, error: 'bad-request' });
  assert.equal(await w.p.hostWrite(-1, block), { ok: false, error: 'bad-request' });
  assert.equal(await w.p.hostWrite(0, new Uint8Array(7)), { ok: false, error: 'bad-request' });
  assert.equal(await w.p.hostWrite(0, new Uint8Array(9)), { ok: false, error: 'bad-request' });
  assert.equal(w.heard, [], 'nothing sent');
});

test('outside the group: a write goes to the media and is flushed, no delta sent; a failed flush fails the write', async () => {
  const w = world({ member: false }, () => undefined);
  const data = new Uint8Array(8).fill(7);
  assert.equal(await settle(w.e, w.p.hostWrite(2, data)), { ok: true });
  assert.equal([...((await settle(w.e, w.ideal.read(2))) as { data: Uint8Array }).data], [...data]);
  assert.is(w.flushes(), 1, 'on the media before it is acknowledged');
  assert.equal(w.heard, [], 'no delta: nothing protects it');
  const failing = world({ member: false }, () => undefined, { flushes: true });
  assert.equal(await settle(failing.e, failing.p.hostWrite(2, data)), { ok: false, error: 'device-failed' });
  const gone = world({ member: false }, () => undefined, { writes: true });
  assert.equal(await settle(gone.e, gone.p.hostWrite(2, data)), { ok: false, error: 'device-failed' });
  assert.is(gone.flushes(), 0, 'nothing written: nothing to flush');
});

test("outside the group: a write replaces a lost block (the loss is over); a failed one leaves it lost", async () => {
  const refuse = (m: Message): Message | undefined => (m.type === 'restore-request' ? { type: 'refused', id: m.id, reason: REFUSAL['not-a-member'] } : undefined);
  const w = world({ member: false }, refuse);
  w.p.restore();
  await w.e.run();
  assert.equal(w.p.lostBlocks(), [0, 1, 2, 3]);
  assert.equal(await settle(w.e, w.p.hostWrite(1, new Uint8Array(8).fill(1))), { ok: true });
  assert.equal(w.p.lostBlocks(), [0, 2, 3]);
  const failing = world({ member: false }, refuse, { flushes: true });
  failing.p.restore();
  await failing.e.run();
  assert.equal((await settle(failing.e, failing.p.hostWrite(1, new Uint8Array(8).fill(1)))).ok, false);
  assert.equal(failing.p.lostBlocks(), [0, 1, 2, 3], 'not on the media: still lost');
});

test('the host may reuse its buffer as soon as it has called: the write stores what the buffer held then', async () => {
  const w = world({ member: false }, () => undefined);
  const buffer = new Uint8Array(8).fill(3);
  const write = w.p.hostWrite(0, buffer);
  buffer.fill(9);
  assert.equal(await settle(w.e, write), { ok: true });
  assert.equal([...((await settle(w.e, w.ideal.read(0))) as { data: Uint8Array }).data], [3, 3, 3, 3, 3, 3, 3, 3]);
});

test('told to leave: a write waiting its turn for the block is refused as decommissioned, and so is every later one', async () => {
  // Parity acknowledges deltas and leaves the leave request unanswered: the primary stays leaving.
  const w = world({}, (m) => (m.type === 'delta' ? { type: 'delta-ack', block: m.block, epoch: m.epoch, seq: m.seq } : undefined));
  const first = w.p.hostWrite(0, new Uint8Array(8).fill(1));
  const second = w.p.hostWrite(0, new Uint8Array(8).fill(2));
  await w.e.run({ until: 50 }); // the first holds the block, the second waits its turn
  w.p.leave();
  assert.equal(await settle(w.e, second), { ok: false, error: 'decommissioned' });
  assert.equal(await settle(w.e, w.p.hostWrite(1, new Uint8Array(8))), { ok: false, error: 'decommissioned' });
  assert.equal(await settle(w.e, first), { ok: true }, 'the write under way when the leave began completes');
});

test('a host read: what the block holds; beyond the array a bad request; a block lost (nothing protected it) not its zeros', async () => {
  const refuse = (m: Message): Message | undefined => (m.type === 'restore-request' ? { type: 'refused', id: m.id, reason: REFUSAL['not-a-member'] } : undefined);
  const w = world({ member: false }, refuse);
  assert.equal(await settle(w.e, w.p.hostRead(BLOCKS)), { ok: false, error: 'bad-request' });
  assert.equal(await settle(w.e, w.p.hostRead(-1)), { ok: false, error: 'bad-request' });
  assert.equal(await settle(w.e, w.p.hostWrite(3, new Uint8Array(8).fill(4))), { ok: true });
  assert.equal(await settle(w.e, w.p.hostRead(3)), { ok: true, data: new Uint8Array(8).fill(4) });
  w.p.restore();
  await w.e.run();
  assert.equal(w.p.lostBlocks(), [0, 1, 2, 3]);
  const lost = await settle(w.e, w.p.hostRead(2));
  assert.equal(lost.ok, false, 'its zeros are not the host data');
  assert.equal(await settle(w.e, w.p.hostWrite(2, new Uint8Array(8).fill(6))), { ok: true });
  assert.equal(await settle(w.e, w.p.hostRead(2)), { ok: true, data: new Uint8Array(8).fill(6) }, 'written again: the host data');
  assert.equal(w.heard, ['restore-request'], 'reads send nothing');
});

test('a member write: its deltas numbered 1, 2, … without a journal; acknowledged after parity under parity-durable, after the disk alone under local-write', async () => {
  const deltas: number[] = [];
  let acking = false;
  const answer = (m: Message): Message | undefined => {
    if (m.type !== 'delta') return undefined;
    deltas.push(m.seq);
    return acking ? { type: 'delta-ack', block: m.block, epoch: m.epoch, seq: m.seq } : undefined;
  };
  const local = world({ ackPolicy: 'local-write' }, answer);
  assert.equal(await settle(local.e, local.p.hostWrite(0, new Uint8Array(8).fill(1))), { ok: true }, 'parity silent: acknowledged all the same');
  assert.equal(await settle(local.e, local.p.hostWrite(1, new Uint8Array(8).fill(2))), { ok: true });
  await local.e.run({ until: local.e.now + 1_000 }); // the second delta's flight
  assert.equal([...new Set(deltas)], [1, 2], 'numbered in order (resent copies aside)');
  deltas.length = 0;
  const durable = world({}, answer);
  const waiting = durable.p.hostWrite(2, new Uint8Array(8).fill(3));
  let done = false;
  void waiting.then(() => void (done = true));
  await durable.e.run({ until: 20_000 });
  assert.not.ok(done, 'parity-durable: not acknowledged before parity has the delta');
  acking = true;
  assert.equal(await settle(durable.e, waiting), { ok: true }, 'acknowledged once parity acknowledged its delta (resent)');
  assert.equal(deltas[0], 1);
});

test('a loss notice (repair-request, lost 1): the block is lost, its zeros on the disk and a read refused; a member write replaces it, its delta against those zeros, and the loss ends', async () => {
  const parity = oneMemberParity();
  const w = world({}, parity.answer);
  assert.equal(await settle(w.e, w.p.hostWrite(2, new Uint8Array(8).fill(5))), { ok: true });
  w.parity.send('p1', { type: 'repair-request', id: 900, block: 2, lost: 1 });
  await w.e.run();
  assert.is(w.e.crash, undefined);
  assert.equal(w.heard.filter((t) => t !== 'delta'), ['repair-done']);
  assert.equal(w.p.lostBlocks(), [2]);
  assert.equal(await w.contents(2), [0, 0, 0, 0, 0, 0, 0, 0], 'held as zeros, as Q counts it');
  assert.equal((await settle(w.e, w.p.hostRead(2))).ok, false, 'its zeros are not the host data');
  assert.equal(await settle(w.e, w.p.hostWrite(2, new Uint8Array(8).fill(6))), { ok: true }, 'a write replaces a lost block');
  const last = parity.deltas.at(-1)!;
  assert.is(last.replaces, 1, 'the delta tells parity the loss is over');
  assert.equal([...last.data], [6, 6, 6, 6, 6, 6, 6, 6], 'against the zeros the block holds, not its old data');
  assert.equal(w.p.lostBlocks(), [], 'no longer lost');
  assert.equal(await settle(w.e, w.p.hostRead(2)), { ok: true, data: new Uint8Array(8).fill(6) });
  // The notice again (parity did not hear the answer): answered, not enacted again.
  w.parity.send('p1', { type: 'repair-request', id: 900, block: 2, lost: 1 });
  await w.e.run();
  assert.equal(w.heard.filter((t) => t === 'repair-done').length, 2);
  assert.equal(w.p.lostBlocks(), [], 'a retransmitted notice loses nothing');
});

test('a scrub repair (repair-request, lost 0): the member rebuilds its bad copy from parity and answers; nothing is lost', async () => {
  const parity = oneMemberParity();
  const unreadable = new Set<number>();
  const w = world({}, parity.answer, { unreadable });
  assert.equal(await settle(w.e, w.p.hostWrite(1, new Uint8Array(8).fill(5))), { ok: true });
  unreadable.add(1);
  w.parity.send('p1', { type: 'repair-request', id: 901, block: 1, lost: 0 });
  await w.e.run();
  assert.is(w.e.crash, undefined);
  assert.equal(w.heard.filter((t) => t !== 'delta'), ['reconstruct-request', 'repair-done']);
  assert.equal(await w.contents(1), [5, 5, 5, 5, 5, 5, 5, 5], 'rewritten from Q');
  assert.equal(w.p.lostBlocks(), []);
  assert.ok(w.probes.includes('scrub-repaired-member'));
});

test('a loss notice that waited for the block while a host write stored it: the write replaced the loss, so the block is not lost', async () => {
  // Slow disk: the write holds block 3 for 2 ms; a host read queued behind it holds it 1 ms more, long
  // enough for the write's delta to be acknowledged before the notice gets the block.
  const parity = oneMemberParity();
  const w = world({}, parity.answer, { latencyUs: 1_000 });
  const write = w.p.hostWrite(3, new Uint8Array(8).fill(7));
  await w.e.run({ until: 10 });
  const read = w.p.hostRead(3);
  await w.e.run({ until: 20 });
  w.parity.send('p1', { type: 'repair-request', id: 902, block: 3, lost: 1 }); // sent before parity had the write's delta
  assert.equal(await settle(w.e, write), { ok: true });
  assert.equal(await settle(w.e, read), { ok: true, data: new Uint8Array(8).fill(7) });
  await w.e.run();
  assert.is(w.e.crash, undefined);
  assert.ok(w.heard.includes('repair-done'));
  assert.equal(w.p.lostBlocks(), [], 'the notice no longer stands');
  assert.equal(await settle(w.e, w.p.hostRead(3)), { ok: true, data: new Uint8Array(8).fill(7) });
});

test('a write that fails on the disk while a restore is under way: the block is still not restored, so a read of it is rebuilt from parity, not read from the disk', async () => {
  const parity = oneMemberParity();
  const faults: DiskFaults = {};
  const w = world({}, parity.answer, faults);
  w.p.restore();
  await w.e.run({ until: 10_000 }); // begun; parity sends no data, so it stays under way
  assert.equal(w.heard, ['restore-request']);
  faults.writes = true;
  assert.equal(await settle(w.e, w.p.hostWrite(2, new Uint8Array(8).fill(7))), { ok: true }, 'degraded: parity holds it');
  assert.equal([...parity.q[2]!], [7, 7, 7, 7, 7, 7, 7, 7]);
  faults.writes = false;
  assert.equal(await settle(w.e, w.p.hostRead(2)), { ok: true, data: new Uint8Array(8).fill(7) }, "parity's copy, not the disk's zeros");
  assert.equal(w.heard.filter((t) => t === 'reconstruct-request').length, 2, 'rebuilt for the write, and again for the read');
});

test("a parity message that fails the primary's checks is refused and not acted on; a stranger's is refused as not a member", async () => {
  const parity = oneMemberParity();
  const w = world({}, parity.answer);
  w.parity.send('p1', { type: 'copy-request', id: 903, block: BLOCKS });
  await w.e.run();
  assert.is(w.e.crash, undefined);
  assert.equal(w.heard, ['refused']);
  assert.equal(w.probes, ['peer-message-refused']);
  const stranger = w.endpoint('p2');
  const told: Message[] = [];
  stranger.listen((_from, m) => void told.push(m));
  stranger.send('p1', { type: 'copy-request', id: 904, block: 0 });
  stranger.send('p1', { type: 'delta-ack', block: 0, epoch: 1, seq: 1 }); // not a request: dropped, unanswered
  await w.e.run();
  assert.equal(told, [{ type: 'refused', id: 904, reason: REFUSAL['not-a-member'] }]);
  assert.equal(w.heard, ['refused'], 'parity hears nothing of it');
  assert.equal(w.probes, ['peer-message-refused', 'peer-message-refused', 'peer-message-refused']);
});

test('a read rebuilding its block from parity when a restore is refused (a rebuilt parity left the leaving array out): the block is lost, and the read says so, not the data it rebuilt', async () => {
  const parity = oneMemberParity();
  const unreadable = new Set([1]);
  const answer = (m: Message): Message | undefined =>
    m.type === 'restore-request' ? { type: 'refused', id: m.id, reason: REFUSAL['not-a-member'] } : m.type === 'leave-request' ? undefined : parity.answer(m);
  const w = world({}, answer, { unreadable, latencyUs: 1_000 });
  w.p.leave(); // parity never completes it: the array stays leaving
  const read = w.p.hostRead(1);
  // The read: 1 ms on the disk (a media error), the reconstruction's round trip, then 1 ms writing the block back.
  await w.e.run({ until: 1_500 });
  assert.equal(w.heard, ['leave-request', 'reconstruct-request']);
  w.p.restore(); // the array is replaced while the rebuilt block is being written back
  const answered = await settle(w.e, read);
  assert.equal(w.p.lostBlocks(), [0, 1, 2, 3], 'outside the group (leaving), refused: every block lost');
  assert.equal(answered.ok, false, 'lost: not the data it rebuilt a moment before');
});

test("a member write that replaces no lost block leaves the journal's header alone; one that replaces a lost block records the loss's end in it", async () => {
  let headers = 0;
  let position = 0;
  const journal: DurableLog = {
    append: async () => ++position,
    trim: async () => {},
    writeHeader: async () => void headers++,
    read: async () => ({ header: new Uint8Array(0), trimmedUpTo: 0, records: [] }),
  };
  const parity = oneMemberParity();
  const w = world({ journal }, parity.answer);
  await w.e.run({ until: 1_000 });
  const before = headers;
  assert.equal(await settle(w.e, w.p.hostWrite(0, new Uint8Array(8).fill(1))), { ok: true });
  assert.equal(await settle(w.e, w.p.hostWrite(1, new Uint8Array(8).fill(2))), { ok: true });
  assert.is(headers, before, 'no loss ended: no header written');
  w.parity.send('p1', { type: 'repair-request', id: 905, block: 3, lost: 1 });
  await w.e.run({ until: w.e.now + 5_000 });
  assert.equal(w.p.lostBlocks(), [3]);
  const lostRecorded = headers;
  assert.ok(lostRecorded > before, 'the loss recorded');
  assert.equal(await settle(w.e, w.p.hostWrite(3, new Uint8Array(8).fill(3))), { ok: true });
  assert.equal(w.p.lostBlocks(), []);
  assert.is(headers, lostRecorded + 1, 'its end recorded once');
});

test.run();
