// A primary's deltas on their way to parity (hardened): each is sent, and
// sent again after a timeout adapted to parity's round trips
// (retransmit-timer.ts), until parity acknowledges it (H1). Once every delta up to
// some number is acknowledged, the intent journal is trimmed to it (their
// redo records are no longer needed) once the array has flushed their data
// writes; a trim whose flush failed (a drive of the array failed) is tried
// again at the next acknowledgement or when the drive is replaced
// (retryTrim). Also answers "does block k have a delta
// parity has not acknowledged?" — a copy of k is then ahead of Q[k].
import type { WriteResult } from '../ports/block-device.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { DurableLog } from '../ports/durable-log.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { RetransmitOptions } from '../protocol/retransmit.js';
import { assert } from '../util/assert.js';
import { RetransmitTimer } from '../protocol/retransmit-timer.js';
import { SeqSet } from '../protocol/seq-set.js';

interface Pending {
  readonly block: number;
  readonly data: Uint8Array;
  /** 1: the delta of a write that replaced a lost block. */
  readonly replaces: number;
  attempts: number;
  timer: Timer | undefined;
  /** When it was first sent. */
  sentAt: number;
  /** Resolves whoever waits on this delta (the host write, under parity-durable). */
  readonly acked: () => void;
}

interface OutboxDeps {
  readonly net: Transport;
  readonly clock: Clock;
  readonly parity: NodeId;
  readonly retransmit: RetransmitOptions;
  readonly journal: DurableLog | undefined;
  readonly probe: Probe;
  /** Puts every completed data write on the media (the disk's flush). */
  readonly flush: () => Promise<WriteResult>;
  /** The epoch our deltas carry (set by a restore). */
  readonly epoch: () => number;
}

export class Outbox {
  readonly #d: OutboxDeps;
  readonly #pending = new Map<number, Pending>();
  /** Unacknowledged deltas per block. */
  readonly #perBlock = new Map<number, number>();
  /** Per block: the data of a write our disk could not store (a degraded write), and its delta's number, until parity acknowledges it. */
  readonly #unstored = new Map<number, { readonly seq: number; readonly data: Uint8Array }>();
  /** Per block: callers waiting until every delta for it is acknowledged. */
  readonly #whenSettled = new Map<number, (() => void)[]>();
  readonly #acked = new SeqSet();
  /** The journal is trimmed up to here (done), and a trim is under way up to here (asked). */
  #trimmed = 0;
  #trimming = 0;
  /** Times the array was said to flush again (retryTrim): a flush that failed across one is tried again. */
  #rearmed = 0;
  /** The timeout toward parity. */
  readonly #rto: RetransmitTimer;
  /** We left the group (abandon). */
  #abandoned = false;
  /** Deltas sent again after a timeout. */
  retransmissions = 0;

  constructor(deps: OutboxDeps) {
    this.#d = deps;
    this.#rto = new RetransmitTimer(deps.retransmit);
  }

  /** Journal recovery: every delta up to `upTo` was acknowledged (their records were trimmed). */
  trimmedUpTo(upTo: number): void {
    this.#trimmed = this.#trimming = upTo;
    for (let seq = 1; seq <= upTo; seq++) this.#acked.add(seq);
  }

  /** Does `block` have a delta parity has not acknowledged yet? */
  pending(block: number): boolean {
    return this.#perBlock.has(block);
  }

  /**
   * Delta `seq` (pending) is of a write our disk could not store (a lost
   * drive): `data`, the block's content, is nowhere else but in this delta
   * until parity acknowledges it. `undefined`: the disk stored it.
   */
  unstored(seq: number, data: Uint8Array | undefined): void {
    const pending = this.#pending.get(seq);
    if (pending === undefined) return;
    assert(this.#perBlock.has(pending.block), `delta ${seq} of block ${pending.block} pending but not counted`);
    if (data !== undefined) this.#unstored.set(pending.block, { seq, data });
    else this.#unstored.delete(pending.block);
  }

  /** The content of `block` if its last write is in a delta not acknowledged yet and not on our disk (unstored). */
  unstoredData(block: number): Uint8Array | undefined {
    return this.#unstored.get(block)?.data;
  }

  /** Resolves once no delta for `block` awaits parity's acknowledgement. */
  settled(block: number): Promise<void> {
    if (!this.#perBlock.has(block)) return Promise.resolve();
    assert(this.#perBlock.get(block)! > 0, `block ${block} counted with no delta pending`);
    return new Promise((settled) => {
      const waiting = this.#whenSettled.get(block);
      if (waiting === undefined) this.#whenSettled.set(block, [settled]);
      else waiting.push(settled);
    });
  }

  /** Sends delta `seq` and keeps sending it until parity acknowledges it; resolves then. `replaces`: 1 if the write replaced a lost block. */
  send(block: number, data: Uint8Array, seq: number, replaces = 0): Promise<void> {
    // Each number is sent once (a journal redo sends only what recovery found unacknowledged).
    assert(seq >= 1 && !this.#pending.has(seq), `delta ${seq} sent twice, or unnumbered`);
    return new Promise((acked) => {
      const pending: Pending = { block, data, replaces, attempts: 0, timer: undefined, sentAt: this.#d.clock.now(), acked };
      this.#pending.set(seq, pending);
      this.#perBlock.set(block, (this.#perBlock.get(block) ?? 0) + 1);
      if (this.#abandoned) this.#settle(seq);
      else this.#transmit(seq, pending);
    });
  }

  /**
   * Parity acknowledged delta `seq` of `block` in `epoch`. An ack of another
   * epoch is an earlier life's (a lost array's journal numbers from 1 again),
   * late on a slow link: taken for this life's delta of the same number, it
   * settled a delta parity may not have (generated worlds showed it, a sweep
   * of 400 `unlimited` seeds twice). One naming another block is not this
   * delta's either.
   */
  // unasserted: it judges a peer's message (input, not an invariant); #settle asserts the state it changes.
  ack(ack: { readonly epoch: number; readonly seq: number; readonly block: number }): void {
    const pending = this.#pending.get(ack.seq);
    if (pending === undefined) return; // a duplicate ack
    if (ack.epoch !== this.#d.epoch() || pending.block !== ack.block) return void this.#d.probe.hit('stale-ack-ignored');
    this.#settle(ack.seq);
  }

  /** Delta `seq` is settled: acknowledged by parity, or owed to none (abandon). */
  #settle(seq: number): void {
    const pending = this.#pending.get(seq);
    if (pending === undefined) return; // a duplicate ack
    this.#pending.delete(seq);
    if (this.#unstored.get(pending.block)?.seq === seq) this.#unstored.delete(pending.block);
    assert(this.#perBlock.has(pending.block), `delta ${seq} of block ${pending.block} pending but not counted`);
    pending.timer?.cancel();
    if (pending.attempts === 1) this.#rto.sample(this.#d.clock.now() - pending.sentAt); // Karn: a resent delta's ack measures nothing
    const left = this.#perBlock.get(pending.block)! - 1;
    if (left > 0) this.#perBlock.set(pending.block, left);
    else {
      this.#perBlock.delete(pending.block);
      const waiting = this.#whenSettled.get(pending.block);
      this.#whenSettled.delete(pending.block);
      for (const settled of waiting ?? []) settled();
    }
    this.#acked.add(seq);
    pending.acked();
    this.#trim();
  }

  /**
   * We left the group: no delta is owed to parity any more (a new parity
   * array installed while we were leaving never counted us), so each pending
   * one — and any the journal's redo sends later — is settled as if
   * acknowledged.
   */
  abandon(): void {
    this.#abandoned = true;
    for (const seq of [...this.#pending.keys()]) this.#settle(seq);
  }

  /** We are joining a group again: deltas are owed to its parity array. */
  rejoin(): void {
    this.#abandoned = false;
  }

  #transmit(seq: number, pending: Pending): void {
    const d = this.#d;
    assert(this.#pending.get(seq) === pending && !this.#abandoned, `delta ${seq} transmitted while not pending`);
    if (pending.attempts > 0) {
      this.retransmissions++;
      d.probe.hit('delta-retransmitted');
    }
    pending.attempts++;
    d.net.send(d.parity, { type: 'delta', block: pending.block, epoch: d.epoch(), seq, replaces: pending.replaces, data: pending.data });
    const wait = this.#rto.timeoutUs;
    pending.timer = d.clock.timer(wait, () => {
      this.#rto.timedOut(wait);
      this.#transmit(seq, pending);
    });
  }

  /**
   * Every delta up to the acked floor is in parity: its intent is no longer
   * needed once its data write is on the media — flushed first, as a drive's
   * write cache may still hold it (and lose it at a power failure).
   */
  #trim(): void {
    const journal = this.#d.journal;
    const floor = this.#acked.floor;
    if (journal === undefined || floor <= this.#trimming) return;
    assert(!this.#pending.has(floor) && this.#trimmed <= this.#trimming, `journal trimmed past delta ${floor}, not acknowledged`);
    this.#trimming = floor;
    const rearmed = this.#rearmed;
    this.#d.clock.spawn('journal trim', async () => {
      if ((await this.#d.flush()).ok) return this.#trimmedTo(journal, floor);
      // Not trimmed: asked again later (retryTrim, or the next acknowledgement). Until then the records
      // stay, and a recovery redoes and resends them (parity drops what it applied).
      this.#d.probe.hit('journal-trim-deferred');
      if (this.#trimming === floor) this.#trimming = this.#trimmed;
      // The failed drive was replaced while this flush waited on it (generated seed 236): try again now.
      if (this.#rearmed !== rearmed) this.#trim();
    });
  }

  /** The array's data writes are on the media up to `floor`'s: their records go. */
  async #trimmedTo(journal: DurableLog, floor: number): Promise<void> {
    await journal.trim(floor);
    this.#trimmed = Math.max(this.#trimmed, floor);
    this.#trimming = Math.max(this.#trimming, this.#trimmed);
  }

  /** The array can flush again (a failed drive was replaced): a trim its failure deferred is asked again. */
  retryTrim(): void {
    this.#rearmed++;
    this.#trim();
  }

  /**
   * Trims the journal up to every acknowledged delta now, after the caller's
   * flush put their data writes on the media; resolves once it is done. A
   * write made outside the group journals nothing: an older record of its
   * block left in the journal would be redone over it after a crash.
   */
  async trimFlushed(): Promise<void> {
    const journal = this.#d.journal;
    const floor = this.#acked.floor;
    if (journal === undefined || floor <= this.#trimmed) return;
    assert(!this.#pending.has(floor), `journal trimmed past delta ${floor}, not acknowledged`);
    this.#trimming = Math.max(this.#trimming, floor);
    await this.#trimmedTo(journal, floor);
  }
}
