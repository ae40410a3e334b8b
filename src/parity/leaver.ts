// The parity array's side of leave: XOR a decommissioned member out of Q.
//
// For each block of the member, under the Q[k] lock, fetch its copy and XOR it
// out. hardened only takes a copy the member reports settled (no delta for the
// block still unacknowledged; the member refuses new writes once it asked to
// leave, so its deltas drain) and retries otherwise; literal takes each copy
// once, as it comes.
import type { Clock } from '../ports/clock.js';
import type { NodeId } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { type RetransmitOptions, retransmitDelay } from '../protocol/retransmit.js';
import type { Rpc } from '../protocol/rpc.js';
import { xorInto } from '../protocol/xor.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk } from '../util/verified-disk.js';
import type { Member } from './parity-controller.js';

interface LeaverDeps {
  readonly disk: VerifiedDisk;
  readonly clock: Clock;
  readonly rpc: Rpc;
  readonly locks: BlockLocks;
  readonly hardened: boolean;
  readonly retransmit: RetransmitOptions;
  /** Q[block] is unavailable: rebuild it from the members' copies (repairer.ts). */
  readonly repairQ: (block: number) => void;
}

const CONCURRENCY = 8;

export class Leaver {
  readonly #d: LeaverDeps;
  /** Per leaving member: blocks already XORed out of Q. */
  readonly #removed = new Map<NodeId, Set<number>>();
  blocksRemoved = 0;

  constructor(deps: LeaverDeps) {
    this.#d = deps;
  }

  leaving(member: NodeId): boolean {
    return this.#removed.has(member);
  }

  /** Does Q[block] still include `member`'s block? */
  contributes(member: NodeId, block: number): boolean {
    return !(this.#removed.get(member)?.has(block) ?? false);
  }

  /** XORs every block of `member` out of Q; resolves when done. */
  async remove(member: Member): Promise<void> {
    if (this.#removed.has(member.name)) return;
    const removed = new Set<number>();
    this.#removed.set(member.name, removed);
    let next = 0;
    const worker = async () => {
      while (next < member.blockCount) {
        const block = next++;
        for (let attempt = 1; !(await this.#removeBlock(member.name, block, removed)); attempt++) {
          await this.#d.clock.sleep(retransmitDelay(this.#d.retransmit, attempt));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    this.#removed.delete(member.name);
  }

  /** False if the member's copy was not settled yet (hardened: try again later). */
  async #removeBlock(member: NodeId, block: number, removed: Set<number>): Promise<boolean> {
    const d = this.#d;
    const work = async () => {
      const copy = await d.rpc.call<Extract<Message, { type: 'copy-reply' }>>(member, (id) => ({ type: 'copy-request', id, block }));
      if (d.hardened && copy.status !== 0) return false;
      const q = await d.disk.read(block);
      if (!q.ok) {
        d.repairQ(block); // then try again
        return false;
      }
      if (copy.data.length === q.data.length) xorInto(q.data, copy.data);
      const stored = await d.disk.write(block, q.data);
      removed.add(block);
      if (!stored.ok) d.repairQ(block); // rebuilt from the members that remain
      this.blocksRemoved++;
      return true;
    };
    return d.hardened ? d.locks.with(block, work) : work();
  }
}
