// The primary of the `literal` protocol: claims 1–15 exactly as written, and
// nothing they do not say (docs/PROTOCOL.md). It shares the hardened
// primary's ports, peer checks and restore bookkeeping, and none of its
// protections:
//
// update (claims 2, 7, 12): on a host write of w to block k, read the old
// contents, compute d = w ^ old, store w, send (k, d) to the parity array —
// once, unnumbered; the host is acknowledged after the local write. Writes of
// one block are not serialised, and nothing is journaled (a crash between the
// store and the send is the write hole).
// build (claims 1, 6, 11): on request, send copies (k, P[k]) of a range of
// blocks; a block it cannot read is not sent (the claims say nothing).
// restore (claims 5, 10, 15): after losing its data, ask parity for it and
// store the blocks parity sends back as they come, while host I/O carries on
// against the local disk; answer parity's copy requests when another array is
// being restored (and when it joins or one leaves).
//
// Reads return whatever the disk says, errors included: no checksums are
// checked, nothing is rebuilt, no loss is known.
import type { PrimaryConfig, PrimaryRole } from '../controller-api.js';
import type { BlockDevice } from '../ports/block-device.js';
import { type Buggify, NO_BUGGIFY, halted } from '../ports/buggify.js';
import type { Clock } from '../ports/clock.js';
import { NO_PROBE, type Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { type RefusalReason, checkAtPrimary, refusalFor } from '../protocol/peer-checks.js';
import { Rpc, isRefused } from '../protocol/rpc.js';
import { xor } from '../protocol/xor.js';
import { assert } from '../util/assert.js';
import { BlockLocks } from '../util/block-locks.js';
import { VerifiedDisk } from '../util/verified-disk.js';
import type { HostReadResult, HostWriteResult } from './host-io.js';
import { RestoreState } from './restore-state.js';

export interface LiteralPrimaryDeps {
  readonly disk: BlockDevice;
  readonly transport: Transport;
  readonly clock: Clock;
  /** Where deltas and build copies go. */
  readonly parity: NodeId;
  /** false: not yet in the parity group (writes send no delta) until join(). Default true. */
  readonly member?: PrimaryConfig['member'];
  readonly probe?: Probe;
  readonly buggify?: Buggify;
  /** This start's boot number: request ids never repeat across boots. Default 0. */
  readonly boot?: number;
}

export class LiteralPrimary implements PrimaryRole {
  readonly name: NodeId;
  readonly #disk: VerifiedDisk;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #parity: NodeId;
  /** Not exclusive (the claims serialise nothing), but they count who is inside: busy(). */
  readonly #locks = new BlockLocks(false);
  readonly #probe: Probe;
  readonly #buggify: Buggify;
  readonly #rpc: Rpc;
  readonly #restore = new RestoreState();
  #epoch = 0;
  /** The number of the last write (a join copy reflects every write up to it). */
  #lastWrite = 0;
  #member: boolean;
  /** Called once parity has taken us out of the group. */
  onLeft: (() => void) | undefined;
  /** Called when parity reports that every block was sent. */
  onRestored: (() => void) | undefined;

  constructor(deps: LiteralPrimaryDeps) {
    this.#probe = deps.probe ?? NO_PROBE;
    this.#buggify = deps.buggify ?? NO_BUGGIFY;
    this.#disk = new VerifiedDisk(deps.disk, this.#probe, false);
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#parity = deps.parity;
    this.#member = deps.member ?? true;
    this.name = deps.transport.self;
    this.#rpc = new Rpc(deps.transport, deps.clock, undefined, deps.boot); // each request sent once
    assert(this.#disk.blockCount > 0, `${this.name}: array has no blocks`);
  }

  get blockCount(): number {
    return this.#disk.blockCount;
  }

  get restoring(): boolean {
    return this.#restore.active;
  }

  get member(): boolean {
    return this.#member;
  }

  start(): void {
    this.#net.listen((from, message) => this.#onMessage(from, message));
  }

  /** This array lost its data: ask parity for it (claim 5); host I/O goes on against whatever the disk holds. */
  restore(): void {
    this.#restore.begin();
    assert(this.#restore.active && this.#restore.valid.size === 0, `${this.name}: a restore begun with blocks already back`);
    this.#clock.spawn('restore request', async () => {
      const begin = await this.#rpc.call(this.#parity, 'restore-begin', (id) => ({ type: 'restore-request', id, epoch: this.#epoch, resume: 0 }));
      if (isRefused(begin)) return void this.#probe.hit('request-refused');
      this.#epoch = begin.epoch;
    });
  }

  /** Join the parity group (claim 3): a member from now on; parity merges our blocks. */
  join(): void {
    assert(!this.#member, `${this.name}: already a member`);
    this.#member = true;
    const blockCount = this.#disk.blockCount;
    this.#clock.spawn('join', async () => {
      const answer = await this.#rpc.call(this.#parity, 'join-begin', (id) => ({ type: 'join-request', id, blockCount }));
      if (isRefused(answer)) {
        this.#probe.hit('request-refused');
        this.#member = false;
      }
    });
  }

  /** Leave the group: parity XORs our blocks out of Q. */
  leave(): void {
    assert(this.#member, `${this.name}: not a member`);
    this.#clock.spawn('leave', async () => {
      const answer = await this.#rpc.call(this.#parity, 'leave-complete', (id) => ({ type: 'leave-request', id }));
      if (isRefused(answer)) return void this.#probe.hit('request-refused');
      this.#member = false;
      this.onLeft?.();
    });
  }

  busy(block: number): boolean {
    return this.#locks.busy(block) || (this.#restore.active && !this.#restore.valid.has(block));
  }

  async hostWrite(block: number, data: Uint8Array): Promise<HostWriteResult> {
    if (!this.#validBlock(block) || data.length !== this.#disk.blockBytes) return { ok: false, error: 'bad-request' };
    const w = data.slice(); // the host may reuse its buffer
    return this.#locks.with(block, async () => {
      if (!this.#member) return this.#written(block, await this.#disk.write(block, w)); // outside the group: no delta
      const old = await this.#disk.read(block);
      if (!old.ok) return old;
      assert(old.data.length === w.length, `${this.name}: block ${block} read ${old.data.length} bytes`);
      const delta = xor(w, old.data);
      this.#lastWrite++;
      const written = this.#written(block, await this.#disk.write(block, w));
      if (this.#buggify.crashes('primary-crash-after-data-write')) return halted(); // the write hole
      if (!written.ok) return written;
      this.#net.send(this.#parity, { type: 'delta', block, epoch: 0, seq: 0, replaces: 0, data: delta });
      return { ok: true } as const;
    });
  }

  async hostRead(block: number): Promise<HostReadResult> {
    if (!this.#validBlock(block)) return { ok: false, error: 'bad-request' };
    return this.#locks.with(block, () => this.#disk.read(block));
  }

  /** After a host write of `block` landed: newer than anything a restore could still send. */
  #written<R extends { readonly ok: boolean }>(block: number, result: R): R {
    if (result.ok) this.#restore.written(block);
    return result;
  }

  #onMessage(from: NodeId, message: Message): void | Promise<void> {
    // A peer's message is input: checked whole before anything acts on it (src/protocol/peer-checks.ts).
    const refusal = from !== this.#parity ? 'not-a-member' : checkAtPrimary(message, { blockCount: this.#disk.blockCount, blockBytes: this.#disk.blockBytes });
    if (refusal !== undefined) return this.#refuse(from, message, refusal);
    assert(from === this.#parity, `${this.name}: acting on a message from ${from}, not our parity array`);
    switch (message.type) {
      case 'build-request':
        return this.#sendBuild(message.first, message.count);
      case 'copy-request':
        return this.#rpc.serve(from, message.id, () => this.#answerCopy(message.id, message.block));
      case 'join-copy-request':
        return this.#rpc.serve(from, message.id, () => this.#answerJoin(message.id, message.block));
      case 'join-complete':
        this.#net.send(this.#parity, { type: 'join-ack', id: message.id });
        return;
      case 'restore-data':
        return this.#takeRestored(message.block, message.lost === 1, message.data);
      case 'restore-complete':
        return this.#completeRestore();
      case 'restore-begin':
      case 'join-begin':
      case 'leave-complete':
      case 'refused':
        this.#rpc.answer(from, message.id, message);
        return;
      default:
        return this.#refuse(from, message, 'unexpected'); // acks, repairs, reconstructions: not in the claims
    }
  }

  #refuse(from: NodeId, message: Message, reason: RefusalReason): void {
    this.#probe.hit('peer-message-refused');
    const refused = refusalFor(message, reason);
    if (refused !== undefined) this.#net.send(from, refused);
  }

  /** Build (claim 1): (k, P[k]) for every block of ours in [first, first+count) that reads. */
  async #sendBuild(first: number, count: number): Promise<void> {
    const end = Math.min(first + count, this.#disk.blockCount);
    for (let block = first; block < end; block++) {
      const read = await this.#locks.with(block, () => this.#disk.read(block));
      assert(!read.ok || read.data.length === this.#disk.blockBytes, `${this.name}: block ${block} read ${read.ok ? read.data.length : 0} bytes`);
      if (read.ok) this.#net.send(this.#parity, { type: 'block-copy', block, data: read.data });
    }
  }

  /** Another array's restore, or a leave: our copy of `block` (status 2, none, if we have not got one). */
  async #answerCopy(id: number, block: number): Promise<void> {
    assert(this.#validBlock(block), `${this.name}: copy of block ${block} beyond the array`);
    const none = { status: 2, data: new Uint8Array(0) };
    if (!this.#restore.usable(block)) return void this.#net.send(this.#parity, { type: 'copy-reply', id, block, ...none }); // not restored yet: no copy, at once
    const read = await this.#locks.with(block, async () => (this.#restore.usable(block) ? this.#disk.read(block) : undefined));
    const wait = this.#buggify.delay('copy-reply-delay');
    if (wait > 0) await this.#clock.sleep(wait);
    const copy = read?.ok === true ? { status: 0, data: read.data } : none;
    this.#net.send(this.#parity, { type: 'copy-reply', id, block, ...copy });
  }

  /** Join (claim 3): our copy of `block`, and the writes it reflects; nothing if it cannot be read. */
  async #answerJoin(id: number, block: number): Promise<void> {
    const copy = await this.#locks.with(block, async () => ({ read: await this.#disk.read(block), upTo: this.#lastWrite }));
    assert(copy.upTo <= this.#lastWrite, `${this.name}: join copy of block ${block} ahead of our writes`);
    if (!copy.read.ok) return;
    const wait = this.#buggify.delay('join-copy-reply-delay');
    if (wait > 0) await this.#clock.sleep(wait);
    this.#net.send(this.#parity, { type: 'join-copy', id, block, epoch: this.#epoch, reflectsUpTo: copy.upTo, data: copy.read.data });
  }

  /** A block parity rebuilt for us (claim 5): stored as it comes (even over a block the host wrote since); a lost one stays as the new array has it. */
  async #takeRestored(block: number, lost: boolean, data: Uint8Array): Promise<void> {
    const wait = this.#buggify.delay('restore-data-before-store');
    if (wait > 0) await this.#clock.sleep(wait);
    await this.#locks.with(block, async () => {
      if (!this.#restore.active || lost) return;
      assert(this.#validBlock(block), `${this.name}: restored block ${block} beyond the array`);
      const stored = await this.#disk.write(block, data);
      if (stored.ok) this.#restore.written(block);
    });
  }

  #completeRestore(): void {
    if (!this.#restore.active) return;
    this.#restore.complete();
    this.onRestored?.();
  }

  #validBlock(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.#disk.blockCount;
  }
}
