// The parity array's side of leave: XOR a decommissioned member out of Q.
//
// For each block of the member, under the Q[k] lock, fetch its copy and XOR it
// out. It only takes a copy the member reports settled (no delta for the
// block still unacknowledged; the member refuses new writes once it asked to
// leave, so its deltas drain) and retries otherwise; each block taken out is
// logged (parity-log.ts), so a leave a parity crash interrupted resumes without
// taking a block out twice. (literal-parity.ts takes each copy as it comes.) A
// member that cannot give its copy (an unreadable or corrupt block) is asked
// to repair it first — from parity, as any damaged copy is — then gives it.
import type { WriteResult } from '../ports/block-device.js';
import type { NodeId } from '../ports/transport.js';
import { assert } from '../util/assert.js';
import { retransmitDelay } from '../protocol/retransmit.js';
import { xorInto } from '../protocol/xor.js';
import type { Member } from './member.js';
import { requestCopy } from './copy-request.js';
import type { PartDeps } from './part-deps.js';

interface LeaverDeps extends PartDeps {
  /** Q[block] is unavailable: rebuild it from the members' copies (repairer.ts). */
  readonly repairQ: (block: number) => void;
  /** Logs that `member`'s `block` is out of Q, and writes newQ. */
  readonly storeUnmerge: (member: NodeId, block: number, newQ: Uint8Array) => Promise<WriteResult>;
  /** Asks `member` to repair its copy of `block` (or learn it is lost); resolves when it has. */
  readonly askRepair: (member: NodeId, block: number) => Promise<void>;
}

const CONCURRENCY = 8;

export class Leaver {
  readonly #d: LeaverDeps;
  /** Per leaving member: blocks already XORed out of Q. */
  readonly #removed = new Map<NodeId, Set<number>>();
  readonly #running = new Set<NodeId>();

  constructor(deps: LeaverDeps) {
    this.#d = deps;
  }

  /** Has `member` begun leaving (and not been forgotten)? */
  leaving(member: NodeId): boolean {
    return this.#removed.has(member);
  }

  /** Is the removal of `member` running now? */
  running(member: NodeId): boolean {
    return this.#running.has(member);
  }

  /** Does Q[block] still include `member`'s block? */
  contributes(member: NodeId, block: number): boolean {
    return !(this.#removed.get(member)?.has(block) ?? false);
  }

  /** Journal replay: `member` began leaving; `block` (if given) is out of Q already. */
  // unasserted: journal replay's bookkeeping (a set made if missing, a block added).
  restoreRemoved(member: NodeId, block?: number): void {
    let removed = this.#removed.get(member);
    if (removed === undefined) this.#removed.set(member, (removed = new Set()));
    if (block !== undefined) removed.add(block);
  }

  /** For a checkpoint: every leaving member's blocks out of Q so far. */
  entries(): { member: NodeId; blocks: number[] }[] {
    return [...this.#removed].map(([member, blocks]) => ({ member, blocks: [...blocks].sort((a, b) => a - b) }));
  }

  /** XORs every block of `member` still in Q out of it; resolves when done. */
  async remove(member: Member): Promise<void> {
    if (this.#running.has(member.name)) return;
    this.#running.add(member.name);
    this.restoreRemoved(member.name);
    const removed = this.#removed.get(member.name)!;
    let next = 0;
    const worker = async () => {
      while (next < member.blockCount) {
        const block = next++;
        if (removed.has(block)) continue;
        for (let attempt = 1; ; attempt++) {
          const outcome = await this.#removeBlock(member.name, block, removed);
          if (outcome === 'done') break;
          // No copy to give: the member repairs it (its repair needs the Q[block] lock, released now).
          if (outcome === 'no-copy') await this.#d.askRepair(member.name, block);
          else await this.#d.clock.sleep(retransmitDelay(this.#d.retransmit, attempt));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert(removed.size === member.blockCount, `${member.name}: ${removed.size} of ${member.blockCount} blocks taken out of Q`);
    this.#running.delete(member.name);
  }

  /** `member` has left (its removal journaled complete): nothing of it is in Q, nothing to remember. */
  forget(member: NodeId): void {
    this.#removed.delete(member);
  }

  /** 'retry' if the member's copy was not settled yet, or Q[block] is being rebuilt (try again later); 'no-copy' if the member could not give it. */
  async #removeBlock(member: NodeId, block: number, removed: Set<number>): Promise<'done' | 'retry' | 'no-copy'> {
    const d = this.#d;
    assert(!removed.has(block), `${member}: block ${block} taken out of Q twice`);
    const work = async (): Promise<'done' | 'retry' | 'no-copy'> => {
      const copy = await requestCopy(d.rpc, member, block);
      if (copy.status === 2) return 'no-copy';
      if (copy.status === 1) return 'retry'; // 3 or 4: a lost block's zeros, which is what Q counts for it
      const wait = d.buggify.delay('leave-before-unmerge');
      if (wait > 0) await d.clock.sleep(wait);
      const q = await d.disk.read(block);
      if (!q.ok) {
        d.repairQ(block); // then try again
        return 'retry';
      }
      if (copy.data.length === q.data.length) xorInto(q.data, copy.data);
      const stored = await d.storeUnmerge(member, block, q.data);
      removed.add(block);
      if (!stored.ok) d.repairQ(block); // rebuilt from the members that remain
      return 'done';
    };
    return d.locks.with(block, work);
  }
}
