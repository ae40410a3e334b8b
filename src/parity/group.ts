// The parity array's view of its group: who is a member, in what state
// (joining, leaving), in which epoch each member's delta numbers run, and
// which of them are applied — everything the journal must bring back after a
// crash (parity-log.ts): what a checkpoint records, and how records replay.
import type { NodeId } from '../ports/transport.js';
import type { CheckpointState, MemberState } from '../protocol/parity-journal.js';
import { assert } from '../util/assert.js';
import { SeqSet } from '../protocol/seq-set.js';
import type { Joiner } from './joiner.js';
import type { Leaver } from './leaver.js';
import type { Losses } from './losses.js';
import type { Member } from './member.js';
import type { Replay } from './parity-log.js';

export class Group {
  readonly members: Map<NodeId, Member>;
  /** Per member: deltas applied. */
  readonly applied = new Map<NodeId, SeqSet>();
  /** Per member: deltas being applied right now (their duplicates wait for the ack). */
  readonly applying = new Map<NodeId, Set<number>>();
  /** Per member: the epoch its deltas must carry. */
  readonly epochs = new Map<NodeId, number>();
  /** Per member: the id of the restore request that began its epoch (journaled, so it outlives a crash of ours). */
  readonly restoreRequests = new Map<NodeId, number>();
  /** Members' lost blocks, and stripes waiting to be re-protected. */
  readonly losses: Losses;
  /** Members not simply in the group: joining or leaving. */
  readonly #states = new Map<NodeId, MemberState>();
  readonly #joiner: Joiner;
  readonly #leaver: Leaver;
  /** The group as configured, in checkpoint form (a checkpoint records the group only if it differs). */
  readonly #configured: string;
  /** Joins and leaves found complete in the journal (the previous life may have died before announcing them). */
  readonly completed: { readonly member: NodeId; readonly state: 'member' | 'left' }[] = [];

  constructor(config: readonly (Member & { readonly joining?: boolean })[], joiner: Joiner, leaver: Leaver, losses: Losses) {
    this.#joiner = joiner;
    this.#leaver = leaver;
    this.losses = losses;
    this.members = new Map(config.map((m) => [m.name, { name: m.name, blockCount: m.blockCount }]));
    for (const m of config) if (m.joining === true) this.set(m.name, 'joining');
    this.#configured = JSON.stringify(this.#list());
  }

  state(member: NodeId): MemberState | undefined {
    return this.members.has(member) ? (this.#states.get(member) ?? 'member') : undefined;
  }

  /** Members whose join has begun and not completed. */
  joining(): Member[] {
    return [...this.#states].filter(([, s]) => s === 'joining').map(([name]) => this.members.get(name)!);
  }

  /** `member` is now in `state` (added first if it is new: `blockCount`). */
  set(member: NodeId, state: MemberState, blockCount?: number): void {
    if (blockCount !== undefined && !this.members.has(member)) this.members.set(member, { name: member, blockCount });
    if (state === 'left') {
      this.members.delete(member);
      this.applied.delete(member);
      this.epochs.delete(member);
      this.restoreRequests.delete(member);
      this.#joiner.forget(member);
      this.#leaver.forget(member);
      this.losses.forget(member);
    }
    if (state === 'member' || state === 'left') this.#states.delete(member);
    else this.#states.set(member, state);
    if (state === 'joining') this.#joiner.restoreJoining(member);
    // Past joining (a member, or leaving: a checkpoint may record only that), its
    // join is complete and its blocks all count — a checkpoint keeps only some
    // of their merge records.
    if (state !== 'joining') this.#joiner.restoreJoined(member);
    if (state === 'leaving') this.#leaver.restoreRemoved(member);
    assert((state === 'left') !== this.members.has(member), `member ${member} ${state} without its size`);
  }

  /** `member` starts epoch `epoch`, begun by restore request `request`: its delta numbers restart. */
  newEpoch(member: NodeId, epoch: number, request: number | undefined): void {
    // Equal: a resume's epoch that a join's merge taught us while its record was being written.
    assert(epoch >= (this.epochs.get(member) ?? 0), `${member}: epoch ${epoch} begun after ${this.epochs.get(member)}`);
    this.epochs.set(member, epoch);
    if (request === undefined) this.restoreRequests.delete(member);
    else this.restoreRequests.set(member, request);
    this.applied.set(member, new SeqSet());
    this.applying.set(member, new Set());
    this.#joiner.forget(member);
  }

  /** A member's copy told us its epoch (a rebuilt parity array learns them so). */
  learnEpoch(member: NodeId, epoch: number): void {
    if (!this.epochs.has(member)) this.epochs.set(member, epoch);
  }

  appliedSet(member: NodeId): SeqSet {
    return table(this.applied, member, () => new SeqSet());
  }

  applyingSet(member: NodeId): Set<number> {
    return table(this.applying, member, () => new Set<number>());
  }

  /**
   * What a checkpoint must carry for the records it lets go. It lacks the loss
   * changes of records still being written (their callers make them once the
   * write is done): replay makes those again after the checkpoint
   * (parity-log.ts, recover).
   */
  snapshot(): CheckpointState {
    const ids = new Set([...this.applied.keys(), ...this.epochs.keys()]);
    const applied = [...ids].map((member) => {
      const set = this.applied.get(member) ?? new SeqSet();
      const request = this.restoreRequests.get(member);
      return { member, epoch: this.epochs.get(member) ?? 0, floor: set.floor, above: set.above(), ...(request !== undefined && { request }) };
    });
    const group = this.#list();
    const merged = this.#joiner
      .members()
      .map((member) => ({ member, blocks: this.#joiner.entries(member, this.applied.get(member)?.floor ?? 0) }))
      .filter((m) => m.blocks.length > 0 || this.#joiner.joining(m.member));
    const removed = this.#leaver.entries();
    const lost = this.losses.entries();
    const reprotect = this.losses.pendingBlocks();
    const stale = this.losses.staleBlocks();
    return {
      applied,
      ...(JSON.stringify(group) !== this.#configured && { members: group }),
      ...(merged.length > 0 && { merged }),
      ...(removed.length > 0 && { removed }),
      ...(lost.length > 0 && { lost }),
      ...(reprotect.length > 0 && { reprotect }),
      ...(stale.length > 0 && { stale }),
    };
  }

  /** How journal records rebuild the group; `redo` rewrites a logged Q block. */
  replay(redo: Replay['redo']): Replay {
    return {
      checkpoint: (state, since, lossChanges) => {
        this.applied.clear();
        this.restoreRequests.clear();
        for (const a of state.applied) {
          this.epochs.set(a.member, a.epoch);
          if (a.request !== undefined) this.restoreRequests.set(a.member, a.request);
          const set = SeqSet.from(a.floor, a.above);
          for (const seq of since.get(a.member) ?? []) set.add(seq);
          this.applied.set(a.member, set);
        }
        assert(this.applied.size === state.applied.length, `a checkpoint lists a member's applied deltas twice`);
        if (state.members !== undefined) {
          for (const name of [...this.members.keys()]) if (!state.members.some((m) => m.name === name)) this.set(name, 'left');
          for (const m of state.members) this.set(m.name, m.state, m.blockCount);
        }
        for (const m of state.merged ?? []) for (const [block, upTo] of m.blocks) this.#joiner.restoreMerged(m.member, block, upTo);
        for (const m of state.removed ?? []) for (const block of m.blocks) this.#leaver.restoreRemoved(m.member, block);
        this.losses.restore(state.lost ?? [], state.reprotect ?? [], state.stale ?? []);
        const snapshot = this.losses.fingerprint();
        for (const change of lossChanges) change(); // records kept before it whose change its snapshot may lack
        return this.losses.fingerprint() !== snapshot;
      },
      lost: (member, block, stale) => void this.losses.add(member, block, stale),
      found: (member, block) => this.losses.found(member, block),
      reprotected: (block) => this.losses.reprotected(block),
      lossesForgotten: (member) => this.losses.forget(member),
      epoch: (member, epoch, request) => this.newEpoch(member, epoch, request),
      applied: (member, seq) => this.appliedSet(member).add(seq),
      member: (name, blockCount, state) => {
        this.set(name, state, blockCount);
        if (state === 'member' || state === 'left') this.completed.push({ member: name, state });
      },
      merged: (member, block, upTo, epoch) => {
        this.#joiner.restoreMerged(member, block, upTo);
        this.learnEpoch(member, epoch);
      },
      unmerged: (member, block) => this.#leaver.restoreRemoved(member, block),
      redo,
    };
  }

  /** The group, sorted, with each member's state. */
  #list(): NonNullable<CheckpointState['members']> {
    return [...this.members.values()]
      .map((m) => ({ name: m.name, blockCount: m.blockCount, state: this.#states.get(m.name) ?? ('member' as const) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

function table<T>(map: Map<NodeId, T>, member: NodeId, make: () => T): T {
  let t = map.get(member);
  if (t === undefined) map.set(member, (t = make()));
  return t;
}
