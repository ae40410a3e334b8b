// The controller of a primary array: serves its own host, and keeps the parity
// array informed.
//
// This is the `hardened` primary. The `literal` one — the claims as written,
// behind the same controller interface — is literal-primary.ts.
//
// update (claims 2, 7, 12): on a host write of w to block k, read the old
// contents, compute d = w ^ old, store w, send (k, d) to the parity array.
// build (claims 1, 6, 11): on request, send copies (k, P[k]) of a range of blocks.
// restore (claims 5, 10, 15): after losing its data, ask parity for it and
// store the blocks parity sends back; answer parity's copy requests when
// another array is being restored.
//
// hardened adds to the claims (docs/PROTOCOL.md): per-block
// serialisation; an intent journal (redo + resend after a crash: no write
// hole); retransmission until parity acknowledges; the ack policy; during a
// restore, reads of blocks not yet back are rebuilt by parity (degraded read),
// a write to such a block first rebuilds it, restored data never overwrites a
// block written since, and blocks parity cannot rebuild are reported lost. Its
// own unreadable blocks (a latent sector error, a lost drive) are repaired the
// same way: rebuilt by parity, rewritten locally, then served.
//
// Host I/O and parity's messages are served here; the rest is delegated:
// deltas on their way to parity (outbox.ts), copies of our blocks (copies.ts),
// blocks rebuilt by parity or lost (mender.ts, lost-blocks.ts,
// loss-notices.ts), the restore with the epoch and the journal's header
// (restoration.ts, restore-session.ts, restore-state.ts), journal recovery
// (recovery.ts), join and leave (membership.ts).
import type { PrimaryRole } from '../controller-api.js';
import type { BlockDevice } from '../ports/block-device.js';
import { type Buggify, NO_BUGGIFY, halted } from '../ports/buggify.js';
import type { Clock } from '../ports/clock.js';
import type { DurableLog } from '../ports/durable-log.js';
import { NO_PROBE, type Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { AckPolicy } from '../protocol/ack-policy.js';
import { encodeJournalRecord } from '../protocol/journal-record.js';
import type { Message } from '../protocol/messages.js';
import { type RefusalReason, checkAtPrimary, refusalFor } from '../protocol/peer-checks.js';
import { NO_BUGS, type PlantedBugs, type Seam, seamFor } from '../protocol/planted-bugs.js';
import { DEFAULT_RETRANSMIT, type RetransmitOptions } from '../protocol/retransmit.js';
import { Rpc } from '../protocol/rpc.js';
import { assert } from '../util/assert.js';
import { BlockLocks } from '../util/block-locks.js';
import { RecoveryGate } from '../util/recovery-gate.js';
import { VerifiedDisk } from '../util/verified-disk.js';
import { Copies } from './copies.js';
import { DATA_LOST, Mender } from './mender.js';
import type { HostReadResult, HostWriteResult } from './host-io.js';
import { LossNotices } from './loss-notices.js';
import { Outbox } from './outbox.js';
import { Membership } from './membership.js';
import { Recovery } from './recovery.js';
import { Restoration } from './restoration.js';
import { RestoreState } from './restore-state.js';

export interface PrimaryDeps {
  readonly disk: BlockDevice;
  readonly transport: Transport;
  readonly clock: Clock;
  /** Where deltas and build copies go. */
  readonly parity: NodeId;
  /** When the host's write is acknowledged: once parity holds it (default), or after the local write. */
  readonly ackPolicy?: AckPolicy;
  readonly retransmit?: RetransmitOptions;
  /** The write-intent journal (without one, a crash can leave parity stale). */
  readonly journal?: DurableLog;
  /** false: not yet in the parity group (writes send no delta) until join(). Default true. */
  readonly member?: boolean;
  /**
   * Outside the group and not joining it (it left; the platform knows): the
   * deltas its journal still holds are owed to no parity array. Default false.
   */
  readonly left?: boolean;
  /** Deliberate mutations for the checker's self-test; empty in every normal run. */
  readonly bugs?: PlantedBugs;
  /** Code probes: marks situations reached (no effect on behaviour). */
  readonly probe?: Probe;
  /** Faults from inside the code (src/ports/buggify.ts): the simulator's; default inert. */
  readonly buggify?: Buggify;
  /** This start's boot number, increasing with every start (kept by the platform): request ids never repeat across boots. Default 0. */
  readonly boot?: number;
}


export class PrimaryController implements PrimaryRole {
  readonly name: NodeId;
  readonly #disk: VerifiedDisk;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #parity: NodeId;
  readonly #ackPolicy: AckPolicy;
  readonly #retransmit: RetransmitOptions;
  readonly #locks: BlockLocks;
  /** The decisions a planted bug may change (src/protocol/planted-bugs.ts); honest in every normal run. */
  readonly #seam: Seam;
  readonly #probe: Probe;
  readonly #buggify: Buggify;
  readonly #journal: DurableLog | undefined;
  readonly #rpc: Rpc;
  readonly #restore = new RestoreState();
  /** Deltas on their way to parity. */
  readonly #outbox: Outbox;
  readonly #copies: Copies;
  readonly #mender: Mender;
  readonly #notices = new LossNotices();
  /** Our restore, with the epoch and the journal's header. */
  readonly #restoration: Restoration;
  /** Redoes the journal when we start. */
  readonly #recovery: Recovery;
  /** Whether we are in the group: join and leave. */
  readonly #membership: Membership;
  /** Journal recovery (and a restore's handshake): host I/O waits for it. */
  readonly #gate = new RecoveryGate();
  #nextSeq = 1;
  /** The highest delta number assigned so far (a join copy reflects every delta up to it). */
  #highestSeq = 0;
  /** Called once parity has taken us out of the group. */
  onLeft: (() => void) | undefined;
  /** Called when parity reports that every block was sent (the restore is complete). */
  onRestored: (() => void) | undefined;
  /** Called each time a block is reported lost (it could not be rebuilt). */
  onBlockLost: ((block: number) => void) | undefined;

  constructor(deps: PrimaryDeps) {
    this.#probe = deps.probe ?? NO_PROBE;
    this.#buggify = deps.buggify ?? NO_BUGGIFY;
    this.#disk = new VerifiedDisk(deps.disk, this.#probe, true, true);
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#parity = deps.parity;
    this.#ackPolicy = deps.ackPolicy ?? 'parity-durable';
    this.#retransmit = deps.retransmit ?? DEFAULT_RETRANSMIT;
    this.#journal = deps.journal;
    this.#locks = new BlockLocks();
    this.#seam = seamFor(deps.bugs ?? NO_BUGS);
    this.name = deps.transport.self;
    this.#rpc = new Rpc(deps.transport, deps.clock, this.#retransmit, deps.boot);
    const shared = { name: this.name, disk: this.#disk, net: deps.transport, clock: deps.clock, rpc: this.#rpc, parity: deps.parity, retransmit: this.#retransmit, journal: this.#journal, locks: this.#locks, restore: this.#restore, seam: this.#seam, probe: this.#probe, buggify: this.#buggify };
    const epoch = () => this.#restoration.epoch;
    const highestSeq = () => this.#highestSeq;
    const lost = (block: number) => this.onBlockLost?.(block);
    const outbox = (this.#outbox = new Outbox({ ...shared, flush: () => this.#disk.flush(), epoch }));
    this.#copies = new Copies({ ...shared, outbox, epoch, highestSeq });
    const mender = (this.#mender = new Mender({
      ...shared,
      copies: this.#copies,
      outbox,
      ready: () => this.#gate.ready,
      member: () => this.#membership.member,
      lost,
      persist: () => this.#restoration.persist(),
      highestSeq,
    }));
    const membership = (this.#membership = new Membership({ ...shared, outbox, member: deps.member ?? true, left: deps.left ?? false, ready: () => this.#gate.ready, restored: () => this.#restoration.finished(), departed: () => this.onLeft?.() }));
    const outside = () => !membership.member || membership.leaving;
    this.#restoration = new Restoration({ ...shared, outbox, mender, outside, highestSeq, lost, restored: () => this.onRestored?.() });
    const seen = (seq: number) => void (this.#highestSeq = Math.max(this.#highestSeq, seq));
    this.#recovery = new Recovery({ ...shared, restoration: this.#restoration, outbox, mender, notices: this.#notices, seen, lost, gone: () => membership.gone });
    assert(this.#disk.blockCount > 0, `${this.name}: array has no blocks`);
  }

  /** Deltas sent again after a timeout, for the run summary and probes. */
  get retransmissions(): number {
    return this.#outbox.retransmissions;
  }

  get blockCount(): number {
    return this.#disk.blockCount;
  }

  get restoring(): boolean {
    return this.#restore.active;
  }

  /** Blocks this array holds no valid copy of and could not get back (held as zeros until rewritten), ascending. */
  lostBlocks(): readonly number[] {
    return this.#restore.lost.blocks();
  }

  /** Starts taking messages, after recovering from the journal if there is one. */
  start(): void {
    // Once, first: nothing is known lost before recovery has read the journal.
    assert(this.#restore.lost.size === 0, `${this.name}: started twice`);
    this.#net.listen((from, message) => this.#onMessage(from, message));
    const journal = this.#journal;
    if (journal !== undefined) this.#gate.hold(this.#clock, 'journal recovery', () => this.#recovery.recover(journal));
    this.rebuildLostBlocks(); // a drive replaced while we were down
  }

  /**
   * Rebuild, from parity, every block the array reports lost (a replaced
   * drive's), while host I/O goes on: each under its block lock, as a read
   * that finds it unreadable would.
   */
  rebuildLostBlocks(): void {
    this.#mender.rebuildAll(this.#disk.lostBlocks());
    this.#outbox.retryTrim(); // the array can flush again: a trim its failed drive deferred goes ahead
  }

  /**
   * This array lost its data (it is a new, empty array in its place): get it
   * back from parity (claim 5). Host I/O goes on meanwhile, served safely:
   * a block not back yet is rebuilt by parity on demand.
   */
  restore(): void {
    this.#restore.begin();
    // No delta leaves, no host I/O is served, before the new epoch is known.
    this.#gate.hold(this.#clock, 'restore handshake', () => this.#restoration.handshake());
  }

  /** Join the parity group (claim 3): membership.ts. */
  join(): void {
    this.#membership.join();
  }

  get member(): boolean {
    return this.#membership.member;
  }

  /** Leave the parity group (the array is being decommissioned): membership.ts. */
  leave(): void {
    this.#membership.leave();
  }

  /** True while any work on `block` is unfinished here (I/O, an unacknowledged delta, recovery, a block not yet restored). */
  busy(block: number): boolean {
    return this.#gate.busy || this.#locks.busy(block) || this.#outbox.pending(block) || (this.#restore.active && !this.#restore.valid.has(block));
  }

  async hostWrite(block: number, data: Uint8Array): Promise<HostWriteResult> {
    if (!this.#validBlock(block) || data.length !== this.#disk.blockBytes) return { ok: false, error: 'bad-request' };
    if (this.#membership.leaving) return { ok: false, error: 'decommissioned' };
    const w = data.slice(); // the host may reuse its buffer
    await this.#gate.ready;
    let parityDurable: Promise<void> | undefined;
    /** Our disk could not store it: parity holds the only copy, so the host waits for parity's ack whatever the policy. */
    let degraded = false;
    const stored = await this.#lockedInOrder(block, async () => {
      // Told to leave while this write waited its turn: parity may be taking the block out of Q now.
      if (this.#membership.leaving) return { ok: false, error: 'decommissioned' } as const;
      if (!this.#membership.member) {
        // Not protected (outside the group): no delta, so no old contents needed — an
        // unreadable block is simply overwritten, and holds the host's data again.
        // Nothing journals it either: on the media before it is acknowledged, not
        // only in a drive's write cache (a power failure would lose it) — and no
        // older record of the block left in the journal, which a recovery would
        // redo over it (the journal trimmed up to every acknowledged delta).
        const written = this.#written(block, await this.#disk.write(block, w));
        if (written.ok) {
          const flushed = await this.#disk.flush();
          if (!flushed.ok) return flushed;
          await this.#outbox.trimFlushed();
        }
        if (written.ok && this.#restore.lost.delete(block)) await this.#restoration.persist();
        return written;
      }
      const old = await this.#mender.contents(block, true);
      if (!old.ok) return old;
      assert(old.data.length === w.length, `${this.name}: block ${block} read ${old.data.length} bytes`);
      const delta = this.#seam.delta(w, old.data);
      // A lost block reads as zeros to a writer: this write replaces it, and parity forgets the loss.
      const replaces = this.#restore.lost.has(block) ? 1 : 0;
      // Intent first: a crash after this point is redone from the journal.
      if (this.#seam.storesBeforeIntent) await this.#disk.write(block, w);
      const seq = this.#journal === undefined ? this.#nextSeq++ : await this.#journal.append(encodeJournalRecord({ kind: 'intent', block, data: w, delta, replaces }));
      this.#highestSeq = Math.max(this.#highestSeq, seq);
      if (this.#journal !== undefined && this.#buggify.crashes('primary-crash-after-journal')) return halted();
      const written = this.#written(block, await this.#disk.write(block, w));
      this.#notices.written(block); // stored, or held by parity alone: either way no longer the block a notice waiting now was about
      if (this.#buggify.crashes('primary-crash-after-data-write')) return halted();
      // No longer lost, durably, before its intent can be trimmed (its delta is acknowledged only after this).
      if (replaces === 1 && this.#restore.lost.delete(block)) await this.#restoration.persist();
      // A block our disk cannot store (a lost drive) lives in parity alone
      // until the drive is replaced and the block rebuilt (a degraded write).
      degraded = !written.ok;
      if (degraded) this.#probe.hit('degraded-write');
      if (!this.#seam.sendsDelta) return written;
      const target = this.#seam.deltaBlock(block, seq, this.#disk.blockCount);
      parityDurable = this.#outbox.send(target, delta, seq, replaces);
      // Until parity has the delta, the data is in it alone: a join copy of the block must be this (copies.ts).
      if (target === block) this.#outbox.unstored(seq, degraded ? w : undefined);
      return { ok: true } as const;
    });
    if (!stored.ok) return stored;
    if (parityDurable !== undefined && (this.#ackPolicy === 'parity-durable' || degraded)) await parityDurable;
    return { ok: true };
  }

  /**
   * Runs `fn` holding `block`'s lock with no delta for `block` awaiting
   * parity's ack: a block's deltas reach parity one at a time, in
   * order. Were a later delta applied without an earlier one still being
   * retransmitted, Q[k] would match no version of the block, and a failure of
   * this array then would restore a value never written. The wait is outside
   * the lock: parity may hold Q[k] waiting for our copy of the block, and the
   * copy needs the lock.
   */
  async #lockedInOrder<T>(block: number, fn: () => Promise<T>): Promise<T> {
    assert(this.#validBlock(block), `${this.name}: write of block ${block} beyond the array`);
    const outbox = this.#outbox;
    if (!this.#seam.ordersDeltas) return this.#locks.with(block, fn);
    for (;;) {
      await outbox.settled(block);
      const done = await this.#locks.with(block, async () => (outbox.pending(block) ? undefined : { value: await fn() }));
      if (done !== undefined) return done.value;
      this.#probe.hit('delta-waited-for-previous');
    }
  }

  async hostRead(block: number): Promise<HostReadResult> {
    if (!this.#validBlock(block)) return { ok: false, error: 'bad-request' };
    await this.#gate.ready;
    return this.#locks.with(block, async () => {
      const contents = await this.#mender.contents(block);
      assert(!contents.ok || contents.data.length === this.#disk.blockBytes, `${this.name}: block ${block} read ${contents.ok ? contents.data.length : 0} bytes`);
      // Lost while we asked parity (a join found it unreadable): its zeros are not the host's data.
      return contents.ok && this.#restore.lost.has(block) ? DATA_LOST : contents;
    });
  }

  /** After a host write of `block` landed: it is newer than anything a restore could still send, and no longer lost. */
  #written<R extends { readonly ok: boolean }>(block: number, result: R): R {
    if (!result.ok) return result;
    this.#restore.written(block);
    return result;
  }

  #onMessage(from: NodeId, message: Message): void | Promise<void> {
    // A peer's message is input: checked whole before anything acts on it (src/protocol/peer-checks.ts).
    const refusal = from !== this.#parity ? 'not-a-member' : !this.#seam.checksPeers ? undefined : checkAtPrimary(message, { blockCount: this.#disk.blockCount, blockBytes: this.#disk.blockBytes });
    if (refusal !== undefined) return this.#refuse(from, message, refusal);
    assert(from === this.#parity, `${this.name}: acting on a message from ${from}, not our parity array`);
    switch (message.type) {
      case 'build-request':
        return this.#copies.sendBuild(message.first, message.count);
      case 'delta-ack':
        return this.#outbox.ack(message);
      case 'copy-request':
        // Not before journal recovery: a redone write's delta is not pending yet, so
        // its copy would pass for settled while it is ahead of Q[block] (H7).
        return this.#rpc.serve(from, message.id, async () => {
          await this.#gate.ready;
          await this.#copies.answer(message.id, message.block);
        });
      case 'restore-data':
        return this.#restoration.restoreData(message);
      case 'restore-complete':
        return this.#restoration.restoreComplete(message);
      case 'restore-begin':
      case 'reconstruct-reply':
      case 'join-begin':
      case 'leave-complete':
      case 'refused':
        this.#rpc.answer(from, message.id, message);
        return;
      case 'join-copy-request':
        return this.#rpc.serve(from, message.id, async () => {
          await this.#gate.ready; // the highest delta number covers the journaled deltas only once recovery is done
          await this.#copies.answerJoin(message.id, message.block);
        });
      case 'join-complete':
        this.#net.send(this.#parity, { type: 'join-ack', id: message.id });
        return;
      case 'repair-request':
        return this.#rpc.serve(from, message.id, async () => {
          const notice = message.lost === 1;
          if (notice && this.#notices.answered(message.id)) return this.#net.send(this.#parity, { type: 'repair-done', id: message.id, block: message.block });
          if (notice) this.#notices.arrived(message.id, message.block, this.#outbox.pending(message.block));
          // Not before journal recovery: its redo takes the block locks, and a repair holding one while it
          // waits on parity — whose gather waits on our copy, held behind recovery — would never end.
          await this.#gate.ready;
          // Lost, as parity holds it: learn it. Else rebuilt from parity if our copy is still bad (a host write may have replaced it meanwhile).
          await this.#locks.with(message.block, async () => {
            // A host write since the notice came, or one whose delta is still on its way, replaced it (parity has not heard yet): not lost.
            if (notice && this.#notices.settle(message.id, message.block) && !this.#outbox.pending(message.block)) await this.#mender.lose(message.block);
            else await this.#mender.contents(message.block, false, 'scrub-repaired-member');
          });
          this.#net.send(this.#parity, { type: 'repair-done', id: message.id, block: message.block });
        });
      default:
        return this.#refuse(from, message, 'unexpected');
    }
  }

  /** A peer's message failed its checks: refused if it asks for an answer (its sender stops asking), dropped otherwise. */
  #refuse(from: NodeId, message: Message, reason: RefusalReason): void {
    this.#probe.hit('peer-message-refused');
    const refused = refusalFor(message, reason);
    if (refused !== undefined) this.#net.send(from, refused);
  }

  #validBlock(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.#disk.blockCount;
  }
}
