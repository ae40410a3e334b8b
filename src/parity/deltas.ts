// Parity's side of an update (claims 2, 7, 12): a member's delta (k, d)
// becomes Q[k] ^ d. The deltas of one block are applied one at a time (read-modify-write
// under the block's lock), each (member, seq) exactly once — duplicates and
// retransmissions are dropped, even while the first copy is still being
// applied — journals every new Q[k] before writing it (parity-log.ts), and
// acknowledges a delta only once that is durable. A delta for a Q[k] it cannot
// read is absorbed: acknowledged, and owed to the recomputation of Q[k]
// (repairer.ts), which gathers it from its member's copy.
import type { WriteResult } from '../ports/block-device.js';
import { type Buggify, halted } from '../ports/buggify.js';
import type { Clock } from '../ports/clock.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Seam } from '../protocol/planted-bugs.js';
import { assert } from '../util/assert.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk } from '../util/verified-disk.js';
import type { Group } from './group.js';
import type { Joiner } from './joiner.js';
import type { Leaver } from './leaver.js';
import type { ParityLog } from './parity-log.js';
import type { Repairer } from './repairer.js';

/** Where a delta comes from: its member, the member's epoch it was sent in, its number, and whether its write replaced a lost block. */
export interface Origin {
  readonly member: NodeId;
  readonly epoch: number;
  readonly seq: number;
  readonly replaces: number;
}

interface DeltaDeps {
  readonly name: NodeId;
  readonly disk: VerifiedDisk;
  readonly net: Transport;
  readonly clock: Clock;
  readonly locks: BlockLocks;
  readonly log: ParityLog;
  readonly group: Group;
  readonly joiner: Joiner;
  readonly leaver: Leaver;
  readonly repairer: Repairer;
  readonly probe: Probe;
  readonly buggify: Buggify;
  /** The decisions a planted bug may change (src/protocol/planted-bugs.ts). */
  readonly seam: Seam;
  /** Resolves once journal recovery is done (the applied sets and epochs are whole). */
  readonly ready: () => Promise<void>;
}

export class Deltas {
  readonly #d: DeltaDeps;
  duplicatesDropped = 0;

  constructor(deps: DeltaDeps) {
    this.#d = deps;
  }

  /** Applies (member, seq) exactly once, then acknowledges it. */
  async applyOnce(from: Origin, block: number, delta: Uint8Array): Promise<void> {
    const d = this.#d;
    const { member, seq } = from;
    assert(seq >= 1, `${d.name}: delta from ${member} without a sequence number`);
    await d.ready(); // the applied sets and epochs are only whole once recovery is done
    if (this.#stale(from)) return;
    const applied = d.group.appliedSet(member);
    const applying = d.group.applyingSet(member);
    const dedup = d.seam.dedups;
    if (dedup && applied.has(seq)) {
      // Applied before: our ack was lost or overtaken by a retransmission.
      this.duplicatesDropped++;
      d.probe.hit('duplicate-delta-dropped');
      d.net.send(member, { type: 'delta-ack', block, epoch: from.epoch, seq });
      return;
    }
    if (dedup && applying.has(seq)) {
      this.duplicatesDropped++; // the first copy will be acknowledged when it is durable
      d.probe.hit('duplicate-delta-dropped');
      return;
    }
    // A block a leave took out of Q already (its copy settled then): a later write is not in Q, and must not be.
    if (d.leaver.leaving(member) && !d.leaver.contributes(member, block)) {
      d.probe.hit('leave-delta-dropped');
      d.net.send(member, { type: 'delta-ack', block, epoch: from.epoch, seq });
      return;
    }
    applying.add(seq);
    const wait = d.buggify.delay('delta-before-apply');
    if (wait > 0) await d.clock.sleep(wait);
    if (d.seam.acksEarly) d.net.send(member, { type: 'delta-ack', block, epoch: from.epoch, seq });
    // Already in the copy merged at join: applying it again would count it twice.
    const outcome = (await d.joiner.classify(member, block, seq)) === 'apply' ? await this.apply(block, delta, from) : 'applied';
    applying.delete(seq);
    if (outcome === 'stale') return;
    applied.add(seq);
    if (!d.buggify.fires('delta-ack-drop')) d.net.send(member, { type: 'delta-ack', block, epoch: from.epoch, seq });
  }

  /** Applies a delta to Q[block], judging its epoch again under the lock. */
  async apply(block: number, delta: Uint8Array, from: Origin): Promise<'applied' | 'stale'> {
    const d = this.#d;
    assert(block >= 0 && block < d.disk.blockCount, `${d.name}: delta for block ${block} beyond the array`);
    return d.locks.with(block, async () => {
      // The member restarted its numbering (a restore began) while this waited: its old life's delta is void.
      if (this.#stale(from)) return 'stale';
      const q = await d.disk.read(block);
      if (!q.ok) {
        // The delta is in its member's copy, which the rebuild of Q[block] gathers.
        d.probe.hit('parity-delta-absorbed', block);
        // The record stays in the journal until the recomputation is done: a crash before it redoes the debt.
        const release = await d.log.held({ kind: 'apply', member: from.member, epoch: from.epoch, seq: from.seq, block, replaces: from.replaces, newQ: new Uint8Array(0) });
        this.#applied(from, block);
        d.repairer.recompute(block, release);
        return 'applied';
      }
      const next = d.seam.newQ(q.data, delta);
      const write = () => d.disk.write(block, next);
      const stored: WriteResult = await d.log.journaled({ kind: 'apply', member: from.member, epoch: from.epoch, seq: from.seq, block, replaces: from.replaces, newQ: next }, write);
      if (d.buggify.crashes('parity-crash-after-apply-write')) return halted();
      this.#applied(from, block);
      if (!stored.ok) d.repairer.repair(block); // its drive failed under it
      return 'applied';
    });
  }

  /** A delta is in Q (its record journaled): one whose write replaced a lost block ends that loss. */
  #applied(from: Origin, block: number): void {
    const d = this.#d;
    assert(d.locks.busy(block), `${d.name}: delta for block ${block} counted without the Q[${block}] lock`);
    const losses = d.group.losses;
    if (from.replaces === 1) losses.found(from.member, block);
    else if (losses.has(from.member, block)) {
      // The member wrote a block we hold lost without knowing it (its copy read fine again, or it
      // never heard): it holds data, and its delta is against that data, not the zeros Q counts.
      // The loss is over; Q[block] is recomputed from the members' copies.
      d.probe.hit('loss-overtaken-by-write');
      losses.found(from.member, block);
      d.repairer.recompute(block);
    }
  }

  /** Is this delta from a previous life of its member (another epoch)? */
  #stale(from: Origin): boolean {
    const d = this.#d;
    assert(from.seq >= 1, `${d.name}: an unnumbered delta judged for its epoch`);
    if (from.epoch === (d.group.epochs.get(from.member) ?? 0)) return false;
    d.probe.hit('stale-epoch-delta-dropped');
    return true;
  }
}
