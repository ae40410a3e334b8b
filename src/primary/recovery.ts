// A primary's journal recovery, when it starts (after a crash, a power
// failure): the header gives back the epoch and the lost blocks; every
// journaled write not yet trimmed is redone in order — unless older than its
// block's loss — and its delta resent until parity acknowledges it (no write
// hole). Lost blocks are reported again and their zeros rewritten, and a
// restore the crash cut short resumes (restoration.ts). Host I/O and parity's
// copy and repair requests wait for it (the controller's recovery gate).
import type { DurableLog } from '../ports/durable-log.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId } from '../ports/transport.js';
import { decodeHeader, decodeJournalRecord } from '../protocol/journal-record.js';
import { assert } from '../util/assert.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk } from '../util/verified-disk.js';
import type { LossNotices } from './loss-notices.js';
import { LostBlocks } from './lost-blocks.js';
import type { Mender } from './mender.js';
import type { Outbox } from './outbox.js';
import type { Restoration } from './restoration.js';
import type { RestoreState } from './restore-state.js';

interface RecoveryDeps {
  readonly name: NodeId;
  readonly disk: VerifiedDisk;
  readonly locks: BlockLocks;
  readonly restore: RestoreState;
  readonly restoration: Restoration;
  readonly outbox: Outbox;
  readonly mender: Mender;
  readonly notices: LossNotices;
  readonly probe: Probe;
  /** A journaled delta number: the highest assigned so far is at least it. */
  readonly seen: (seq: number) => void;
  /** A block was reported lost. */
  readonly lost: (block: number) => void;
  /** It left the group and is not joining again: the deltas its journal holds are owed to no parity array. */
  readonly gone: () => boolean;
}

export class Recovery {
  readonly #d: RecoveryDeps;

  constructor(deps: RecoveryDeps) {
    this.#d = deps;
  }

  /** Redo every journaled write in order, then resend its delta until acknowledged. */
  async recover(journal: DurableLog): Promise<void> {
    const d = this.#d;
    const contents = await journal.read();
    const header = decodeHeader(contents.header);
    d.restoration.recovered(header);
    const lost = (d.restore.lost = LostBlocks.decode(header.lost));
    const lostBefore = lost.size;
    d.outbox.trimmedUpTo(contents.trimmedUpTo);
    let previous = contents.trimmedUpTo;
    for (const entry of contents.records) {
      // The journal holds what was not trimmed, in the order it was appended.
      assert(entry.position > previous, `${d.name}: journal record ${entry.position} after ${previous}`);
      previous = entry.position;
      const record = decodeJournalRecord(entry.data);
      d.seen(entry.position);
      // Its delta is resent whatever happens to the data (parity applies it once, or has).
      void d.outbox.send(record.block, record.delta, entry.position, record.replaces);
      // A write older than the block's loss: the loss stands, the data is not the host's to read.
      if ((lost.since(record.block) ?? -1) >= entry.position) continue;
      d.probe.hit('primary-journal-redo');
      // If the disk cannot take it (a lost drive), the resent delta keeps it in parity (a degraded write).
      const redone = await d.locks.with(record.block, () => d.disk.write(record.block, record.data));
      d.outbox.unstored(entry.position, redone.ok ? undefined : record.data); // failed: the resent delta holds its only copy
      d.notices.written(record.block); // a loss notice that came meanwhile predates this write's delta
      if (redone.ok) d.restore.valid.add(record.block); // newer than anything a resumed restore may send
      lost.delete(record.block); // a write after the loss replaced it
    }
    if (lost.size !== lostBefore) await d.restoration.persist();
    // Reported again: a loss is journaled before it is reported, and a crash between the two kept it
    // unreported for ever (seed 2258: its zeros then passed for data). At least once, then.
    for (const block of lost.blocks()) d.lost(block);
    d.mender.zeroFillLost(); // a power failure may have reverted a lost block's zeros
    if (d.gone()) d.outbox.abandon(); // it crashed after leaving, before its journal was trimmed (and is not joining again)
    // A restore a crash interrupted resumes (same epoch, new session).
    if (header.restoring === 1) d.restoration.resume();
  }
}
