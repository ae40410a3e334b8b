// The parity array's side of join (claims 3, 8, 13; and 4, 9, 14 for the new
// member's writes during and after it) — and of a parity rebuild, which is a
// join of every member into an empty Q.
//
// Parity asks the new member for a copy of each of its blocks and XORs it into
// Q[k] (holding the Q[k] lock). The new member's deltas flow from the start of
// the join, kept exact (H6): the copy says up to which delta
// number it reflects; a delta for a block not merged yet first triggers that
// block's merge; afterwards, deltas the copy already reflects are acknowledged
// without being applied, later ones are applied. Each merge is logged with what
// it reflects (parity-log.ts), so after a parity crash the join resumes where
// it was, and late deltas are still judged: nothing merged twice or forgotten.
// (The literal join, in literal-parity.ts, applies every delta as it comes, as
// the claims say — a write that lands in both the copy and a delta counts twice.)
import type { WriteResult } from '../ports/block-device.js';
import type { NodeId } from '../ports/transport.js';
import { retransmitDelay } from '../protocol/retransmit.js';
import { isRefused } from '../protocol/rpc.js';
import { xorInto } from '../protocol/xor.js';
import { assert } from '../util/assert.js';
import type { Member } from './member.js';
import type { PartDeps } from './part-deps.js';

interface JoinerDeps extends PartDeps {
  /** A member's copy told us its epoch (a rebuilt parity array learns them so). */
  readonly learnEpoch: (member: NodeId, epoch: number) => void;
  /** The member's epoch as parity knows it now (undefined: none yet). */
  readonly epochOf: (member: NodeId) => number | undefined;
  /** Q[block] is unavailable: rebuild it from the members' copies (repairer.ts). */
  readonly repairQ: (block: number) => void;
  /**
   * Logs the merge of `member`'s `block` (reflecting deltas up to `upTo`) and
   * writes newQ (empty: Q unavailable, nothing to write; Q[block] is then owed
   * its recomputation from the members' copies). `noCopy`: the member
   * had none to give — zeros went in, and its block is lost (in the same record).
   */
  readonly storeMerge: (member: NodeId, block: number, upTo: number, epoch: number, noCopy: boolean, newQ: Uint8Array) => Promise<WriteResult>;
}

interface Joining {
  readonly member: Member;
  /** Merged blocks → the last delta number their merged copy reflects. */
  readonly merged: Map<number, number>;
  /** Merges under way, so a block is merged once. */
  readonly merging: Map<number, Promise<number>>;
}

const CONCURRENCY = 8;

export class Joiner {
  readonly #d: JoinerDeps;
  /** Joins running now. */
  readonly #running = new Map<NodeId, Joining>();
  /** Members whose join has begun and not completed (running, or to be resumed after a crash). */
  readonly #joining = new Set<NodeId>();
  /** Blocks merged per member, with what they reflect; kept after the join so late deltas are still judged. */
  readonly #mergedUpTo = new Map<NodeId, Map<number, number>>();

  constructor(deps: JoinerDeps) {
    this.#d = deps;
  }

  /** Is `member` still joining (its join not journaled complete: some blocks may not be in Q yet)? */
  joining(member: NodeId): boolean {
    return this.#joining.has(member);
  }

  /** Is a merge of `block` under way (for any member)? */
  // unasserted: a query
  merging(block: number): boolean {
    if (this.#running.size === 0) return false; // asked of every block the checkers judge: no iterator then
    for (const j of this.#running.values()) if (j.merging.has(block)) return true;
    return false;
  }

  /** Does Q[block] include `member`'s copy yet? */
  contributes(member: NodeId, block: number): boolean {
    return !this.#joining.has(member) || (this.#mergedUpTo.get(member)?.has(block) ?? false);
  }

  /** Journal replay: `member`'s join had begun. */
  restoreJoining(member: NodeId): void {
    this.#joining.add(member);
    if (!this.#mergedUpTo.has(member)) this.#mergedUpTo.set(member, new Map());
  }

  /** Journal replay: `member`'s join was complete (every block merged). */
  restoreJoined(member: NodeId): void {
    this.#joining.delete(member);
  }

  /** Journal replay: `block` of `member` was merged, reflecting its deltas up to `upTo`. */
  restoreMerged(member: NodeId, block: number, upTo: number): void {
    let merged = this.#mergedUpTo.get(member);
    if (merged === undefined) this.#mergedUpTo.set(member, (merged = new Map()));
    merged.set(block, upTo);
  }

  /**
   * The member left, or its delta numbers restarted (a restore's new epoch):
   * what its merged copies reflected says nothing about its new deltas. While
   * it is still joining, the blocks merged stay merged (Q holds their copies)
   * but reflect none of the new epoch's deltas: each of those is applied.
   * (Keeping the old numbers absorbed the new epoch's deltas 1, 2, … as if in
   * the copies, and Q went stale: a member restored during a parity rebuild.)
   */
  forget(member: NodeId): void {
    const merged = this.#mergedUpTo.get(member);
    if (merged === undefined) return;
    if (!this.#joining.has(member)) this.#mergedUpTo.delete(member);
    else for (const block of merged.keys()) merged.set(block, 0);
    assert(this.#mergedUpTo.has(member) === this.#joining.has(member), `${member}: merge records kept after its join`);
  }

  /** For a checkpoint: `member`'s merged blocks still needed — all while joining, else those reflecting deltas above `floor`. */
  // unasserted: a query, changing nothing.
  entries(member: NodeId, floor: number): [number, number][] {
    const merged = this.#mergedUpTo.get(member);
    if (merged === undefined) return [];
    const joining = this.#joining.has(member);
    return [...merged].filter(([, upTo]) => joining || upTo > floor).sort(([a], [b]) => a - b);
  }

  /** Members with merge records (for checkpoints). */
  members(): NodeId[] {
    return [...this.#mergedUpTo.keys()];
  }

  /** Starts (or, after a crash, resumes) merging `member`; `done` runs once every block is in Q. */
  begin(member: Member, done: () => void): void {
    assert(!this.#running.has(member.name), `join of ${member.name} already running`);
    this.restoreJoining(member.name);
    const j: Joining = { member, merged: this.#mergedUpTo.get(member.name)!, merging: new Map() };
    this.#running.set(member.name, j);
    this.#d.clock.spawn(`join ${member.name}`, async () => {
      let next = 0;
      const worker = async () => {
        while (next < member.blockCount) await this.#merge(j, next++);
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      this.#running.delete(member.name);
      // Still joining until its completion is journaled (group.ts set 'member'): until then a
      // checkpoint must keep every merge record, or a crash merges a block again (Q takes it twice).
      done();
    });
  }

  /**
   * What to do with a delta from a member that joined: 'apply' it,
   * or 'absorbed' (already in the merged copy). Merges the block first if needed.
   */
  async classify(member: NodeId, block: number, seq: number): Promise<'apply' | 'absorbed'> {
    assert(seq >= 1, `${member}: an unnumbered delta classified`);
    const merged = this.#mergedUpTo.get(member);
    if (merged === undefined) return 'apply'; // a founding member
    const j = this.#running.get(member);
    const upTo = merged.get(block) ?? (j !== undefined ? await this.#merge(j, block) : 0);
    if (seq > upTo) return 'apply';
    this.#d.probe.hit('join-delta-absorbed');
    return 'absorbed';
  }

  /** XORs the member's copy of `block` into Q[block] (once); returns the delta number it reflects. */
  #merge(j: Joining, block: number): Promise<number> {
    assert(this.#running.get(j.member.name) === j && block < j.member.blockCount, `${j.member.name}: block ${block} merged outside its join`);
    const known = j.merged.get(block);
    if (known !== undefined) return Promise.resolve(known);
    let running = j.merging.get(block);
    if (running === undefined) {
      running = this.#doMerge(j, block);
      j.merging.set(block, running);
    }
    return running;
  }

  async #doMerge(j: Joining, block: number): Promise<number> {
    const d = this.#d;
    const name = j.member.name;
    assert(!j.merged.has(block), `${name}: block ${block} merged twice`);
    const merge = async () => {
      let copy = await d.rpc.call(name, 'join-copy', (id) => ({ type: 'join-copy-request', id, block }));
      // Refused (the member's view of its size differs): ask again later, never invent a copy.
      for (let attempt = 1; isRefused(copy); attempt++) {
        d.probe.hit('request-refused');
        await d.clock.sleep(retransmitDelay(d.retransmit, attempt));
        copy = await d.rpc.call(name, 'join-copy', (id) => ({ type: 'join-copy-request', id, block }));
      }
      d.learnEpoch(name, copy.epoch);
      const wait = d.buggify.delay('join-before-merge');
      if (wait > 0) await d.clock.sleep(wait);
      const q = await d.disk.read(block);
      // An empty copy: the member could not read its block (it is lost there, and counts as zeros).
      if (q.ok && copy.data.length > 0) xorInto(q.data, copy.data);
      // Q[block] unavailable: logged as merged all the same; its rebuild from every contributing member's copy includes this one.
      const noCopy = copy.data.length === 0;
      // Q[block] lacks this copy until it is rebuilt from the members' (a redo of an older logged Q may make it readable before then).
      if (!q.ok) d.probe.hit('merge-absorbed', block);
      // A copy of an earlier epoch (the member's restore began a new one while it was on its way)
      // reflects none of the new epoch's deltas, whose numbers start again at 1: each is applied.
      const older = () => copy.epoch < (d.epochOf(name) ?? copy.epoch);
      const stored = await d.storeMerge(name, block, older() ? 0 : copy.reflectsUpTo, copy.epoch, noCopy, q.ok ? q.data : new Uint8Array(0));
      // Q[block] unavailable: storeMerge has its recomputation owed (a Q written merely repaired could read intact first).
      if (q.ok && !stored.ok) d.repairQ(block);
      // Merged before the lock is released: whoever takes it next sees the member in Q[block].
      const upTo = older() ? 0 : copy.reflectsUpTo;
      j.merged.set(block, upTo);
      return upTo;
    };
    const upTo = await d.locks.with(block, merge);
    j.merging.delete(block);
    return upTo;
  }
}
