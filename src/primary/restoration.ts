// A primary's restore (claims 5, 10, 15), its side, and the journal header
// that carries it across crashes. The handshake begins it: parity settles a
// new epoch, journaled (with "a restore is under way") before any delta of the
// epoch leaves; then the blocks parity rebuilds are stored — unless written,
// rebuilt or lost here since — and the completion is made durable and
// acknowledged. Outside the group (or leaving a rebuilt parity array that left
// us out) parity refuses it, and every block is lost. Journal recovery
// (recovery.ts) hands back the epoch and resumes a restore a crash cut short.
//
// It owns the epoch and the header (epoch, restore under way, lost blocks —
// restore-state.ts): every header write is queued here, whoever makes it.
import type { Buggify } from '../ports/buggify.js';
import type { Clock } from '../ports/clock.js';
import type { DurableLog } from '../ports/durable-log.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import { type PrimaryHeader, encodeHeader } from '../protocol/journal-record.js';
import type { Message } from '../protocol/messages.js';
import { REFUSAL } from '../protocol/peer-checks.js';
import type { Seam } from '../protocol/planted-bugs.js';
import type { RetransmitOptions } from '../protocol/retransmit.js';
import { type Rpc, isRefused } from '../protocol/rpc.js';
import { assert } from '../util/assert.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk } from '../util/verified-disk.js';
import type { Mender } from './mender.js';
import type { Outbox } from './outbox.js';
import { RestoreSession } from './restore-session.js';
import type { RestoreState } from './restore-state.js';

interface RestorationDeps {
  readonly name: NodeId;
  readonly disk: VerifiedDisk;
  readonly net: Transport;
  readonly clock: Clock;
  readonly rpc: Rpc;
  readonly parity: NodeId;
  readonly retransmit: RetransmitOptions;
  readonly journal: DurableLog | undefined;
  readonly locks: BlockLocks;
  readonly restore: RestoreState;
  readonly outbox: Outbox;
  readonly mender: Mender;
  /** The decisions a planted bug may change (src/protocol/planted-bugs.ts). */
  readonly seam: Seam;
  readonly probe: Probe;
  readonly buggify: Buggify;
  /** Outside the group, or leaving it: a refused restore then means nothing of ours is protected. */
  readonly outside: () => boolean;
  /** The highest delta number assigned so far (journaled writes up to it are older than a loss now). */
  readonly highestSeq: () => number;
  /** A block was reported lost. */
  readonly lost: (block: number) => void;
  /** The restore is complete. */
  readonly restored: () => void;
}

export class Restoration {
  readonly #d: RestorationDeps;
  /** The epoch our deltas carry (a restore begins a new one). */
  #epoch = 0;
  /** What the journal's header holds (besides the lost blocks): the epoch, and whether a restore is under way. */
  readonly #header = { epoch: 0, restoring: 0 };
  /** The last header write queued. */
  #headerWritten: Promise<void> = Promise.resolve();
  /** The restore session parity is running for us. */
  readonly #session: RestoreSession;
  /** Waiting for the restore to complete (a leave). */
  readonly #afterRestore: (() => void)[] = [];
  /** Journal recovery found a restore under way and resumed it. */
  #resumed = false;

  constructor(deps: RestorationDeps) {
    this.#d = deps;
    const epoch = () => this.#epoch;
    this.#session = new RestoreSession({ clock: deps.clock, rpc: deps.rpc, parity: deps.parity, retransmit: deps.retransmit, probe: deps.probe, epoch, active: () => deps.restore.active, refused: (reason) => this.#refused(reason) });
  }

  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Writes the journal's header — epoch, whether a restore is under way, the
   * lost blocks — with `patch` applied; resolves once it is durable. Writes
   * are queued, each carrying the whole state as of its turn, so none undoes
   * a later one.
   */
  persist(patch: Partial<{ epoch: number; restoring: number }> = {}): Promise<void> {
    Object.assign(this.#header, patch);
    assert(this.#header.restoring === 0 || this.#header.restoring === 1, `${this.#d.name}: header restoring ${this.#header.restoring}`);
    const journal = this.#d.journal;
    if (journal === undefined) return Promise.resolve();
    const lost = this.#d.seam.keepsLosses ? this.#d.restore.lost.encode() : new Uint8Array(0);
    const write = this.#headerWritten.then(() => journal.writeHeader(encodeHeader({ ...this.#header, lost })));
    this.#headerWritten = write;
    return write;
  }

  /** Journal recovery read the header: the epoch, and whether a restore was under way, as they were. */
  recovered(header: PrimaryHeader): void {
    this.#epoch = header.epoch;
    this.#header.epoch = header.epoch;
    this.#header.restoring = header.restoring;
  }

  /** A restore a crash interrupted resumes (same epoch, new session). */
  resume(): void {
    this.#resumed = true;
    this.#d.probe.hit('restore-resumed-after-crash');
    this.#d.restore.active = true;
    this.#session.resume();
  }

  /** Asks parity to begin our restore, and journals its epoch; host I/O waits for it (restore() holds the gate). */
  async handshake(): Promise<void> {
    const d = this.#d;
    if (this.#resumed) return; // ordered again after a crash: the journal's restore is already resuming
    const epoch = this.#epoch;
    const begin = await d.rpc.call(d.parity, 'restore-begin', (id) => ({ type: 'restore-request', id, epoch, resume: 0 }));
    if (isRefused(begin)) {
      d.probe.hit('request-refused');
      return this.#refused(begin.reason);
    }
    // Durable before any delta of the new epoch leaves: a crash resumes this restore.
    await this.persist({ epoch: begin.epoch, restoring: 1 });
    assert(this.#header.restoring === 1, `${d.name}: restore begun but not journaled`);
    this.#epoch = begin.epoch;
    this.#session.begun(begin.session);
  }

  /** Resolves once the restore under way is complete (a leave waits for it). */
  finished(): Promise<void> {
    return new Promise<void>((restored) => this.#afterRestore.push(restored));
  }

  restoreData(message: Extract<Message, { type: 'restore-data' }>): void | Promise<void> {
    if (!this.#session.heard(message.session)) {
      this.#d.probe.hit('stale-restore-data-ignored'); // a stale session's copy
      return;
    }
    return this.#takeRestored(message.id, message.block, message.lost === 1, message.data);
  }

  restoreComplete(message: Extract<Message, { type: 'restore-complete' }>): void | Promise<void> {
    // A superseded session's (sent before we restarted and resumed): ours is not done.
    // Not restoring: a retransmission of the one we completed, acknowledged again.
    if (this.#d.restore.active && !this.#session.heard(message.session)) {
      this.#d.probe.hit('stale-restore-data-ignored');
      return;
    }
    return this.#completeRestore(message.id);
  }

  /**
   * Parity refused our restore. Outside the group nothing protected our data, and the new
   * array holds none of it: all of it is lost. So too leaving it, when a rebuilt parity array
   * left us out (nothing of ours went into its Q).
   */
  async #refused(reason: number): Promise<void> {
    if (this.#d.restore.active && this.#d.outside() && reason === REFUSAL['not-a-member']) await this.#loseEverything();
  }

  /** An array outside the group was replaced: every block is lost (durably, then reported), and there is nothing to restore. */
  async #loseEverything(): Promise<void> {
    const d = this.#d;
    const lost = d.restore.lost;
    const fresh: number[] = [];
    for (let block = 0; block < d.disk.blockCount; block++) if (lost.add(block, d.highestSeq())) fresh.push(block);
    assert(lost.size === d.disk.blockCount, `${d.name}: ${lost.size} of ${d.disk.blockCount} blocks lost`);
    d.restore.complete();
    await this.persist({ restoring: 0 });
    for (const block of fresh) {
      d.probe.hit('block-reported-lost');
      d.lost(block);
    }
    for (const restored of this.#afterRestore.splice(0)) restored();
    d.restored();
  }

  async #completeRestore(id: number): Promise<void> {
    const d = this.#d;
    // A leave waits for the restore only while one is under way, and is let go when it ends.
    assert(d.restore.active || this.#afterRestore.length === 0, `${d.name}: a leave waits for no restore`);
    if (d.restore.active) {
      // Restored blocks may sit in a drive's write cache: on the media before the
      // restore counts as done, or a power failure reverts them and nothing redoes them.
      if (!(await d.disk.flush()).ok) return; // the array is failing: parity resends
      if (!d.restore.active) return; // completed while we flushed (a retransmission)
      d.restore.complete();
      this.#session.done();
      for (const restored of this.#afterRestore.splice(0)) restored();
      await this.persist({ restoring: 0 });
      d.restored();
    }
    d.net.send(d.parity, { type: 'restore-ack', id, block: 0 });
  }

  /** A block parity rebuilt for us (restore). */
  async #takeRestored(id: number, block: number, lost: boolean, data: Uint8Array): Promise<void> {
    const d = this.#d;
    const wait = d.buggify.delay('restore-data-before-store');
    if (wait > 0) await d.clock.sleep(wait);
    await d.locks.with(block, async () => {
      if (!d.restore.active || !(Number.isSafeInteger(block) && block >= 0 && block < d.disk.blockCount)) return;
      // A block written (or rebuilt) since, or with a delta still on its way
      // to parity, is newer than this copy.
      if (d.restore.valid.has(block) || d.outbox.pending(block)) {
        d.probe.hit('stale-restore-data-ignored');
        return;
      }
      // Lost (parity cannot rebuild it), or learned lost already (only our own write could undo that).
      if (lost || d.restore.lost.has(block)) return d.mender.lose(block);
      assert(!d.restore.usable(block), `${d.name}: restored data for block ${block}, which holds its data already`);
      const stored = await d.disk.write(block, data);
      if (stored.ok) d.restore.written(block);
    });
    d.net.send(d.parity, { type: 'restore-ack', id, block });
  }
}
