// The parity array's redo journal (record formats: src/protocol/parity-journal.ts).
//
// Every write of Q[k] is logged before it is made — an apply, a join's merge,
// a leave's unmerge, a repair — so replaying the log in order after a crash
// rewrites each block's last logged value: no delta lost or applied twice, no
// merge lost or made twice, and no older record can overwrite a newer write.
// Changes of the group (a member joining, joined, leaving, left) and of a
// member's epoch are logged too. Every `checkpointEvery` records (of any kind:
// a join logs one merge per block and may be followed by no apply at all), a
// checkpoint logs what older records carried that is still needed (the
// controller's snapshot) and trims every record whose write was complete at
// that moment. A record whose write was still under way is kept before the
// checkpoint, and its caller changes the loss sets only once the write is
// done, after the snapshot: replay makes the loss changes of the records
// before a checkpoint again after it (recover). A checkpoint whose flush failed
// (a drive failed) is taken again when the drive is replaced
// (retryCheckpoint), or its records would stay for good.
import type { WriteResult } from '../ports/block-device.js';
import type { Clock } from '../ports/clock.js';
import type { DurableLog } from '../ports/durable-log.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId } from '../ports/transport.js';
import { type CheckpointRecord, type CheckpointState, type EpochRecord, type MemberState, type ParityJournalRecord, decodeParityRecord, encodeParityRecord, isCheckpointRecord } from '../protocol/parity-journal.js';
import { assert } from '../util/assert.js';

/** What replaying the log tells the controller, record by record. */
export interface Replay {
  /**
   * State as of a checkpoint; `since`: deltas per member applied after its last epoch change (a checkpoint omits applies in progress);
   * `lossChanges`: the loss changes of the records logged before it, made again over its losses. True if they changed them.
   */
  checkpoint(state: CheckpointState, since: ReadonlyMap<NodeId, readonly number[]>, lossChanges: readonly (() => void)[]): boolean;
  epoch(member: NodeId, epoch: number, request: number | undefined): void;
  applied(member: NodeId, seq: number): void;
  /** `member`'s `block` is lost (its stripe to re-protect; `stale`: Q[block] holds its data). */
  lost(member: NodeId, block: number, stale: boolean): void;
  /** A host write replaced `member`'s lost `block`. */
  found(member: NodeId, block: number): void;
  /** Q[block] was recomputed from the members' copies (the stripe protects again). */
  reprotected(block: number): void;
  /** `member` left: none of its blocks is lost any more (they are nobody's). */
  lossesForgotten(member: NodeId): void;
  member(name: NodeId, blockCount: number, state: MemberState): void;
  merged(member: NodeId, block: number, upTo: number, epoch: number): void;
  unmerged(member: NodeId, block: number): void;
  /** Rewrites a logged Q[block]; false if the disk cannot take it. */
  redo(block: number, q: Uint8Array): Promise<boolean>;
}

/** What replaying `record` tells of members' lost blocks (made again after each checkpoint that follows it). */
// unasserted: what a record means, on no state of its own.
function replayLosses(record: ParityJournalRecord, r: Pick<Replay, 'lost' | 'found' | 'reprotected'>): void {
  switch (record.kind) {
    case 'apply':
      // A write of the block: whatever loss came before, the member holds data for it again.
      r.found(record.member, record.block);
      return;
    case 'merge':
      // Zeros merged: lost. A copy merged: whatever loss came before it, the member holds data again.
      if (record.noCopy === 1) r.lost(record.member, record.block, false);
      else r.found(record.member, record.block);
      return;
    case 'write':
      r.reprotected(record.block);
      // Members whose data went into this Q: whatever loss came before, they hold data for it.
      for (const member of record.found ?? []) r.found(member, record.block);
      return;
    case 'lost':
      r.lost(record.member, record.block, record.stale === 1);
      return;
    default:
      return;
  }
}

/** The builtin parity's checkpoint interval, in records (the checker's bound on a quiet journal, sim/checker/checkers.ts). */
export const CHECKPOINT_EVERY = 128;

export class ParityLog {
  readonly #journal: DurableLog | undefined;
  readonly #clock: Clock;
  readonly #probe: Probe;
  readonly #every: number;
  readonly #snapshot: () => CheckpointState;
  readonly #flush: () => Promise<WriteResult>;
  /** Positions of records whose write has not completed. */
  readonly #inProgress = new Set<number>();
  #lastPosition = 0;
  #sinceCheckpoint = 0;
  #checkpointing = false;
  /** The last checkpoint could not trim (its flush failed): records it would have trimmed are still here. */
  #untrimmed = false;
  /** A checkpoint is due, its event posted. */
  #due = false;

  /**
   * `snapshot`: the state a checkpoint records (taken when one is due);
   * `flush`: puts every completed Q write on the media (the disk's flush).
   */
  constructor(journal: DurableLog | undefined, clock: Clock, probe: Probe, checkpointEvery: number, snapshot: () => CheckpointState, flush: () => Promise<WriteResult>) {
    this.#journal = journal;
    this.#flush = flush;
    this.#clock = clock;
    this.#probe = probe;
    this.#every = checkpointEvery;
    this.#snapshot = snapshot;
  }

  /** Is there a journal (hardened)? */
  get enabled(): boolean {
    return this.#journal !== undefined;
  }

  /** Logs a record that changes no block (an epoch, a membership change). */
  async append(record: ParityJournalRecord): Promise<void> {
    if (this.#journal === undefined) return;
    this.#lastPosition = Math.max(this.#lastPosition, await this.#journal.append(encodeParityRecord(record)));
    this.#logged(this.#journal);
  }

  /** Logs `record`, then does `write` (the Q write it describes). */
  async journaled(record: ParityJournalRecord, write: () => Promise<WriteResult>): Promise<WriteResult> {
    if (this.#journal === undefined) return write();
    const position = await this.#journal.append(encodeParityRecord(record));
    this.#lastPosition = Math.max(this.#lastPosition, position);
    assert(!this.#inProgress.has(position), `journal position ${position} handed out twice`);
    this.#inProgress.add(position);
    this.#logged(this.#journal);
    const stored = await write();
    this.#inProgress.delete(position);
    return stored;
  }

  /**
   * Logs `record` and keeps it from being trimmed until `release` is called:
   * a delta acknowledged without a write (Q[k] unavailable) stays owed to the
   * recomputation of Q[k] until that is done, across any crash before it.
   */
  async held(record: ParityJournalRecord): Promise<() => void> {
    if (this.#journal === undefined) return () => {};
    const position = await this.#journal.append(encodeParityRecord(record));
    this.#lastPosition = Math.max(this.#lastPosition, position);
    assert(!this.#inProgress.has(position), `journal position ${position} handed out twice`);
    this.#inProgress.add(position);
    this.#logged(this.#journal);
    return () => void this.#inProgress.delete(position);
  }

  /**
   * One more record: a checkpoint when due, taken in an event of its own. By
   * then every caller has made its record's change in memory (each does so as
   * soon as its append or write resolves), so the snapshot holds what the
   * records it trims carried — taken at once, it missed the record just
   * appended (an epoch, a loss) and trimmed it. A record whose write is still
   * under way is kept, its change not made yet: replay makes it again after
   * the checkpoint.
   */
  #logged(journal: DurableLog): void {
    this.#sinceCheckpoint++;
    this.#whenDue(journal);
  }

  /** Posts the checkpoint once `checkpointEvery` records were logged since the last one's snapshot (one at a time). */
  #whenDue(journal: DurableLog): void {
    if (this.#sinceCheckpoint < this.#every || this.#due || this.#checkpointing) return;
    this.#due = true;
    this.#clock.timer(0, () => {
      assert(this.#due, 'a checkpoint posted twice');
      this.#due = false;
      this.#checkpoint(journal);
    });
  }

  /** Recovery is done (the controller's state holds every record replayed): a checkpoint the replayed records make due is taken. */
  recovered(): void {
    if (this.#journal !== undefined) this.#whenDue(this.#journal);
  }

  /** The array can flush again (a failed drive was replaced): a checkpoint that could not trim is taken again. */
  retryCheckpoint(): void {
    if (this.#journal !== undefined && this.#untrimmed) this.#checkpoint(this.#journal);
  }

  /** Logs the snapshot, then trims every record whose write was complete at that moment. */
  #checkpoint(journal: DurableLog): void {
    if (this.#checkpointing) return;
    this.#checkpointing = true;
    this.#sinceCheckpoint = 0;
    const state = this.#snapshot();
    // Records after the last known position, or still being written, must survive.
    const keepFrom = Math.min(this.#lastPosition + 1, ...this.#inProgress);
    assert(keepFrom >= 1 && [...this.#inProgress].every((p) => p <= this.#lastPosition), `checkpoint would keep from ${keepFrom}, last position ${this.#lastPosition}`);
    this.#clock.spawn('journal checkpoint', async () => {
      await journal.append(encodeParityRecord({ kind: 'checkpoint', ...state }));
      // The trimmed records' Q writes are done, but maybe only into a drive's
      // write cache: on the media first, or a power failure could lose them.
      const flushed = (await this.#flush()).ok;
      if (flushed) await journal.trim(keepFrom - 1);
      else this.#probe.hit('parity-checkpoint-untrimmed');
      this.#untrimmed = !flushed;
      this.#checkpointing = false;
      this.#whenDue(journal); // records enough for another were logged meanwhile
    });
  }

  /**
   * `checkpoint` as replay must take it, after the epoch records kept before it: a member's record
   * of a newer epoch than the checkpoint holds (or of one it does not list) was still being written
   * when its snapshot was taken, or landed before its own append. The member's numbers restarted then:
   * the newer epoch stands, nothing applied in it yet, and no merge of the older one counts.
   */
  // unasserted: a function of the records it is given, on no state of its own.
  #afterEpochRecords(checkpoint: CheckpointRecord, logged: ReadonlyMap<NodeId, EpochRecord>): CheckpointRecord {
    const newer = [...logged.values()].filter((e) => e.epoch > (checkpoint.applied.find((a) => a.member === e.member)?.epoch ?? -1));
    if (newer.length === 0) return checkpoint;
    this.#probe.hit('checkpoint-epoch-replayed');
    const renewed = new Set(newer.map((e) => e.member));
    const applied = [
      ...checkpoint.applied.filter((a) => !renewed.has(a.member)),
      ...newer.map((e) => ({ member: e.member, epoch: e.epoch, floor: 0, above: [], ...(e.request !== undefined && { request: e.request }) })),
    ];
    const merged = checkpoint.merged?.filter((m) => !renewed.has(m.member));
    return { ...checkpoint, applied, ...(merged !== undefined && { merged }) };
  }

  /** Replays the log into `r`, rewriting every logged Q block in order; returns the blocks it could not rewrite. */
  // Why over 70 lines: one pass over the records, a short case per record kind, all sharing the
  // replay's running state (deltas since each epoch, unwritten and owed blocks, epochs).
  async recover(r: Replay): Promise<number[]> {
    if (this.#journal === undefined) return [];
    const contents = await this.#journal.read();
    /** Per member: the deltas replayed since its last epoch change, each with the epoch its record names. */
    const since = new Map<NodeId, { seq: number; epoch: number }[]>();
    /** Blocks whose logged Q could not be rewritten (its drive failed): a later logged Q rewritten settles them. */
    const unwritten = new Set<number>();
    /** Blocks owing an absorbed delta: only a recomputation logged after it settles that. */
    const owed = new Set<number>();
    /** Each member's epoch as the records so far set it: an apply of another epoch's delta counts for nothing now. */
    const epochs = new Map<NodeId, number>();
    /** Each member's last epoch record so far (epochs only grow while it stays in the group). */
    const epochRecords = new Map<NodeId, EpochRecord>();
    /**
     * The loss changes of the records replayed so far, in order, made again after each checkpoint: its
     * snapshot lacks those of records it kept that were logged before it — a merge of "no copy" whose Q
     * write was still under way (the loss is taken in memory once it is done), a record landing between
     * the snapshot and the checkpoint's own append — and it replaces the losses they replayed (generated
     * seed 545: a join copy's loss so wiped, the member was later rebuilt from a Q[k] that never held it).
     * Each change sets its key (a member's block, a stripe), and a block's records change it in their
     * order (under its Q lock): made again in order over the snapshot, the last one stands, as it did.
     */
    const lossChanges: (() => void)[] = [];
    const lossChange = (change: () => void): void => {
      change();
      lossChanges.push(change);
    };
    let previous = contents.trimmedUpTo;
    // Records since the last checkpoint count toward the next: a life that crashes before each checkpoint must not keep them all.
    this.#sinceCheckpoint = 0;
    for (const entry of contents.records) {
      this.#sinceCheckpoint = isCheckpointRecord(entry.data) ? 0 : this.#sinceCheckpoint + 1;
      // The journal holds what was not trimmed, in the order it was appended.
      assert(entry.position > previous, `parity journal record ${entry.position} after ${previous}`);
      previous = entry.position;
      const record = decodeParityRecord(entry.data);
      this.#lastPosition = Math.max(this.#lastPosition, entry.position);
      switch (record.kind) {
        case 'checkpoint': {
          const checkpoint = this.#afterEpochRecords(record, epochRecords);
          // Applies logged before it but in progress when it was taken: counted if of the epoch it records.
          const inEpoch = new Map<NodeId, number[]>();
          for (const a of checkpoint.applied) {
            epochs.set(a.member, a.epoch);
            inEpoch.set(a.member, (since.get(a.member) ?? []).filter((s) => s.epoch === a.epoch).map((s) => s.seq));
          }
          if (r.checkpoint(checkpoint, inEpoch, lossChanges)) this.#probe.hit('checkpoint-loss-replayed');
          continue;
        }
        case 'epoch':
          epochs.set(record.member, record.epoch);
          epochRecords.set(record.member, record);
          since.set(record.member, []);
          r.epoch(record.member, record.epoch, record.request);
          continue;
        case 'member':
          r.member(record.name, record.blockCount, record.state);
          if (record.state === 'left') {
            epochRecords.delete(record.name); // a member that joins again numbers its epochs anew
            lossChanges.push(() => r.lossesForgotten(record.name));
          }
          continue;
        case 'apply': {
          // A delta of the member's previous life, applied as its new epoch began: its Q write stands, its number means nothing now.
          // A log that begins with applies (in progress when the checkpoint after them was taken, so kept) names
          // no epoch before them: the checkpoint that follows judges them (it used to drop them as epoch 0's).
          const known = epochs.get(record.member);
          if (known !== undefined && record.epoch !== known) break;
          let seqs = since.get(record.member);
          if (seqs === undefined) since.set(record.member, (seqs = []));
          seqs.push({ seq: record.seq, epoch: record.epoch });
          r.applied(record.member, record.seq);
          lossChange(() => replayLosses(record, r));
          break;
        }
        case 'merge':
          if (!epochs.has(record.member)) epochs.set(record.member, record.epoch); // as a rebuilt parity array learns it
          r.merged(record.member, record.block, record.upTo, record.epoch);
          lossChange(() => replayLosses(record, r));
          break;
        case 'unmerge':
          r.unmerged(record.member, record.block);
          break;
        case 'write':
          lossChange(() => replayLosses(record, r));
          break;
        case 'lost':
          lossChange(() => replayLosses(record, r));
          continue;
      }
      this.#probe.hit('parity-journal-redo');
      // An empty newQ: Q[block] was unavailable then (rebuilt from the members' copies, which include that change).
      if (record.newQ.length === 0) owed.add(record.block);
      else if (!(await r.redo(record.block, record.newQ))) unwritten.add(record.block);
      else {
        // A later logged Q was read from the earlier one's write (under the block's lock), so it holds
        // it: rewritten, it settles an earlier redo that failed.
        unwritten.delete(record.block);
        // A recomputation from the members' copies logged after it settled that debt (any other Q
        // logged since may come from a redo of an older value, which does not hold the change).
        if (record.kind === 'write') owed.delete(record.block);
      }
    }
    return [...new Set([...unwritten, ...owed])].sort((a, b) => a - b);
  }
}
