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
  /** Writes fail (the device is gone). */
  writes?: boolean;
  /** Flushes fail. */
  flushes?: boolean;
}

function world(options: { member?: boolean; journal?: DurableLog; ackPolicy?: AckPolicy }, answer: (m: Message) => Message | undefined, faults: DiskFaults = {}) {
  const e = new Engine(3);
  const endpoint = engineNetwork(e);
  const ideal = new IdealDisk(e, { name: 'p1', blockCount: BLOCKS, blockBytes: 8, latencyUs: 100 });
  let flushes = 0;
  const disk: BlockDevice = {
    blockBytes: ideal.blockBytes,
    blockCount: ideal.blockCount,
    read: (block) => ideal.read(block),
    write: (block, data) => (faults.writes ? Promise.resolve({ ok: false, error: 'device-failed' }) : ideal.write(block, data)),
    flush: () => {
      flushes++;
      return faults.flushes ? Promise.resolve({ ok: false, error: 'device-failed' }) : ideal.flush();
    },
  };
  const p = new PrimaryController({ disk, transport: endpoint('p1'), clock: new SimClock(e, 'p1'), parity: 'parity', ...options });
  const parity = endpoint('parity');
  const heard: string[] = [];
  parity.listen((from, m) => {
    heard.push(m.type);
    const reply = answer(m);
    if (reply !== undefined) parity.send(from, reply);
  });
  p.start();
  return { e, p, heard, ideal, flushes: () => flushes };
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

test.run();
