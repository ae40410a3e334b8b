// The parity controller's dispatch and wiring (src/parity/parity-controller.ts): the real
// hardened controller on an ideal disk that keeps checksums and takes the faults a test sets,
// its members scripted (they answer what parity asks, and send what a test makes them send).
// Each message kind reaches its handler and is answered with the right fields; a message from
// outside the group, from a stranger or of a kind parity never takes is dropped or refused;
// the build, merge, loss and repair paths are wired to their parts; start() holds the group
// until the journal is replayed (after a crash: a new engine, Q and the journal carried over)
// and announces what the last life completed. The mutation judge runs these for
// parity-controller.ts mutants no run caught (UNIT_TESTS in scripts/mutation/stryker-plugin.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParityController } from '../src/parity/parity-controller.js';
import type { BlockDevice, ReadResult, WriteResult } from '../src/ports/block-device.js';
import type { DurableLog, LogRecord } from '../src/ports/durable-log.js';
import type { Transport } from '../src/ports/transport.js';
import type { ProbeName } from '../src/protocol/probe-names.js';
import type { Message } from '../src/protocol/messages.js';
import { type ParityJournalRecord, decodeParityRecord, encodeParityRecord } from '../src/protocol/parity-journal.js';
import { REFUSAL } from '../src/protocol/peer-checks.js';
import { xorInto } from '../src/protocol/xor.js';
import { IdealDisk } from '../sim/disk/ideal-disk.js';
import { Engine } from '../sim/engine/engine.js';
import { SimClock } from '../sim/world/sim-clock.js';
import { engineNetwork } from './helpers.js';

const BLOCKS = 4;
const BYTES = 8;

/** A member's data: block k of member number i holds bytes 16·i + k + 1. */
const dataOf = (i: number, k: number) => new Uint8Array(BYTES).fill(16 * i + k + 1);

interface Member {
  readonly name: string;
  readonly blocks: number;
  readonly joining?: boolean;
}

interface Options {
  members?: Member[];
  peers?: string[];
  journal?: DurableLog;
  /** The parity disk and engine of a previous life (a restart). */
  after?: Prior;
  /** A previous life that crashed: a new engine, its Q disk's contents and its members' data carried over. */
  crashed?: Prior;
  /** Blocks whose build copy a member cannot give (an empty block-copy), though it reads them fine later, as `name:block`. */
  noBuildCopy?: string[];
  /** The delta number a member's join copies say they reflect; 0 by default. */
  reflects?: Record<string, number>;
  /** Copies a member cannot read (status 2) the first time it is asked, as `name:block`. */
  unreadable?: string[];
  /** Members that answer their first copy request with a malformed reply (data of the wrong size). */
  malformedFirst?: string[];
  checkpointEvery?: number;
  /**
   * Blocks a member cannot read, as `name:block`: it gives no copy of them (an empty block-copy or join-copy,
   * a copy-reply of status 2) until parity tells it the block is lost (repair-request, lost 1); it then
   * holds zeros for it (copy-reply status 3).
   */
  noCopy?: string[];
  /** The epoch a member's join copies carry (a rebuilt parity array learns it so); 0 by default. */
  epochs?: Record<string, number>;
}

/**
 * Parity's disk: an ideal disk that keeps checksums (as the simulator's arrays do), with faults a test sets:
 * reads of a block that fail with a media error a number of times, a write that fails once, blocks lost with a
 * replaced drive (unreadable until written).
 */
class QDevice implements BlockDevice {
  readonly keepsChecksums = true;
  readonly sums = new Map<number, number | undefined>();
  /** block → reads still to fail. */
  readonly unreadable = new Map<number, number>();
  readonly failWrite = new Set<number>();
  readonly lost = new Set<number>();
  /** Flushes fail (a drive of the array failed). */
  failFlush = false;
  constructor(readonly ideal: IdealDisk) {}
  get blockBytes(): number {
    return this.ideal.blockBytes;
  }
  get blockCount(): number {
    return this.ideal.blockCount;
  }
  async read(block: number): Promise<ReadResult> {
    const left = this.unreadable.get(block) ?? 0;
    if (left > 0) this.unreadable.set(block, left - 1);
    if (left > 0 || this.lost.has(block)) return { ok: false, error: 'media-error' };
    const r = await this.ideal.read(block);
    return r.ok ? { ...r, checksum: this.sums.get(block) } : r;
  }
  async write(block: number, data: Uint8Array, checksum?: number): Promise<WriteResult> {
    if (this.failWrite.delete(block)) {
      this.lost.add(block); // its drive failed: unreadable until written again
      return { ok: false, error: 'device-failed' };
    }
    const r = await this.ideal.write(block, data);
    if (r.ok) {
      this.sums.set(block, checksum);
      this.lost.delete(block);
      this.unreadable.delete(block);
    }
    return r;
  }
  flush(): Promise<WriteResult> {
    if (this.failFlush) return Promise.resolve({ ok: false, error: 'device-failed' });
    return this.ideal.flush();
  }
  lostBlocks(): readonly number[] {
    return [...this.lost].sort((a, b) => a - b);
  }
}

type World = ReturnType<typeof world>;
/** What a later life takes of an earlier one. */
interface Prior {
  readonly e: Engine;
  readonly endpoint: (self: string) => Transport;
  readonly qDisk: IdealDisk;
  readonly qDev: QDevice;
  readonly data: Map<string, Uint8Array[]>;
}

/** An in-memory journal that outlives the controller. */
function memoryJournal(): DurableLog & { entries: LogRecord[] } {
  const entries: LogRecord[] = [];
  let next = 1;
  let trimmedUpTo = 0;
  let header = new Uint8Array(0);
  return {
    entries,
    append: async (data) => (entries.push({ position: next, data }), next++),
    trim: async (position) => {
      trimmedUpTo = Math.max(trimmedUpTo, position);
      entries.splice(0, entries.filter((e) => e.position <= position).length);
    },
    writeHeader: async (data) => void (header = data.slice()),
    read: async () => ({ header, trimmedUpTo, records: [...entries] }),
  };
}

function world(options: Options = {}) {
  const members = options.members ?? [
    { name: 'p1', blocks: BLOCKS },
    { name: 'p2', blocks: BLOCKS },
  ];
  const e = options.after?.e ?? new Engine(7);
  const endpoint = options.after?.endpoint ?? engineNetwork(e);
  const qDisk = options.after?.qDisk ?? new IdealDisk(e, { name: 'parity', blockCount: BLOCKS, blockBytes: BYTES, latencyUs: 100 });
  const qDev = options.after?.qDev ?? new QDevice(qDisk);
  if (options.crashed !== undefined) {
    for (let k = 0; k < BLOCKS; k++) if (options.crashed.qDisk.store.has(k)) qDisk.store.set(k, options.crashed.qDisk.store.get(k));
    for (const [k, sum] of options.crashed.qDev.sums) qDev.sums.set(k, sum);
  }
  const hits: ProbeName[] = [];
  const onHit: ((name: ProbeName) => void)[] = [];
  const probe = {
    hit: (name: ProbeName) => {
      hits.push(name);
      for (const f of onHit) f(name);
    },
    anomaly() {},
  };
  const p = new ParityController({
    disk: qDev,
    transport: endpoint('parity'),
    clock: new SimClock(e, 'parity'),
    members: members.map((m) => ({ name: m.name, blockCount: m.blocks, joining: m.joining ?? false })),
    probe,
    ...(options.peers !== undefined && { peers: options.peers }),
    ...(options.journal !== undefined && { journal: options.journal }),
    ...(options.checkpointEvery !== undefined && { checkpointEvery: options.checkpointEvery }),
  });
  const joined: string[] = [];
  const left: string[] = [];
  p.onJoined = (m) => void joined.push(m);
  p.onLeft = (m) => void left.push(m);
  // What each node heard from parity, and the scripted members' data.
  const heard = new Map<string, Message[]>();
  const data = new Map<string, Uint8Array[]>();
  const nodes = new Map<string, ReturnType<typeof endpoint>>();
  const unreadable = new Set(options.unreadable ?? []);
  const malformed = new Set(options.malformedFirst ?? []);
  const noCopy = new Set(options.noCopy ?? []);
  const heldLost = new Set<string>();
  const noBuildCopy = new Set(options.noBuildCopy ?? []);
  const copyOf = (name: string, mine: Uint8Array[], block: number) => (noCopy.has(`${name}:${block}`) ? new Uint8Array(0) : mine[block]!);
  /** Called as a member hears a message from parity (before it answers). */
  const onHeard: ((name: string, m: Message) => void)[] = [];
  const node = (name: string, index: number, blocks: number) => {
    const t = endpoint(name);
    nodes.set(name, t);
    const mine = options.crashed?.data.get(name)?.map((b) => b.slice()) ?? Array.from({ length: blocks }, (_, k) => dataOf(index, k));
    data.set(name, mine);
    const log: Message[] = [];
    heard.set(name, log);
    t.listen((_from, m) => {
      log.push(m);
      for (const f of onHeard) f(name, m);
      switch (m.type) {
        case 'build-request':
          for (let k = m.first; k < Math.min(blocks, m.first + m.count); k++) t.send('parity', { type: 'block-copy', block: k, data: noBuildCopy.has(`${name}:${k}`) ? new Uint8Array(0) : copyOf(name, mine, k) });
          return;
        case 'copy-request':
          if (malformed.delete(name)) return t.send('parity', { type: 'copy-reply', id: m.id, block: m.block, status: 0, data: new Uint8Array(BYTES - 1) });
          if (unreadable.delete(`${name}:${m.block}`) || noCopy.has(`${name}:${m.block}`)) return t.send('parity', { type: 'copy-reply', id: m.id, block: m.block, status: 2, data: new Uint8Array(0) });
          if (heldLost.has(`${name}:${m.block}`)) return t.send('parity', { type: 'copy-reply', id: m.id, block: m.block, status: 3, data: mine[m.block]! });
          return t.send('parity', { type: 'copy-reply', id: m.id, block: m.block, status: 0, data: mine[m.block]! });
        case 'join-copy-request':
          return t.send('parity', { type: 'join-copy', id: m.id, block: m.block, epoch: options.epochs?.[name] ?? 0, reflectsUpTo: options.reflects?.[name] ?? 0, data: copyOf(name, mine, m.block) });
        case 'join-complete':
          return t.send('parity', { type: 'join-ack', id: m.id });
        case 'restore-data':
          return t.send('parity', { type: 'restore-ack', id: m.id, block: m.block });
        case 'restore-complete':
          return t.send('parity', { type: 'restore-ack', id: m.id, block: 0 });
        case 'repair-request':
          if (m.lost === 1) {
            // It learns the loss: zeros from now on.
            mine[m.block] = new Uint8Array(BYTES);
            noCopy.delete(`${name}:${m.block}`);
            heldLost.add(`${name}:${m.block}`);
          }
          return t.send('parity', { type: 'repair-done', id: m.id, block: m.block });
        default:
          return;
      }
    });
  };
  members.forEach((m, i) => node(m.name, i + 1, m.blocks));
  /** Sends `m` to parity from `name` (a node made on demand: a peer outside the group, a stranger). */
  const send = (name: string, m: Message) => {
    if (!nodes.has(name)) node(name, 9, BLOCKS);
    nodes.get(name)!.send('parity', m);
  };
  const w = { e, endpoint, qDisk, qDev, p, unreadable, onHit, onHeard, hits, heard, data, joined, left, send, node, q: (k: number) => [...qDisk.store.get(k)] };
  return w;
}

/** XOR of these members' block k. */
function xorOf(w: World, names: string[], k: number): number[] {
  const x = new Uint8Array(BYTES);
  for (const n of names) {
    const d = w.data.get(n)![k];
    if (d !== undefined) xorInto(x, d);
  }
  return [...x];
}

const of = (w: World, name: string, type: Message['type']) => w.heard.get(name)!.filter((m) => m.type === type);
const plain = (m: Message) => JSON.parse(JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));

/** Runs the world until it is idle, and checks nothing crashed. */
async function idle(w: World): Promise<void> {
  await w.e.run();
  assert.is(w.e.crash, undefined);
}

/** A started world whose Q is built from its members. */
async function built(options: Options = {}): Promise<World> {
  const w = world(options);
  w.p.start();
  let done = false;
  void w.p.build().then(() => void (done = true));
  await idle(w);
  assert.ok(done, 'the build ended');
  return w;
}

test('build: Q[k] is the XOR of every member copy; busy while building, not after', async () => {
  const w = world({ members: [{ name: 'p1', blocks: BLOCKS }, { name: 'p2', blocks: BLOCKS }, { name: 'p3', blocks: 2 }] });
  w.p.start();
  assert.not.ok(w.p.busy(0), 'no journal, no join: nothing held at start');
  let done = false;
  void w.p.build().then(() => void (done = true));
  await w.e.run({ until: 60 });
  assert.ok(w.p.busy(0), 'building');
  await idle(w);
  assert.ok(done);
  for (let k = 0; k < BLOCKS; k++) assert.equal(w.q(k), xorOf(w, ['p1', 'p2', 'p3'], k), `Q[${k}]`);
  for (let k = 0; k < BLOCKS; k++) assert.not.ok(w.p.busy(k));
  assert.ok(of(w, 'p1', 'build-request').length > 0);
  assert.ok(w.p.contributes('p1', 0) && w.p.contributes('p3', 1));
  assert.not.ok(w.p.contributes('p9', 0), 'not a member');
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused'), []);
});

test('a delta: Q ^ d, acknowledged with its block, epoch and number; a duplicate under way dropped and counted', async () => {
  const w = await built();
  const d = new Uint8Array(BYTES).fill(0x40);
  const delta: Message = { type: 'delta', block: 2, epoch: 0, seq: 1, replaces: 0, data: d };
  w.send('p1', delta);
  w.send('p1', delta);
  await w.e.run({ until: w.e.now + 75 });
  assert.ok(w.p.busy(2), 'Q[2] locked while the delta is applied');
  assert.not.ok(w.p.busy(1));
  await idle(w);
  const expected = xorOf(w, ['p1', 'p2'], 2).map((b) => b ^ 0x40);
  assert.equal(w.q(2), expected);
  assert.equal(of(w, 'p1', 'delta-ack').map(plain), [{ type: 'delta-ack', block: 2, epoch: 0, seq: 1 }]);
  assert.is(w.p.duplicatesDropped, 1);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused'), []);
});

test('a delta from a known peer outside the group: dropped unanswered, not refused; from a stranger: refused (dropped); malformed: refused', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'] });
  const before = [0, 1, 2, 3].map((k) => w.q(k));
  const d = new Uint8Array(BYTES).fill(0x40);
  w.send('p3', { type: 'delta', block: 1, epoch: 0, seq: 1, replaces: 0, data: d });
  await idle(w);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused'), [], 'a known peer outside the group: silently dropped');
  w.send('x', { type: 'delta', block: 1, epoch: 0, seq: 1, replaces: 0, data: d });
  await idle(w);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused').length, 1, 'a stranger: refused');
  w.send('p1', { type: 'delta', block: 1, epoch: 0, seq: 1, replaces: 0, data: new Uint8Array(BYTES - 1) });
  await idle(w);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused').length, 2, 'a member, the wrong size: refused');
  w.send('p1', { type: 'delta', block: 1, epoch: 0, seq: 0, replaces: 0, data: d });
  await idle(w);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused').length, 3, 'a member, unnumbered (hardened numbers from 1): refused');
  assert.equal([0, 1, 2, 3].map((k) => w.q(k)), before, 'Q untouched');
  assert.equal(of(w, 'p3', 'delta-ack'), []);
  assert.equal(of(w, 'x', 'delta-ack'), []);
  assert.equal(of(w, 'x', 'refused'), [], 'a delta asks for no answer');
  assert.equal(of(w, 'p1', 'delta-ack'), []);
});

test('a block copy from a member outside a build, and a malformed one: nothing written', async () => {
  const w = await built();
  const before = [0, 1, 2, 3].map((k) => w.q(k));
  w.send('p1', { type: 'block-copy', block: 0, data: new Uint8Array(BYTES).fill(1) });
  w.send('p1', { type: 'block-copy', block: BLOCKS, data: new Uint8Array(BYTES).fill(1) });
  await idle(w);
  assert.equal([0, 1, 2, 3].map((k) => w.q(k)), before);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused').length, 1, 'the one beyond the array refused');
});

test('leave: a member is XORed out of Q, told leave-complete with its id, onLeft once; asked again, answered again', async () => {
  const w = await built();
  w.send('p2', { type: 'leave-request', id: 77 });
  await idle(w);
  assert.equal(of(w, 'p2', 'leave-complete').map(plain), [{ type: 'leave-complete', id: 77 }]);
  assert.equal(w.left, ['p2']);
  assert.ok(of(w, 'p2', 'copy-request').length >= BLOCKS, 'its copies fetched');
  for (let k = 0; k < BLOCKS; k++) assert.equal(w.q(k), xorOf(w, ['p1'], k), `Q[${k}] holds p1 alone`);
  assert.not.ok(w.p.contributes('p2', 0));
  // Gone already (our answer was lost): answered at once, nothing else done.
  const asked = of(w, 'p2', 'copy-request').length;
  w.send('p2', { type: 'leave-request', id: 78 });
  await idle(w);
  assert.equal(of(w, 'p2', 'leave-complete').map(plain), [{ type: 'leave-complete', id: 77 }, { type: 'leave-complete', id: 78 }]);
  assert.is(of(w, 'p2', 'copy-request').length, asked);
  assert.equal(w.left, ['p2']);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused'), []);
});

test('leave-request: from a known peer never in the group, answered; from a stranger, refused as unknown; without a peer list, anyone is known', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'] });
  w.send('p3', { type: 'leave-request', id: 5 });
  w.send('x', { type: 'leave-request', id: 6 });
  await idle(w);
  assert.equal(of(w, 'p3', 'leave-complete').map(plain), [{ type: 'leave-complete', id: 5 }]);
  assert.equal(of(w, 'x', 'leave-complete'), []);
  assert.equal(of(w, 'x', 'refused').map(plain), [{ type: 'refused', id: 6, reason: REFUSAL['unknown-peer'] }]);
  assert.equal(w.left, []);
  const open = await built();
  open.send('x', { type: 'leave-request', id: 6 });
  await idle(open);
  assert.equal(of(open, 'x', 'leave-complete').map(plain), [{ type: 'leave-complete', id: 6 }]);
  assert.equal(of(open, 'x', 'refused'), []);
});

test('join: a known peer is begun (join-begin with id and epoch), merged, completed, onJoined; a stranger or one too large is refused', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'] });
  w.send('x', { type: 'join-request', id: 3, blockCount: 2 });
  w.send('p3', { type: 'join-request', id: 4, blockCount: BLOCKS + 1 });
  await idle(w);
  assert.equal(of(w, 'x', 'refused').map(plain), [{ type: 'refused', id: 3, reason: REFUSAL['unknown-peer'] }]);
  assert.equal(of(w, 'p3', 'refused').map(plain), [{ type: 'refused', id: 4, reason: REFUSAL['bad-field'] }]);
  assert.equal(of(w, 'p3', 'join-begin'), []);
  w.send('p3', { type: 'join-request', id: 9, blockCount: 3 });
  await w.e.run({ until: w.e.now + 160 });
  assert.equal(of(w, 'p3', 'join-begin').map(plain), [{ type: 'join-begin', id: 9, epoch: 0 }]);
  assert.not.ok(w.p.contributes('p3', 0), 'not merged yet');
  await idle(w);
  assert.equal(w.joined, ['p3']);
  assert.equal(of(w, 'p3', 'join-complete').length, 1);
  for (let k = 0; k < BLOCKS; k++) assert.equal(w.q(k), xorOf(w, ['p1', 'p2', 'p3'].filter((n) => n !== 'p3' || k < 3), k), `Q[${k}]`);
  assert.ok(w.p.contributes('p3', 2));
  assert.not.ok(w.p.busy(0));
  assert.equal([...of(w, 'p1', 'copy-request'), ...of(w, 'p2', 'copy-request')], [], 'merged into Q as read: nothing recomputed');
  assert.not.ok(w.hits.includes('merge-absorbed'));
  // Now a member: its deltas are taken.
  w.send('p3', { type: 'delta', block: 0, epoch: 0, seq: 1, replaces: 0, data: new Uint8Array(BYTES).fill(2) });
  await idle(w);
  assert.equal(of(w, 'p3', 'delta-ack').map(plain), [{ type: 'delta-ack', block: 0, epoch: 0, seq: 1 }]);
});

test('join: busy while a block merges', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'] });
  w.send('p3', { type: 'join-request', id: 9, blockCount: 3 });
  let seen = false;
  for (let t = 0; t < 2000 && !seen; t += 10) {
    await w.e.run({ until: w.e.now + 10 });
    seen = w.p.busy(0) || w.p.busy(1) || w.p.busy(2);
  }
  assert.ok(seen, 'a merging block is busy');
  await idle(w);
  assert.equal(w.joined, ['p3']);
});

test('restore: a new journal gets a new epoch, a resume keeps it; every block sent back with its data; a non-member refused', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'] });
  w.send('p1', { type: 'restore-request', id: 11, epoch: 0, resume: 0 });
  await idle(w);
  const begins = of(w, 'p1', 'restore-begin').map(plain);
  assert.is(begins.length, 1);
  assert.equal({ ...begins[0], session: 0 }, { type: 'restore-begin', id: 11, epoch: 1, session: 0 });
  const sent = of(w, 'p1', 'restore-data') as Extract<Message, { type: 'restore-data' }>[];
  assert.equal(
    [...new Set(sent.map((m) => m.block))].sort(),
    [0, 1, 2, 3],
  );
  for (const m of sent) assert.equal([m.lost, ...m.data], [0, ...w.data.get('p1')![m.block]!], `block ${m.block} rebuilt`);
  assert.is(of(w, 'p1', 'restore-complete').length, 1);
  // A resume in the same epoch: the epoch stands.
  w.send('p1', { type: 'restore-request', id: 12, epoch: 1, resume: 1 });
  await idle(w);
  assert.equal(plain(of(w, 'p1', 'restore-begin')[1]!).epoch, 1);
  w.send('p3', { type: 'restore-request', id: 13, epoch: 0, resume: 0 });
  await idle(w);
  assert.equal(of(w, 'p3', 'refused').map(plain), [{ type: 'refused', id: 13, reason: REFUSAL['not-a-member'] }]);
  assert.equal(of(w, 'p3', 'restore-begin'), []);
});

test('reconstruct: the block rebuilt from Q and the other copies, answered with id and block; lost when no copy is left; a bad block or a non-member refused', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'], unreadable: ['p2:3', 'p1:3'] });
  w.send('p1', { type: 'reconstruct-request', id: 21, block: 2 });
  await idle(w);
  assert.equal(of(w, 'p1', 'reconstruct-reply').map(plain), [{ type: 'reconstruct-reply', id: 21, block: 2, lost: 0, data: [...w.data.get('p1')![2]!] }]);
  // Block 3: p2 cannot give its copy, nor p1 its own: lost for both.
  w.send('p1', { type: 'reconstruct-request', id: 22, block: 3 });
  await idle(w);
  assert.equal(plain(of(w, 'p1', 'reconstruct-reply')[1]!), { type: 'reconstruct-reply', id: 22, block: 3, lost: 1, data: [] });
  assert.ok(w.hits.includes('loss-declared'));
  w.send('p1', { type: 'reconstruct-request', id: 23, block: BLOCKS });
  w.send('p3', { type: 'reconstruct-request', id: 24, block: 0 });
  await idle(w);
  assert.equal(of(w, 'p1', 'refused').map(plain), [{ type: 'refused', id: 23, reason: REFUSAL['bad-block'] }]);
  assert.equal(of(w, 'p3', 'refused').map(plain), [{ type: 'refused', id: 24, reason: REFUSAL['not-a-member'] }]);
  assert.is(of(w, 'p1', 'reconstruct-reply').length, 2);
});

test('a message parity never takes: a request refused as unexpected, anything else dropped', async () => {
  const w = await built();
  w.send('p1', { type: 'copy-request', id: 31, block: 0 });
  w.send('p1', { type: 'build-request', first: 0, count: 1 });
  await idle(w);
  assert.equal(of(w, 'p1', 'refused').map(plain), [{ type: 'refused', id: 31, reason: REFUSAL.unexpected }]);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused').length, 2);
});

test('an answer failing its checks is dropped (refused), and the request asked again; one to no request is ignored', async () => {
  const w = await built({ malformedFirst: ['p2'] });
  w.send('p2', { type: 'copy-reply', id: 999, block: 0, status: 0, data: new Uint8Array(BYTES) });
  w.send('p2', { type: 'leave-request', id: 41 });
  await idle(w);
  assert.equal(w.hits.filter((h) => h === 'peer-message-refused').length, 1, 'the malformed copy refused');
  assert.equal(of(w, 'p2', 'leave-complete').map(plain), [{ type: 'leave-complete', id: 41 }]);
  for (let k = 0; k < BLOCKS; k++) assert.equal(w.q(k), xorOf(w, ['p1'], k), `Q[${k}]`);
  assert.equal(of(w, 'p2', 'refused'), [], 'an answer gets no refusal');
});

test('rebuild(): only for an array installed with every member joining', async () => {
  const w = world();
  assert.throws(() => w.p.rebuild(), /rebuilt without a member to merge/);
  const fresh = world({ members: [{ name: 'p1', blocks: BLOCKS, joining: true }, { name: 'p2', blocks: 2, joining: true }] });
  fresh.p.rebuild();
  assert.ok(world({ members: [] }).p.rebuild() === undefined);
  // A new parity array: start() merges every member.
  assert.not.ok(fresh.p.busy(0));
  fresh.p.start();
  assert.ok(fresh.p.busy(0), 'held while the joins start');
  await idle(fresh);
  assert.equal(fresh.joined.sort(), ['p1', 'p2']);
  for (let k = 0; k < BLOCKS; k++) assert.equal(fresh.q(k), xorOf(fresh, ['p1', 'p2'], k), `Q[${k}]`);
});

test('the constructor refuses duplicate members and a member larger than parity', () => {
  assert.throws(() => world({ members: [{ name: 'p1', blocks: 2 }, { name: 'p1', blocks: 2 }] }), /duplicate member names/);
  assert.throws(() => world({ members: [{ name: 'p1', blocks: BLOCKS + 1 }] }), /larger than parity/);
  world({ members: [{ name: 'p1', blocks: BLOCKS }] });
});

test('start() with a journal: held (busy) until it is replayed; a restart replays Q, the applied deltas and the group, and announces the completed join and leave', async () => {
  const journal = memoryJournal();
  const w = world({ journal, peers: ['p1', 'p2', 'p3', 'p4', 'p5'] });
  w.p.start();
  assert.ok(w.p.busy(0), 'held while the journal is replayed');
  let done = false;
  void w.p.build().then(() => void (done = true));
  await idle(w);
  assert.ok(done);
  assert.not.ok(w.p.busy(0));
  w.send('p1', { type: 'delta', block: 1, epoch: 0, seq: 1, replaces: 0, data: new Uint8Array(BYTES).fill(0x40) });
  w.send('p3', { type: 'join-request', id: 9, blockCount: 2 });
  w.send('p4', { type: 'join-request', id: 10, blockCount: 2 });
  w.send('p5', { type: 'join-request', id: 10, blockCount: 2 });
  await idle(w);
  w.send('p2', { type: 'leave-request', id: 11 });
  w.send('p4', { type: 'leave-request', id: 12 });
  w.send('p5', { type: 'leave-request', id: 12 });
  await idle(w);
  w.send('p4', { type: 'join-request', id: 13, blockCount: 2 }); // and back again
  await idle(w);
  assert.equal(w.joined.sort(), ['p3', 'p4', 'p4', 'p5']);
  assert.equal(w.left.sort(), ['p2', 'p4', 'p5']);
  const q = [0, 1, 2, 3].map((k) => w.q(k));
  // Q lost its contents (the writes were never flushed): the journal redoes them.
  for (let k = 0; k < BLOCKS; k++) w.qDisk.store.set(k, new Uint8Array(BYTES));
  const again = world({ journal, peers: ['p1', 'p2', 'p3', 'p4', 'p5'], after: w });
  again.p.start();
  assert.ok(again.p.busy(2));
  await idle(again);
  assert.equal([0, 1, 2, 3].map((k) => again.q(k)), q, 'Q as it was');
  assert.equal(again.joined, ['p3', 'p4', 'p4'], 'every completed join announced again whose member is still in (p4 is a member again; p5 left)');
  assert.equal(again.left.sort(), ['p2', 'p5'], 'every leave announced again whose member is still out (p4 came back)');
  assert.ok(again.p.contributes('p3', 1));
  assert.not.ok(again.p.contributes('p2', 1));
  // The delta is known applied: a retransmission is acknowledged, not applied again.
  again.send('p1', { type: 'delta', block: 1, epoch: 0, seq: 1, replaces: 0, data: new Uint8Array(BYTES).fill(0x40) });
  await idle(again);
  assert.equal([0, 1, 2, 3].map((k) => again.q(k)), q);
  assert.equal(of(again, 'p1', 'delta-ack').map(plain), [{ type: 'delta-ack', block: 1, epoch: 0, seq: 1 }]);
});

test('build: a Q write that fails is rebuilt from the members', async () => {
  const w = world();
  w.qDev.failWrite.add(1);
  w.p.start();
  void w.p.build();
  await idle(w);
  for (let k = 0; k < BLOCKS; k++) assert.equal(w.q(k), xorOf(w, ['p1', 'p2'], k), `Q[${k}]`);
  assert.ok(of(w, 'p1', 'copy-request').some((m) => (m as { block: number }).block === 1), 'Q[1] gathered again');
});

test('build: a member with no copy of a block: lost for it, declared (journaled) once however often it is built; reconstructed as lost', async () => {
  const journal = memoryJournal();
  const w = world({ noCopy: ['p2:1'], journal });
  w.p.start();
  // Built again at once: p2 has not learned of its loss yet, and gives no copy again.
  void w.p.build().then(() => w.p.build());
  await idle(w);
  assert.equal(w.hits.filter((h) => h === 'loss-declared').length, 1, 'already lost: not declared again');
  const kinds = () => journal.entries.map((r) => decodeParityRecord(r.data).kind);
  assert.equal(kinds().filter((k) => k === 'lost'), ['lost'], `journaled once: ${kinds().join(', ')}`);
  w.send('p2', { type: 'reconstruct-request', id: 51, block: 1 });
  await idle(w);
  assert.equal(of(w, 'p2', 'reconstruct-reply').map(plain), [{ type: 'reconstruct-reply', id: 51, block: 1, lost: 1, data: [] }]);
  assert.equal(w.q(1), xorOf(w, ['p1'], 1), 'Q[1] holds p1 and the zeros of p2');
});

test('join: Q[k] unreadable while merging: the merge absorbed, Q[k] recomputed from every member', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'] });
  w.qDev.unreadable.set(1, 1000);
  w.send('p3', { type: 'join-request', id: 9, blockCount: 3 });
  await w.e.run({ until: w.e.now + 3000 });
  w.qDev.unreadable.delete(1);
  await idle(w);
  assert.ok(w.hits.includes('merge-absorbed'));
  assert.equal(w.joined, ['p3']);
  for (let k = 0; k < BLOCKS; k++) assert.equal(w.q(k), xorOf(w, ['p1', 'p2', 'p3'].filter((n) => n !== 'p3' || k < 3), k), `Q[${k}]`);
  assert.ok(of(w, 'p3', 'copy-request').some((m) => (m as { block: number }).block === 1), 'its copy of block 1 gathered for the recomputation');
});

test('join: a block the joining member cannot give goes in as zeros: lost for it, and it is told (repair-request, lost)', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'], noCopy: ['p3:1'] });
  w.send('p3', { type: 'join-request', id: 9, blockCount: 3 });
  await idle(w);
  assert.equal(w.joined, ['p3']);
  const asked = of(w, 'p3', 'repair-request').map(plain);
  assert.ok(asked.length > 0 && asked.every((m) => m.block === 1 && m.lost === 1), JSON.stringify(asked));
  assert.equal(w.q(1), xorOf(w, ['p1', 'p2'], 1), 'Q[1] took zeros for p3');
  assert.not.ok(w.hits.includes('loss-declared'), 'a loss Q[1] still protects the others from: not stale, nothing declared');
  w.send('p3', { type: 'reconstruct-request', id: 61, block: 1 });
  w.send('p3', { type: 'reconstruct-request', id: 62, block: 2 });
  await idle(w);
  assert.equal(of(w, 'p3', 'reconstruct-reply').map(plain), [
    { type: 'reconstruct-reply', id: 61, block: 1, lost: 1, data: [] },
    { type: 'reconstruct-reply', id: 62, block: 2, lost: 0, data: [...w.data.get('p3')![2]!] },
  ]);
});

test("a rebuilt parity array learns each member's epoch from its join copies", async () => {
  const w = world({ members: [{ name: 'p1', blocks: BLOCKS, joining: true }, { name: 'p2', blocks: BLOCKS, joining: true }], epochs: { p1: 3 } });
  w.p.start();
  await idle(w);
  assert.equal(w.joined.sort(), ['p1', 'p2']);
  w.send('p1', { type: 'delta', block: 0, epoch: 3, seq: 1, replaces: 0, data: new Uint8Array(BYTES).fill(4) });
  await idle(w);
  assert.equal(of(w, 'p1', 'delta-ack').map(plain), [{ type: 'delta-ack', block: 0, epoch: 3, seq: 1 }]);
  assert.equal(w.q(0), xorOf(w, ['p1', 'p2'], 0).map((b) => b ^ 4));
});

test('a Q block whose data no longer matches its checksum is not used: the asker gets its own copy', async () => {
  const w = await built();
  w.qDisk.store.set(2, new Uint8Array(BYTES).fill(0x55)); // silently corrupted
  w.send('p1', { type: 'reconstruct-request', id: 71, block: 2 });
  await idle(w);
  assert.equal(of(w, 'p1', 'reconstruct-reply').map(plain), [{ type: 'reconstruct-reply', id: 71, block: 2, lost: 0, data: [...w.data.get('p1')![2]!] }]);
  assert.ok(w.hits.includes('checksum-mismatch-on-read'));
});

test("a replaced drive's blocks are rebuilt from the members: by rebuildLostBlocks(), and by start()", async () => {
  const w = await built();
  w.qDev.lost.add(1);
  w.qDev.lost.add(3);
  w.p.rebuildLostBlocks();
  await idle(w);
  assert.equal(w.qDev.lostBlocks(), []);
  for (let k = 0; k < BLOCKS; k++) assert.equal(w.q(k), xorOf(w, ['p1', 'p2'], k), `Q[${k}]`);
  w.qDev.lost.add(2);
  const again = world({ after: w });
  again.p.start();
  await idle(again);
  assert.equal(w.qDev.lostBlocks(), []);
  assert.equal(again.q(2), xorOf(w, ['p1', 'p2'], 2));
});

test('a delta absorbed (Q[k] unreadable) is owed: until Q[k] is recomputed, a reconstruct of k does not use it', async () => {
  const w = await built();
  w.qDev.unreadable.set(2, 2);
  const d = new Uint8Array(BYTES).fill(0x30);
  xorInto(w.data.get('p1')![2]!, d); // the member's copy holds the write
  w.send('p1', { type: 'delta', block: 2, epoch: 0, seq: 1, replaces: 0, data: d });
  w.send('p1', { type: 'reconstruct-request', id: 81, block: 2 });
  await idle(w);
  assert.equal(of(w, 'p1', 'reconstruct-reply').map(plain), [{ type: 'reconstruct-reply', id: 81, block: 2, lost: 0, data: [...w.data.get('p1')![2]!] }]);
  assert.equal(w.q(2), xorOf(w, ['p1', 'p2'], 2));
});

test('startScrub: the background scrub finds a damaged Q block and rebuilds it; finishScrub ends it', async () => {
  const w = await built();
  w.qDisk.store.set(2, new Uint8Array(BYTES).fill(0x55)); // silently corrupted
  w.p.startScrub(1000);
  await w.e.run({ until: w.e.now + 50_000 });
  assert.is(w.e.crash, undefined);
  assert.equal(w.q(2), xorOf(w, ['p1', 'p2'], 2), 'rebuilt by the scrub');
  let finished = false;
  void w.p.finishScrub().then(() => void (finished = true));
  await idle(w);
  assert.ok(finished);
});

test('a loss already declared is declared again as stale when Q[k] turns out damaged too', async () => {
  const w = world({ noCopy: ['p2:1'] });
  w.onHit.push((name) => {
    if (name === 'loss-declared' && w.hits.filter((h) => h === 'loss-declared').length === 1) w.qDev.unreadable.set(1, 1000);
  });
  w.p.start();
  void w.p.build();
  await idle(w);
  assert.equal(w.hits.filter((h) => h === 'loss-declared').length, 2, 'lost, then lost with a stale stripe');
  assert.equal(w.q(1), xorOf(w, ['p1', 'p2'], 1), 'Q[1] recomputed with the zeros p2 holds now');
});

/** Runs a world with a journal until `until` holds, then drops it (a crash). */
async function crashWhen(w: World, until: () => boolean): Promise<void> {
  await w.e.run({ stopWhen: until });
  assert.is(w.e.crash, undefined);
  assert.ok(until(), 'the crash point was reached');
}

const kinds = (journal: { entries: LogRecord[] }) => journal.entries.map((r) => decodeParityRecord(r.data));

test('after a crash: a loss whose stripe was not re-protected yet is re-protected (its member told)', async () => {
  const journal = memoryJournal();
  const w = world({ noCopy: ['p2:1'], journal });
  w.p.start();
  void w.p.build();
  await crashWhen(w, () => kinds(journal).some((r) => r.kind === 'lost'));
  assert.equal(of(w, 'p2', 'repair-request'), [], 'not told before the crash');
  const again = world({ noCopy: ['p2:1'], journal, crashed: w });
  again.p.start();
  await idle(again);
  assert.ok(of(again, 'p2', 'repair-request').some((m) => plain(m).block === 1 && plain(m).lost === 1));
  assert.equal(again.q(1), xorOf(again, ['p1', 'p2'], 1), 'Q[1] protects the stripe: p2 holds zeros');
});

test('after a crash: a delta absorbed while Q[k] was unreadable is recomputed from the members', async () => {
  const journal = memoryJournal();
  const w = await built({ journal });
  w.qDev.unreadable.set(2, 1000);
  const d = new Uint8Array(BYTES).fill(0x30);
  xorInto(w.data.get('p1')![2]!, d);
  w.send('p1', { type: 'delta', block: 2, epoch: 0, seq: 1, replaces: 0, data: d });
  await crashWhen(w, () => kinds(journal).some((r) => r.kind === 'apply'));
  const stale = w.q(2);
  assert.not.equal(stale, xorOf(w, ['p1', 'p2'], 2), 'Q[2] lacks the delta');
  const again = world({ journal, crashed: w });
  again.p.start();
  await idle(again);
  assert.equal(again.q(2), xorOf(again, ['p1', 'p2'], 2), 'recomputed');
});

test("after a crash: a loss a repair found ended (its member's copy read fine) stays ended", async () => {
  const journal = memoryJournal();
  const w = await built({ noBuildCopy: ['p2:1'], journal });
  const records = kinds(journal);
  assert.ok(records.some((r) => r.kind === 'write' && (r.found ?? []).includes('p2')), JSON.stringify(records.map((r) => r.kind)));
  const again = world({ journal, crashed: w });
  again.p.start();
  await idle(again);
  again.send('p2', { type: 'reconstruct-request', id: 91, block: 1 });
  await idle(again);
  assert.equal(of(again, 'p2', 'reconstruct-reply').map(plain), [{ type: 'reconstruct-reply', id: 91, block: 1, lost: 0, data: [...again.data.get('p2')![1]!] }]);
});

test('after a crash: a joining member whose block was lost gives its copy at the merge: the loss ends', async () => {
  const journal = memoryJournal();
  const w = await built({ journal });
  const append = (r: ParityJournalRecord) => journal.append(encodeParityRecord(r));
  await append({ kind: 'member', name: 'p3', blockCount: 3, state: 'joining' });
  await append({ kind: 'lost', member: 'p3', block: 2, stale: 0 });
  const again = world({ journal, crashed: w, members: [{ name: 'p1', blocks: BLOCKS }, { name: 'p2', blocks: BLOCKS }], peers: ['p1', 'p2', 'p3'] });
  again.node('p3', 3, 3);
  again.p.start();
  await idle(again);
  assert.equal(again.joined, ['p3']);
  again.send('p3', { type: 'reconstruct-request', id: 92, block: 2 });
  await idle(again);
  assert.equal(of(again, 'p3', 'reconstruct-reply').map(plain), [{ type: 'reconstruct-reply', id: 92, block: 2, lost: 0, data: [...again.data.get('p3')![2]!] }]);
});

test("a join copy of an epoch older than the member's reflects none of its deltas (merged as reflecting 0)", async () => {
  const journal = memoryJournal();
  await journal.append(encodeParityRecord({ kind: 'epoch', member: 'p1', epoch: 2, request: 1 }));
  const w = world({ journal, members: [{ name: 'p1', blocks: BLOCKS, joining: true }, { name: 'p2', blocks: BLOCKS, joining: true }], reflects: { p1: 5, p2: 5 } });
  w.p.start();
  await idle(w);
  assert.equal(w.joined.sort(), ['p1', 'p2']);
  const merges = kinds(journal).filter((r) => r.kind === 'merge') as Extract<ParityJournalRecord, { kind: 'merge' }>[];
  assert.equal(merges.filter((r) => r.member === 'p1').map((r) => r.upTo), [0, 0, 0, 0], 'p1: its copies are of epoch 0, it is in 2');
  assert.equal(merges.filter((r) => r.member === 'p2').map((r) => r.upTo), [5, 5, 5, 5], 'p2: as its copies say');
});

test('a joining member with no copy of a block: the others are still rebuilt from Q[k] while it is told (the stripe is not stale)', async () => {
  const w = await built({ peers: ['p1', 'p2', 'p3'], noCopy: ['p3:1'] });
  let asked = false;
  w.onHeard.push((name, m) => {
    // The re-protection of Q[1] gathers the copies: p1's degraded read of block 1 comes meanwhile, its own copy unreadable.
    if (asked || name !== 'p1' || m.type !== 'copy-request' || m.block !== 1) return;
    asked = true;
    w.e.after(1, w.e.trace.kind('test'), () => {
      w.unreadable.add('p1:1');
      w.send('p1', { type: 'reconstruct-request', id: 95, block: 1 });
    });
  });
  w.send('p3', { type: 'join-request', id: 9, blockCount: 3 });
  await idle(w);
  assert.ok(asked);
  assert.equal(of(w, 'p1', 'reconstruct-reply').map(plain), [{ type: 'reconstruct-reply', id: 95, block: 1, lost: 0, data: [...w.data.get('p1')![1]!] }]);
  assert.not.ok(w.hits.includes('loss-declared'));
});

test('after a crash: a checkpoint the replayed records make due is taken at once', async () => {
  const journal = memoryJournal();
  const w = await built({ journal, checkpointEvery: 3 });
  for (let seq = 1; seq <= 3; seq++) w.send('p1', { type: 'delta', block: seq, epoch: 0, seq, replaces: 0, data: new Uint8Array(BYTES).fill(seq) });
  await crashWhen(w, () => journal.entries.length >= 3);
  assert.equal(kinds(journal).map((r) => r.kind), ['apply', 'apply', 'apply'], 'no checkpoint before the crash');
  const again = world({ journal, crashed: w, checkpointEvery: 3 });
  again.p.start();
  await idle(again);
  assert.equal(kinds(journal).map((r) => r.kind), ['checkpoint'], 'checkpointed and trimmed after the replay');
});

test("rebuildLostBlocks(): a checkpoint a failed flush left untrimmed is taken again", async () => {
  const journal = memoryJournal();
  const w = await built({ journal, checkpointEvery: 2 });
  w.qDev.failFlush = true;
  for (let seq = 1; seq <= 2; seq++) w.send('p1', { type: 'delta', block: seq, epoch: 0, seq, replaces: 0, data: new Uint8Array(BYTES).fill(seq) });
  await idle(w);
  assert.ok(w.hits.includes('parity-checkpoint-untrimmed'));
  assert.ok(kinds(journal).some((r) => r.kind === 'apply'), 'not trimmed');
  w.qDev.failFlush = false;
  w.p.rebuildLostBlocks();
  await idle(w);
  assert.equal(kinds(journal).filter((r) => r.kind !== 'checkpoint'), [], 'trimmed now');
});

test.run();
