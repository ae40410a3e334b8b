// The controller of a primary array: serves its own host, and keeps the parity
// array informed.
//
// update (claims 2, 7, 12): on a host write of w to block k, read the old
// contents, compute d = w ^ old, store w, send (k, d) to the parity array.
// build (claims 1, 6, 11): on request, send copies (k, P[k]) of a range of blocks.
// restore (claims 5, 10, 15): after losing its data, ask parity for it and
// store the blocks parity sends back; answer parity's copy requests when
// another array is being restored.
//
// literal does exactly that: each delta sent once, the host acknowledged after
// the local write, restored blocks stored as they come while host I/O carries
// on against the local disk. hardened adds (docs/PROTOCOL.md): per-block
// serialisation; an intent journal (redo + resend after a crash: no write
// hole); retransmission until parity acknowledges; the ack policy; during a
// restore, reads of blocks not yet back are rebuilt by parity (degraded read),
// a write to such a block first rebuilds it, restored data never overwrites a
// block written since, and blocks parity cannot rebuild are reported lost. Its
// own unreadable blocks (a latent sector error, a lost drive) are repaired the
// same way: rebuilt by parity, rewritten locally, then served.
import type { BlockDevice } from '../ports/block-device.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { DurableLog } from '../ports/durable-log.js';
import { NO_PROBE, type Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { AckPolicy } from '../protocol/ack-policy.js';
import { decodeHeader, decodeJournalRecord, encodeHeader, encodeJournalRecord } from '../protocol/journal-record.js';
import type { Message } from '../protocol/messages.js';
import { NO_BUGS, type PlantedBugs } from '../protocol/planted-bugs.js';
import type { ProbeName } from '../protocol/probe-names.js';
import { DEFAULT_RETRANSMIT, type RetransmitOptions, retransmitDelay } from '../protocol/retransmit.js';
import { Rpc } from '../protocol/rpc.js';
import { SeqSet } from '../protocol/seq-set.js';
import type { ProtocolVariant } from '../protocol/variant.js';
import { xor } from '../protocol/xor.js';
import { assert } from '../util/assert.js';
import { BlockLocks } from '../util/block-locks.js';
import { RecoveryGate } from '../util/recovery-gate.js';
import { type VerifiedRead, VerifiedDisk } from '../util/verified-disk.js';
import type { HostReadResult, HostWriteResult } from './host-io.js';
import { RestoreState } from './restore-state.js';

export interface PrimaryDeps {
  readonly disk: BlockDevice;
  readonly transport: Transport;
  readonly clock: Clock;
  /** `literal` leaves concurrent read-modify-writes of one block unserialised, as the claims do. */
  readonly variant: ProtocolVariant;
  /** Where deltas and build copies go. */
  readonly parity: NodeId;
  /** hardened only; literal always acknowledges after the local write. */
  readonly ackPolicy?: AckPolicy;
  readonly retransmit?: RetransmitOptions;
  /** hardened: the write-intent journal (without one, a crash can leave parity stale). */
  readonly journal?: DurableLog;
  /** false: not yet in the parity group (writes send no delta) until join(). Default true. */
  readonly member?: boolean;
  /** Deliberate mutations for the checker's self-test; empty in every normal run. */
  readonly bugs?: PlantedBugs;
  /** Code probes: marks situations reached (no effect on behaviour). */
  readonly probe?: Probe;
}

/** A delta sent and not yet acknowledged by parity. */
interface PendingDelta {
  readonly block: number;
  readonly data: Uint8Array;
  attempts: number;
  timer: Timer | undefined;
  /** Resolves the host write waiting on this delta (parity-durable policy). */
  readonly acked: () => void;
}

type Reconstructed = { readonly lost: false; readonly data: Uint8Array } | { readonly lost: true };

const DATA_LOST = { ok: false, error: 'data-lost' } as const;
/** A join or build copy request for a block we cannot read: "no copy" (parity counts it as zeros). */
const NO_COPY = new Uint8Array(0);
/** Lost blocks rebuilt from parity at once (bounds the load a replaced drive adds). */
const REBUILD_CONCURRENCY = 8;

export class PrimaryController {
  readonly name: NodeId;
  readonly #disk: VerifiedDisk;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #parity: NodeId;
  readonly #hardened: boolean;
  readonly #ackPolicy: AckPolicy;
  readonly #retransmit: RetransmitOptions;
  readonly #locks: BlockLocks;
  readonly #bugs: PlantedBugs;
  readonly #probe: Probe;
  readonly #journal: DurableLog | undefined;
  readonly #rpc: Rpc;
  readonly #restore = new RestoreState();
  readonly #acked = new SeqSet();
  #trimmed = 0;
  #epoch = 0;
  /** The restore session parity is running for us (its restore-data only). */
  #session = -1;
  /** Journal recovery (and a restore's handshake): host I/O waits for it. */
  readonly #gate = new RecoveryGate();
  readonly #pending = new Map<number, PendingDelta>();
  /** Unacknowledged deltas per block (hardened), so busy() covers them. */
  readonly #pendingPerBlock = new Map<number, number>();
  #nextSeq = 1;
  /** The highest delta number assigned so far (a join copy reflects every delta up to it). */
  #highestSeq = 0;
  #member: boolean;
  #leaving = false;
  /** Called once parity has taken us out of the group. */
  onLeft: (() => void) | undefined;
  /** Deltas sent again after a timeout, for the run summary and probes. */
  retransmissions = 0;
  /** Host reads answered by parity's reconstruction while restoring. */
  degradedReads = 0;
  /** Called when parity reports that every block was sent (the restore is complete). */
  onRestored: (() => void) | undefined;
  /** Called each time a block is reported lost (it could not be rebuilt). */
  onBlockLost: ((block: number) => void) | undefined;
  /** Blocks being rebuilt by parity right now: their copy requests are answered at once (see #answerCopy). */
  readonly #repairing = new Set<number>();
  /** Per block: copy requests waiting for its lock, to be answered at once if a rebuild of it starts. */
  readonly #onRepair = new Map<number, Set<() => void>>();
  /** Per block: callers waiting until every delta for it is acknowledged. */
  readonly #whenSettled = new Map<number, (() => void)[]>();

  constructor(deps: PrimaryDeps) {
    this.#hardened = deps.variant === 'hardened';
    this.#probe = deps.probe ?? NO_PROBE;
    this.#disk = new VerifiedDisk(deps.disk, this.#probe, this.#hardened);
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#parity = deps.parity;
    this.#ackPolicy = deps.ackPolicy ?? 'parity-durable';
    this.#retransmit = deps.retransmit ?? DEFAULT_RETRANSMIT;
    this.#journal = this.#hardened ? deps.journal : undefined;
    this.#locks = new BlockLocks(this.#hardened);
    this.#bugs = deps.bugs ?? NO_BUGS;
    this.#member = deps.member ?? true;
    this.name = deps.transport.self;
    this.#rpc = Rpc.forVariant(deps.transport, deps.clock, this.#hardened, this.#retransmit);
    assert(this.#disk.blockCount > 0, `${this.name}: array has no blocks`);
  }

  get blockCount(): number {
    return this.#disk.blockCount;
  }

  get restoring(): boolean {
    return this.#restore.active;
  }

  /** Blocks this array holds no valid copy of and could not get back. */
  get lostBlocks(): ReadonlySet<number> {
    return this.#restore.lost;
  }

  /** Starts taking messages, after recovering from the journal if there is one. */
  start(): void {
    this.#net.listen((from, message) => this.#onMessage(from, message));
    const journal = this.#journal;
    if (journal !== undefined) this.#gate.hold(this.#clock, 'journal recovery', () => this.#recover(journal));
    this.rebuildLostBlocks(); // a drive replaced while we were down
  }

  /**
   * hardened: rebuild, from parity, every block the array reports lost (a
   * replaced drive's), while host I/O goes on: each under its block lock, as
   * a read that finds it unreadable would. literal leaves them unreadable
   * until the host happens to rewrite them (the claims say nothing).
   */
  rebuildLostBlocks(): void {
    const lost = this.#hardened ? (this.#disk.lostBlocks?.() ?? []) : [];
    if (lost.length === 0) return;
    this.#clock.spawn('rebuild lost blocks', async () => {
      await this.#gate.ready;
      let next = 0;
      const worker = async () => {
        while (next < lost.length) {
          const block = lost[next++]!;
          await this.#locks.with(block, () => this.#currentContents(block, false, 'lost-block-rebuilt'));
        }
      };
      await Promise.all(Array.from({ length: REBUILD_CONCURRENCY }, worker));
    });
  }

  /**
   * This array lost its data (it is a new, empty array in its place): get it
   * back from parity (claim 5). Host I/O goes on meanwhile (hardened: served
   * safely; literal: against whatever the local disk holds).
   */
  restore(): void {
    this.#restore.begin();
    const handshake = async () => {
      const epoch = this.#epoch;
      const begin = await this.#rpc.call<Extract<Message, { type: 'restore-begin' }>>(this.#parity, (id) => ({ type: 'restore-request', id, epoch, resume: 0 }));
      // Durable before any delta of the new epoch leaves: a crash resumes this restore.
      if (this.#journal !== undefined) await this.#journal.writeHeader(encodeHeader({ epoch: begin.epoch, restoring: 1 }));
      this.#epoch = begin.epoch;
      this.#session = begin.session;
    };
    // hardened: no delta leaves, no host I/O is served, before the new epoch is known.
    if (this.#hardened) this.#gate.hold(this.#clock, 'restore handshake', handshake);
    else this.#clock.spawn('restore request', handshake);
  }

  /**
   * Join the parity group (claim 3): parity merges our blocks into Q. We count
   * as a member from this moment: every write from now on sends its delta, and
   * every earlier one is in the copies parity takes (under the block lock).
   */
  join(): void {
    assert(!this.#member, `${this.name}: already a member`);
    this.#member = true;
    const blockCount = this.#disk.blockCount;
    this.#clock.spawn('join', async () => {
      await this.#rpc.call(this.#parity, (id) => ({ type: 'join-request', id, blockCount }));
    });
  }

  get member(): boolean {
    return this.#member;
  }

  /**
   * Leave the parity group (the array is being decommissioned): refuse host
   * writes from now on (reads go on), let pending deltas drain, and ask parity
   * to XOR our blocks out of Q.
   */
  leave(): void {
    assert(this.#member, `${this.name}: not a member`);
    this.#leaving = true;
    this.#clock.spawn('leave', async () => {
      await this.#rpc.call(this.#parity, (id) => ({ type: 'leave-request', id }));
      this.#member = false;
      this.onLeft?.();
    });
  }

  /** True while any work on `block` is unfinished here (I/O, an unacknowledged delta, recovery, a block not yet restored). */
  busy(block: number): boolean {
    return this.#gate.busy || this.#locks.busy(block) || this.#pendingPerBlock.has(block) || (this.#restore.active && !this.#restore.valid.has(block));
  }

  async hostWrite(block: number, data: Uint8Array): Promise<HostWriteResult> {
    if (!this.#validBlock(block) || data.length !== this.#disk.blockBytes) return { ok: false, error: 'bad-request' };
    if (this.#leaving && this.#hardened) return { ok: false, error: 'decommissioned' };
    const w = data.slice(); // the host may reuse its buffer
    await this.#gate.ready;
    let parityDurable: Promise<void> | undefined;
    /** Our disk could not store it: parity holds the only copy, so the host waits for parity's ack whatever the policy. */
    let degraded = false;
    const stored = await this.#locks.with(block, async () => {
      const old = await this.#currentContents(block, true);
      if (!old.ok) return old;
      assert(old.data.length === w.length, `${this.name}: block ${block} read ${old.data.length} bytes`);
      const delta = this.#bugs.has('primary-sends-data-not-delta') ? w.slice() : xor(w, old.data);
      if (!this.#member) return this.#written(block, await this.#disk.write(block, w)); // not protected yet: no delta
      // Intent first: a crash after this point is redone from the journal.
      const seq = this.#journal === undefined ? this.#nextSeq++ : await this.#journal.append(encodeJournalRecord({ kind: 'intent', block, data: w, delta }));
      this.#highestSeq = Math.max(this.#highestSeq, seq);
      const written = this.#written(block, await this.#disk.write(block, w));
      // hardened: a block our disk cannot store (a lost drive) lives in parity
      // alone until the drive is replaced and the block rebuilt (a degraded write).
      if (!written.ok && !this.#hardened) return written;
      degraded = !written.ok;
      if (degraded) this.#probe.hit('degraded-write');
      if (this.#bugs.has('primary-skips-delta')) return written;
      if (this.#hardened) parityDurable = this.#sendReliably(block, delta, seq);
      else this.#net.send(this.#parity, { type: 'delta', block, epoch: 0, seq: 0, data: delta });
      return { ok: true } as const;
    });
    if (!stored.ok) return stored;
    if (parityDurable !== undefined && (this.#ackPolicy === 'parity-durable' || degraded)) await parityDurable;
    return { ok: true };
  }

  async hostRead(block: number): Promise<HostReadResult> {
    if (!this.#validBlock(block)) return { ok: false, error: 'bad-request' };
    await this.#gate.ready;
    return this.#locks.with(block, async () => {
      const contents = await this.#currentContents(block);
      // Lost while we asked parity (a join found it unreadable): its zeros are not the host's data.
      return contents.ok && this.#restore.lost.has(block) ? DATA_LOST : contents;
    });
  }

  /** After a host write of `block` landed: it is newer than anything a restore could still send, and no longer lost. */
  #written<R extends { readonly ok: boolean }>(block: number, result: R): R {
    if (!result.ok) return result;
    this.#restore.valid.add(block);
    if (this.#restore.zeroed.delete(block)) this.#restore.lost.delete(block);
    return result;
  }

  /**
   * The block's contents as the host should see them; call holding the block lock.
   * hardened: a block not yet restored, or one the disk cannot read (a latent
   * sector error, a lost drive), is rebuilt by parity and stored; literal
   * returns whatever the disk says, errors included (the claims say nothing).
   */
  async #currentContents(block: number, forWrite = false, repaired: ProbeName = 'media-error-repaired'): Promise<VerifiedRead | typeof DATA_LOST> {
    if (!this.#hardened) return this.#disk.read(block);
    // A zeroed block may be overwritten: parity and our disk both count it as zeros.
    if (this.#restore.lost.has(block) && !(forWrite && this.#restore.zeroed.has(block))) return DATA_LOST;
    if (!this.#restore.usable(block)) {
      this.degradedReads++;
      return this.#rebuild(block, 'degraded-read-served');
    }
    // planted: host I/O reads the media unchecked, so corrupt data is served.
    const local = await (this.#bugs.has('no-checksum-verify') ? this.#disk.readUnchecked(block) : this.#disk.read(block));
    if (local.ok || local.error === 'out-of-range') return local;
    return this.#rebuild(block, repaired);
  }

  /** Has parity rebuild `block` (call holding its lock), store it, and return it; or report it lost. */
  async #rebuild(block: number, probe: ProbeName): Promise<VerifiedRead | typeof DATA_LOST> {
    this.#repairing.add(block);
    for (const answer of this.#onRepair.get(block) ?? []) answer();
    try {
      // Q[block] must include every delta of ours first, or the rebuilt copy is older than our last write.
      await this.#deltasSettled(block);
      const rebuilt = await this.#reconstruct(block);
      if (this.#restore.zeroed.has(block)) return this.#zeroFill(block); // found unprotected meanwhile (a join copy)
      if (rebuilt.lost) {
        this.#markLost(block);
        return DATA_LOST;
      }
      this.#probe.hit(probe);
      // Rewriting clears a latent error; if the disk cannot take it (a lost drive), serve it anyway.
      const stored = await this.#disk.write(block, rebuilt.data);
      if (stored.ok) this.#restore.valid.add(block);
      return { ok: true, data: rebuilt.data };
    } finally {
      this.#repairing.delete(block);
    }
  }

  #markLost(block: number, zeroed = false): void {
    if (zeroed) this.#restore.zeroed.add(block);
    if (this.#restore.lost.has(block)) return;
    this.#restore.lost.add(block);
    this.#probe.hit('block-reported-lost');
    this.onBlockLost?.(block);
  }

  /** Parity counts `block` as zeros (we had no copy to give): so does our disk from now on. Call holding the lock. */
  async #zeroFill(block: number): Promise<VerifiedRead> {
    const zeros = new Uint8Array(this.#disk.blockBytes);
    await this.#disk.write(block, zeros); // clears a latent error; if the drive is gone, it reads as nothing anyway
    return { ok: true, data: zeros };
  }

  /**
   * Our copy of `block` for parity to merge (build, join), read under the lock.
   * hardened: if we cannot read it, "no copy" (empty); parity counts it as
   * zeros and, if it merged it so, tells us it is lost (block-lost): only
   * parity knows whether this copy or an earlier one was merged.
   */
  async #copyForMerge(block: number): Promise<Uint8Array | undefined> {
    // Being repaired (we hold the lock, waiting on parity, which waits on this copy): no copy.
    if (this.#hardened && this.#repairing.has(block)) return NO_COPY;
    const read = async () => {
      if (this.#hardened && this.#restore.zeroed.has(block)) return NO_COPY;
      const copy = await this.#disk.read(block);
      if (copy.ok) return copy.data;
      return this.#hardened ? NO_COPY : undefined; // literal: nothing to send
    };
    return this.#hardened ? this.#lockedUnlessRepairing(block, read, () => NO_COPY) : this.#locks.with(block, read);
  }

  /** Parity merged our "no copy" of `block` as zeros: it is lost, and zeroed here too. */
  #takeBlockLost(id: number, block: number): void {
    this.#markLost(block, true);
    this.#net.send(this.#parity, { type: 'block-lost-ack', id, block });
    this.#clock.spawn('zero lost block', () =>
      this.#locks.with(block, async () => {
        if (this.#restore.zeroed.has(block)) await this.#zeroFill(block);
      }),
    );
  }

  /**
   * For parity's copy requests: runs `fn` holding `block`'s lock — unless,
   * while we wait for it, the holder starts rebuilding the block from parity:
   * then `repairing` answers at once (parity may hold Q[block] waiting for
   * this very answer, and the rebuild waits for Q[block]).
   */
  #lockedUnlessRepairing<T>(block: number, fn: () => Promise<T>, repairing: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      let waiters = this.#onRepair.get(block);
      if (waiters === undefined) this.#onRepair.set(block, (waiters = new Set()));
      const stopWaiting = () => {
        waiters.delete(answer);
        if (waiters.size === 0 && this.#onRepair.get(block) === waiters) this.#onRepair.delete(block);
      };
      let answered = false;
      const answer = () => {
        stopWaiting();
        answered = true;
        resolve(repairing());
      };
      waiters.add(answer);
      this.#locks
        .with(block, async () => {
          if (answered) return;
          stopWaiting(); // a rebuild starts only under the lock: not while we hold it
          resolve(await fn());
        })
        .catch(reject);
    });
  }

  /** Resolves once no delta for `block` awaits parity's acknowledgement. */
  #deltasSettled(block: number): Promise<void> {
    if (!this.#pendingPerBlock.has(block)) return Promise.resolve();
    return new Promise((settled) => {
      const waiting = this.#whenSettled.get(block);
      if (waiting === undefined) this.#whenSettled.set(block, [settled]);
      else waiting.push(settled);
    });
  }

  async #reconstruct(block: number): Promise<Reconstructed> {
    const reply = await this.#rpc.call<Extract<Message, { type: 'reconstruct-reply' }>>(this.#parity, (id) => ({ type: 'reconstruct-request', id, block }));
    return reply.lost === 1 ? { lost: true } : { lost: false, data: reply.data };
  }

  /** Redo every journaled write in order, then resend its delta until acknowledged. */
  async #recover(journal: DurableLog): Promise<void> {
    const contents = await journal.read();
    const header = decodeHeader(contents.header);
    this.#epoch = header.epoch;
    this.#trimmed = contents.trimmedUpTo;
    for (let seq = 1; seq <= contents.trimmedUpTo; seq++) this.#acked.add(seq);
    for (const entry of contents.records) {
      const record = decodeJournalRecord(entry.data);
      this.#probe.hit('primary-journal-redo');
      // If the disk cannot take it (a lost drive), the resent delta keeps it in parity (a degraded write).
      const redone = await this.#locks.with(record.block, () => this.#disk.write(record.block, record.data));
      if (redone.ok) this.#restore.valid.add(record.block); // newer than anything a resumed restore may send
      this.#highestSeq = Math.max(this.#highestSeq, entry.position);
      void this.#sendReliably(record.block, record.delta, entry.position);
    }
    // A restore a crash interrupted resumes (same epoch, new session).
    if (header.restoring === 1) {
      this.#probe.hit('restore-resumed-after-crash');
      this.#restore.active = true;
      this.#clock.spawn('resume restore', async () => {
        const begin = await this.#rpc.call<Extract<Message, { type: 'restore-begin' }>>(this.#parity, (id) => ({ type: 'restore-request', id, epoch: this.#epoch, resume: 1 }));
        this.#session = begin.session;
      });
    }
  }

  /** Sends delta `seq` and keeps sending it until parity acknowledges it. */
  #sendReliably(block: number, data: Uint8Array, seq: number): Promise<void> {
    return new Promise((acked) => {
      const pending: PendingDelta = { block, data, attempts: 0, timer: undefined, acked };
      this.#pending.set(seq, pending);
      this.#pendingPerBlock.set(block, (this.#pendingPerBlock.get(block) ?? 0) + 1);
      this.#transmit(seq, pending);
    });
  }

  #transmit(seq: number, pending: PendingDelta): void {
    if (pending.attempts > 0) {
      this.retransmissions++;
      this.#probe.hit('delta-retransmitted');
    }
    pending.attempts++;
    this.#net.send(this.#parity, { type: 'delta', block: pending.block, epoch: this.#epoch, seq, data: pending.data });
    pending.timer = this.#clock.timer(retransmitDelay(this.#retransmit, pending.attempts), () => this.#transmit(seq, pending));
  }

  #onAck(seq: number): void {
    const pending = this.#pending.get(seq);
    if (pending === undefined) return; // a duplicate ack
    this.#pending.delete(seq);
    pending.timer?.cancel();
    const left = this.#pendingPerBlock.get(pending.block)! - 1;
    if (left > 0) this.#pendingPerBlock.set(pending.block, left);
    else {
      this.#pendingPerBlock.delete(pending.block);
      const waiting = this.#whenSettled.get(pending.block);
      this.#whenSettled.delete(pending.block);
      for (const settled of waiting ?? []) settled();
    }
    this.#acked.add(seq);
    pending.acked();
    this.#trimJournal();
  }

  /** Every delta up to the acked floor is in parity: its intent is no longer needed. */
  #trimJournal(): void {
    const floor = this.#acked.floor;
    if (this.#journal === undefined || floor <= this.#trimmed) return;
    this.#trimmed = floor;
    this.#clock.spawn('journal trim', () => this.#journal!.trim(floor));
  }

  #onMessage(from: NodeId, message: Message): void | Promise<void> {
    assert(from === this.#parity, `${this.name}: ${message.type} from ${from}, not the parity array`);
    switch (message.type) {
      case 'build-request':
        return this.#sendCopies(message.first, message.count);
      case 'delta-ack':
        assert(this.#hardened, `${this.name}: delta-ack in the literal protocol`);
        return this.#onAck(message.seq);
      case 'copy-request':
        return this.#rpc.serve(from, message.id, () => this.#answerCopy(message.id, message.block));
      case 'restore-data':
        if (this.#hardened && message.session !== this.#session) {
          this.#probe.hit('stale-restore-data-ignored'); // a stale session's copy
          return;
        }
        return this.#takeRestored(message.id, message.block, message.lost === 1, message.data);
      case 'restore-complete':
        return this.#completeRestore(message.id);
      case 'restore-begin':
      case 'reconstruct-reply':
      case 'join-begin':
      case 'leave-complete':
        this.#rpc.answer(message.id, message);
        return;
      case 'join-copy-request':
        return this.#rpc.serve(from, message.id, () => this.#answerJoinCopy(message.id, message.block));
      case 'join-complete':
        this.#net.send(this.#parity, { type: 'join-ack', id: message.id });
        return;
      case 'block-lost':
        return this.#takeBlockLost(message.id, message.block);
      case 'scrub-repair':
        return this.#rpc.serve(from, message.id, async () => {
          // Rebuilt from parity if our copy is still bad (a host write may have replaced it meanwhile).
          await this.#locks.with(message.block, () => this.#currentContents(message.block, false, 'scrub-repaired-member'));
          this.#net.send(this.#parity, { type: 'scrub-repair-done', id: message.id, block: message.block });
        });
      default:
        assert(false, `${this.name}: unexpected ${message.type} from ${from}`);
    }
  }

  /** Parity restores another array: our copy of `block`, and whether it is settled with parity. */
  async #answerCopy(id: number, block: number): Promise<void> {
    const empty = new Uint8Array(0);
    // A zeroed block: parity counts it as zeros, and so do we.
    if (this.#hardened && this.#restore.zeroed.has(block)) {
      this.#net.send(this.#parity, { type: 'copy-reply', id, block, status: 0, data: new Uint8Array(this.#disk.blockBytes) });
      return;
    }
    // No copy to give: answer at once, without the block lock — we may hold it
    // ourselves while waiting on parity to rebuild this very block (we are
    // restoring too, or repairing it), and parity holds Q[block] while it waits for us.
    if (!this.#validBlock(block) || !this.#restore.usable(block) || this.#repairing.has(block)) {
      this.#net.send(this.#parity, { type: 'copy-reply', id, block, status: 2, data: empty });
      return;
    }
    const reply = await this.#lockedUnlessRepairing(
      block,
      async () => {
        if (!this.#restore.usable(block)) return { status: 2, data: empty };
        const copy = await this.#disk.read(block);
        if (!copy.ok) return { status: 2, data: empty };
        // A delta parity has not acknowledged means our data is ahead of Q[block].
        const status = this.#hardened && this.#pendingPerBlock.has(block) ? 1 : 0;
        return { status, data: copy.data };
      },
      () => ({ status: 2, data: empty }),
    );
    this.#net.send(this.#parity, { type: 'copy-reply', id, block, ...reply });
  }

  async #completeRestore(id: number): Promise<void> {
    if (this.#restore.active) {
      this.#restore.complete();
      if (this.#journal !== undefined) await this.#journal.writeHeader(encodeHeader({ epoch: this.#epoch, restoring: 0 }));
      this.onRestored?.();
    }
    if (this.#hardened) this.#net.send(this.#parity, { type: 'restore-ack', id, block: 0 });
  }

  /** Parity merges us in (join): our copy of `block` and the last delta it reflects. */
  async #answerJoinCopy(id: number, block: number): Promise<void> {
    const data = await this.#copyForMerge(block);
    assert(data !== undefined, `${this.name}: cannot read block ${block} to join`);
    this.#net.send(this.#parity, { type: 'join-copy', id, block, epoch: this.#epoch, reflectsUpTo: this.#highestSeq, data });
  }

  /** A block parity rebuilt for us (restore). */
  async #takeRestored(id: number, block: number, lost: boolean, data: Uint8Array): Promise<void> {
    await this.#locks.with(block, async () => {
      if (!this.#restore.active || !this.#validBlock(block)) return;
      // hardened: a block written (or rebuilt) since, or with a delta still on
      // its way to parity, is newer than this copy.
      if (this.#hardened && (this.#restore.valid.has(block) || this.#pendingPerBlock.has(block))) {
        this.#probe.hit('stale-restore-data-ignored');
        return;
      }
      if (lost) {
        this.#markLost(block);
        return;
      }
      const stored = await this.#disk.write(block, data);
      if (stored.ok) this.#restore.valid.add(block);
    });
    if (this.#hardened) this.#net.send(this.#parity, { type: 'restore-ack', id, block });
  }

  /** Sends (k, P[k]) for every block of ours in [first, first+count). */
  async #sendCopies(first: number, count: number): Promise<void> {
    const end = Math.min(first + count, this.#disk.blockCount);
    for (let block = first; block < end; block++) {
      // literal sends nothing for a block it cannot read: the build waits for it forever.
      const data = await this.#copyForMerge(block);
      if (data !== undefined) this.#net.send(this.#parity, { type: 'block-copy', block, data });
    }
  }

  #validBlock(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.#disk.blockCount;
  }
}
