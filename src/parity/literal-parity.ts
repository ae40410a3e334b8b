// The parity array of the `literal` protocol: claims 1–15 as written, and
// nothing they do not say (docs/PROTOCOL.md). It shares the hardened
// parity's ports, peer checks and wire format, and none of its protections:
// no journal (a crash forgets every join and leave since installation), no
// locks (read-modify-writes of one Q[k] interleave), no retransmission (each
// request is sent once), no scrub, no loss bookkeeping.
//
// build (claims 1, 6, 11): ask every member for a window of blocks, XOR the
// copies that arrive per block number, store Q[k] (literal-build.ts).
// update (claims 2, 7, 12): a delta (k, d) becomes Q[k] ^ d, as it arrives.
// join (claims 3, 8, 13): XOR the new member's copy of each block into Q[k];
// its deltas are applied as they come from the start (claims 4, 9, 14) — a
// write that lands in both the copy and a delta counts twice.
// restore (claims 5, 10, 15): R = Q[k] ^ XOR(every other member's block k),
// gathered once per block, sent once; then restore-complete.
// leave is not in the claims: each block's copy is XORed out of Q as it comes;
// a Q[k] it cannot read is recomputed from the members first.
import type { GroupMember, ParityRole } from '../controller-api.js';
import type { BlockDevice } from '../ports/block-device.js';
import { type Buggify, NO_BUGGIFY, halted } from '../ports/buggify.js';
import type { Clock } from '../ports/clock.js';
import { NO_PROBE, type Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { type RefusalReason, checkAtParity, isAnswer, refusalFor } from '../protocol/peer-checks.js';
import { DEFAULT_RETRANSMIT, type RetransmitOptions, retransmitDelay } from '../protocol/retransmit.js';
import { Rpc, isRefused } from '../protocol/rpc.js';
import { xorInto } from '../protocol/xor.js';
import { assert } from '../util/assert.js';
import { BlockLocks } from '../util/block-locks.js';
import { VerifiedDisk } from '../util/verified-disk.js';
import { requestCopy } from './copy-request.js';
import { LiteralBuild } from './literal-build.js';
import type { Member } from './member.js';

export interface LiteralParityDeps {
  readonly disk: BlockDevice;
  readonly transport: Transport;
  readonly clock: Clock;
  /** The group this array was installed for (literal merges nobody at start: a new parity array builds). */
  readonly members: readonly GroupMember[];
  /** Blocks gathered per build round (bounds memory: window × blockBytes). */
  readonly buildWindow?: number;
  /** Only the pauses between attempts of what is asked again (a refused join copy, a leave's unreadable Q): literal resends nothing. */
  readonly retransmit?: RetransmitOptions;
  readonly probe?: Probe;
  readonly buggify?: Buggify;
  /** This start's boot number: request ids never repeat across boots. Default 0. */
  readonly boot?: number;
  /** Every primary of the installation: only these may ask to join. Default: anyone. */
  readonly peers?: readonly NodeId[];
}

/** A member being merged: the blocks in Q so far, and those being merged now. */
interface Joining {
  readonly merged: Set<number>;
  readonly merging: Set<number>;
}

const CONCURRENCY = 8;

export class LiteralParity implements ParityRole {
  readonly name: NodeId;
  readonly #disk: VerifiedDisk;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #probe: Probe;
  readonly #buggify: Buggify;
  readonly #retransmit: RetransmitOptions;
  readonly #peers: ReadonlySet<NodeId> | undefined;
  readonly #rpc: Rpc;
  /** Not exclusive (the claims serialise nothing), but they count who is inside: busy(). */
  readonly #locks = new BlockLocks(false);
  readonly #build: LiteralBuild;
  readonly #members: Map<NodeId, Member>;
  /** Members being merged (join), and those being taken out (leave): the blocks out of Q so far. */
  readonly #joining = new Map<NodeId, Joining>();
  readonly #leaving = new Map<NodeId, Set<number>>();
  /** Per member: the epoch its first join copy carried (literal never starts a new one). */
  readonly #epochs = new Map<NodeId, number>();
  /** Joins under way: each resolves once the member is in Q whole. */
  readonly #joins = new Map<NodeId, Promise<void>>();
  readonly #departing = new Map<NodeId, Promise<void>>();
  /** Per member: the restore session running (a newer one supersedes it). */
  readonly #sessions = new Map<NodeId, number>();
  /** Per member: the last restore request answered, so a duplicate of it gets the same answer. */
  readonly #lastBegin = new Map<NodeId, { id: number; epoch: number; session: number }>();
  #nextSession = 1;
  /** Q blocks being recomputed from the members (a leave found them unreadable). */
  readonly #repairing = new Set<number>();
  onLeft: ((member: NodeId) => void) | undefined;
  onJoined: ((member: NodeId) => void) | undefined;

  constructor(deps: LiteralParityDeps) {
    this.name = deps.transport.self;
    this.#probe = deps.probe ?? NO_PROBE;
    this.#buggify = deps.buggify ?? NO_BUGGIFY;
    this.#disk = new VerifiedDisk(deps.disk, this.#probe, false);
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#retransmit = deps.retransmit ?? DEFAULT_RETRANSMIT;
    this.#peers = deps.peers === undefined ? undefined : new Set(deps.peers);
    this.#rpc = new Rpc(deps.transport, deps.clock, undefined, deps.boot); // each request sent once
    this.#members = new Map(deps.members.map((m) => [m.name, { name: m.name, blockCount: m.blockCount }]));
    this.#build = new LiteralBuild({ disk: this.#disk, net: deps.transport, locks: this.#locks, members: () => this.#members.values(), window: deps.buildWindow ?? 64 });
    assert(this.#members.size === deps.members.length, `${this.name}: duplicate member names`);
    for (const m of deps.members) {
      assert(!m.joining, `${this.name}: literal merges no member at start (a new parity array builds)`);
      assert(m.blockCount <= this.#disk.blockCount, `${this.name}: member ${m.name} (${m.blockCount} blocks) larger than parity (${this.#disk.blockCount})`);
    }
  }

  // unasserted: one call (no journal to replay).
  start(): void {
    this.#net.listen((from, message) => this.#onMessage(from, message));
  }

  /** Computes every Q[k] from the members' copies (claim 1). */
  build(): Promise<void> {
    return this.#build.build();
  }

  /** A new, empty parity array: build (claim 1), then every member counts as in Q. */
  // unasserted: two steps in order (build() asserts its windows).
  rebuild(): void {
    this.#clock.spawn('rebuild', async () => {
      await this.build();
      for (const m of this.#members.values()) this.onJoined?.(m.name);
    });
  }

  busy(block: number): boolean {
    for (const j of this.#joining.values()) if (j.merging.has(block)) return true;
    return this.#repairing.has(block) || this.#build.building(block) || this.#locks.busy(block);
  }

  contributes(member: NodeId, block: number): boolean {
    if (!this.#members.has(member)) return false;
    const joining = this.#joining.get(member);
    return (joining === undefined || joining.merged.has(block)) && !(this.#leaving.get(member)?.has(block) ?? false);
  }

  async #onMessage(from: NodeId, message: Message): Promise<void> {
    // A peer's message is input: checked whole before anything acts on it (src/protocol/peer-checks.ts).
    if (isAnswer(message) || message.type === 'join-request') {
      const refusal = checkAtParity(message, this.#view(from));
      if (refusal !== undefined) return this.#refuse(from, message, refusal);
      if (message.type === 'join-request') return this.#rpc.serve(from, message.id, () => this.#beginJoin(from, message.id, message.blockCount));
      if ('id' in message) this.#rpc.answer(from, message.id, message);
      return;
    }
    const outside = this.#knownPeer(from) && !this.#members.has(from);
    if (message.type === 'leave-request' && outside) {
      this.#net.send(from, { type: 'leave-complete', id: message.id }); // gone already: our answer was lost
      return;
    }
    if (message.type === 'delta' && outside) return; // not (or no longer) counted in Q
    const refusal = checkAtParity(message, this.#view(from));
    if (refusal !== undefined) return this.#refuse(from, message, refusal);
    assert(this.#knownPeer(from), `${this.name}: acting on a message from ${from}, a stranger`);
    switch (message.type) {
      case 'block-copy':
        return this.#build.take(message.block, message.data);
      case 'delta':
        return this.#applyDelta(message.block, message.data);
      case 'leave-request':
        return this.#rpc.serve(from, message.id, () => this.#leave(from, message.id));
      case 'restore-request':
        return this.#beginRestore(from, message.id);
      case 'reconstruct-request':
        return this.#rpc.serve(from, message.id, () => this.#answerReconstruct(from, message.id, message.block));
      default:
        return this.#refuse(from, message, 'unexpected'); // acks, repairs: not in the claims
    }
  }

  #view(from: NodeId) {
    const disk = this.#disk;
    return { blockCount: disk.blockCount, blockBytes: disk.blockBytes, senderBlocks: this.#members.get(from)?.blockCount, knownPeer: this.#knownPeer(from), hardened: false };
  }

  #knownPeer(node: NodeId): boolean {
    return this.#peers === undefined || this.#peers.has(node) || this.#members.has(node);
  }

  #refuse(from: NodeId, message: Message, reason: RefusalReason): void {
    this.#probe.hit('peer-message-refused');
    const refused = refusalFor(message, reason);
    if (refused !== undefined) this.#net.send(from, refused);
  }

  /** Update (claim 2): Q[block] ^= delta; a Q[block] that cannot be read takes nothing (parity silently stale). */
  #applyDelta(block: number, delta: Uint8Array): Promise<void> {
    assert(block >= 0 && block < this.#disk.blockCount, `${this.name}: delta for block ${block} beyond the array`);
    return this.#locks.with(block, async () => {
      const q = await this.#disk.read(block);
      if (!q.ok) return;
      await this.#disk.write(block, xorInto(q.data, delta)); // a write that fails is not retried: the claims say nothing
      if (this.#buggify.crashes('parity-crash-after-apply-write')) return halted();
    });
  }

  /** Join (claim 3): add the member, merge every block of it into Q, then count it. */
  // unasserted: bookkeeping of a request (the merge asserts its blocks).
  async #beginJoin(member: NodeId, id: number, blockCount: number): Promise<void> {
    if (!this.#members.has(member)) {
      const m = { name: member, blockCount };
      this.#members.set(member, m);
      this.#startJoin(m);
    }
    this.#net.send(member, { type: 'join-begin', id, epoch: this.#epochs.get(member) ?? 0 });
  }

  #startJoin(m: Member): void {
    assert(!this.#joins.has(m.name) && !this.#joining.has(m.name), `${this.name}: join of ${m.name} started twice`);
    const j: Joining = { merged: new Set(), merging: new Set() };
    this.#joining.set(m.name, j);
    let joined: () => void = () => {};
    this.#joins.set(m.name, new Promise((resolve) => (joined = resolve)));
    this.#clock.spawn(`join ${m.name}`, async () => {
      await this.#workers(m.blockCount, (block) => this.#merge(m.name, j, block));
      this.#clock.spawn(`joined ${m.name}`, async () => {
        this.#joining.delete(m.name);
        this.#joins.delete(m.name);
        joined();
        this.onJoined?.(m.name);
      });
    });
  }

  /** XORs the member's copy of `block` into Q[block]; a copy it could not read is not sent, and the merge waits for ever. */
  async #merge(member: NodeId, j: Joining, block: number): Promise<void> {
    assert(!j.merged.has(block) && !j.merging.has(block), `${member}: block ${block} merged twice`);
    j.merging.add(block);
    let copy = await this.#rpc.call(member, 'join-copy', (id) => ({ type: 'join-copy-request', id, block }));
    // Refused (the member's view of its size differs): ask again later, never invent a copy.
    for (let attempt = 1; isRefused(copy); attempt++) {
      this.#probe.hit('request-refused');
      await this.#clock.sleep(retransmitDelay(this.#retransmit, attempt));
      copy = await this.#rpc.call(member, 'join-copy', (id) => ({ type: 'join-copy-request', id, block }));
    }
    if (!this.#epochs.has(member)) this.#epochs.set(member, copy.epoch);
    const wait = this.#buggify.delay('join-before-merge');
    if (wait > 0) await this.#clock.sleep(wait);
    const q = await this.#disk.read(block);
    if (q.ok) {
      if (copy.data.length > 0) xorInto(q.data, copy.data);
      await this.#disk.write(block, q.data);
    }
    if (this.#buggify.crashes('parity-crash-after-merge')) return halted();
    j.merged.add(block);
    j.merging.delete(block);
  }

  /** A member is decommissioned: XOR it out of Q (once however often it asks), then forget it. */
  async #leave(member: NodeId, id: number): Promise<void> {
    const m = this.#members.get(member);
    if (m !== undefined) {
      let departed = this.#departing.get(member);
      if (departed === undefined) {
        departed = (async () => {
          const joining = this.#joins.get(member); // a member still joining leaves once it has joined
          if (joining !== undefined) {
            this.#probe.hit('leave-waited-for-join');
            await joining;
          }
          const removed = this.#leaving.get(member) ?? new Set<number>();
          this.#leaving.set(member, removed);
          await this.#workers(m.blockCount, (block) => this.#unmerge(member, block, removed));
          assert(removed.size === m.blockCount, `${member}: ${removed.size} of ${m.blockCount} blocks taken out of Q`);
          this.#members.delete(member);
          this.#leaving.delete(member);
          this.#epochs.delete(member);
          this.#departing.delete(member);
          this.onLeft?.(member);
        })();
        this.#departing.set(member, departed);
      }
      await departed;
    }
    this.#net.send(member, { type: 'leave-complete', id });
  }

  /** XORs `member`'s copy of `block` out of Q[block]; an unreadable Q[block] is recomputed first, then tried again. */
  async #unmerge(member: NodeId, block: number, removed: Set<number>): Promise<void> {
    assert(!removed.has(block), `${member}: block ${block} taken out of Q twice`);
    for (let attempt = 1; ; attempt++) {
      const copy = await requestCopy(this.#rpc, member, block);
      const wait = this.#buggify.delay('leave-before-unmerge');
      if (wait > 0) await this.#clock.sleep(wait);
      const q = await this.#disk.read(block);
      if (q.ok) {
        if (copy.data.length === q.data.length) xorInto(q.data, copy.data); // no copy: Q keeps it (the claims say nothing)
        const stored = await this.#disk.write(block, q.data);
        removed.add(block);
        if (!stored.ok) this.#repair(block); // recomputed from the members that remain
        return;
      }
      this.#repair(block);
      await this.#clock.sleep(retransmitDelay(this.#retransmit, attempt));
    }
  }

  /** Recomputes Q[block] from every member's copy, in the background (once, however often asked), until one stores. */
  #repair(block: number): void {
    assert(block >= 0 && block < this.#disk.blockCount, `repair of Q[${block}] beyond the array`);
    if (this.#repairing.has(block)) return;
    this.#repairing.add(block);
    this.#clock.spawn(`repair Q[${block}]`, async () => {
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.#locks.with(block, () => this.#recompute(block));
        if (outcome !== 'retry') break;
        await this.#clock.sleep(retransmitDelay(this.#retransmit, attempt));
      }
      this.#repairing.delete(block);
    });
  }

  async #recompute(block: number): Promise<'done' | 'retry' | 'impossible'> {
    assert(this.#locks.busy(block) && this.#repairing.has(block), `Q[${block}] recomputed outside its repair`);
    if ((await this.#disk.read(block)).ok) return 'done'; // readable again
    const wait = this.#buggify.delay('repair-before-gather');
    if (wait > 0) await this.#clock.sleep(wait);
    const members = [...this.#members.values()].filter((m) => m.blockCount > block && this.contributes(m.name, block));
    const copies = await Promise.all(members.map((m) => requestCopy(this.#rpc, m.name, block)));
    if (copies.some((c) => c.status === 1)) return 'retry';
    if (copies.some((c) => c.status === 2)) return 'impossible';
    const q = new Uint8Array(this.#disk.blockBytes);
    for (const c of copies) xorInto(q, c.data);
    if (!(await this.#disk.write(block, q)).ok) return 'impossible';
    this.#probe.hit('parity-block-rebuilt', block);
    return 'done';
  }

  /** Restore (claim 5): every block of the member rebuilt and sent, once each, then restore-complete. */
  #beginRestore(member: NodeId, id: number): void {
    const last = this.#lastBegin.get(member);
    if (last !== undefined && last.id === id) return void this.#net.send(member, { type: 'restore-begin', ...last }); // a duplicate
    const m = this.#members.get(member);
    assert(m !== undefined, `${this.name}: restore of ${member}, not a member`);
    const session = this.#nextSession++;
    this.#sessions.set(member, session);
    this.#clock.spawn(`restore ${member}`, () => this.#restore(m, session));
    const begin = { id, epoch: this.#epochs.get(member) ?? 0, session };
    this.#lastBegin.set(member, begin);
    this.#net.send(member, { type: 'restore-begin', ...begin });
  }

  async #restore(member: Member, session: number): Promise<void> {
    const current = () => this.#sessions.get(member.name) === session;
    assert((this.#sessions.get(member.name) ?? session) >= session, `restore session ${session} of ${member.name} older than the one running`);
    await this.#workers(member.blockCount, async (block) => {
      const rebuilt = await this.#reconstruct(member.name, block);
      const wait = this.#buggify.delay('restore-before-send');
      if (wait > 0) await this.#clock.sleep(wait);
      if (current()) this.#net.send(member.name, { type: 'restore-data', id: 0, session, block, lost: rebuilt === undefined ? 1 : 0, data: rebuilt ?? new Uint8Array(0) });
    }, current);
    if (!current()) return;
    this.#net.send(member.name, { type: 'restore-complete', id: 0, session });
    this.#sessions.delete(member.name);
  }

  async #answerReconstruct(member: NodeId, id: number, block: number): Promise<void> {
    const rebuilt = await this.#reconstruct(member, block);
    this.#net.send(member, { type: 'reconstruct-reply', id, block, lost: rebuilt === undefined ? 1 : 0, data: rebuilt ?? new Uint8Array(0) });
  }

  /** R = Q[block] ^ XOR(every other member's copy of block), from whatever arrives; undefined if Q cannot be read. */
  async #reconstruct(forMember: NodeId, block: number): Promise<Uint8Array | undefined> {
    const q = await this.#disk.read(block);
    if (!q.ok) return undefined;
    const others = [...this.#members.values()].filter((m) => m.name !== forMember && m.blockCount > block && this.contributes(m.name, block));
    const copies = await Promise.all(others.map((m) => requestCopy(this.#rpc, m.name, block)));
    for (const copy of copies) if (copy.status !== 2 && copy.data.length === q.data.length) xorInto(q.data, copy.data); // no copy: the result is simply wrong
    assert(q.data.length === this.#disk.blockBytes, `block ${block} rebuilt as ${q.data.length} bytes`);
    return q.data;
  }

  /** Runs `work` on blocks 0…count-1 in order, CONCURRENCY at a time (while `going`). */
  // unasserted: a loop handing out block numbers.
  async #workers(count: number, work: (block: number) => Promise<void>, going: () => boolean = () => true): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (going() && next < count) await work(next++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }
}
