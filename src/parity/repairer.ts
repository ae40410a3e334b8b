// Rebuilding Q[k] itself from the members, when parity's own copy is
// unreadable (a latent sector error, a lost drive) or wrong (see scrubber.ts).
//
// Q[k] = XOR of every contributing member's block k, gathered under the Q[k]
// lock, and only from a consistent cut: every copy settled (no delta for k
// awaiting parity's ack at its member) — otherwise release, wait, retry (as a
// restore does, H7). While Q[k] is unavailable, parity acknowledges deltas for
// k without applying them: each is already in its member's copy, which the
// repair gathers once the ack has reached it. A member that cannot supply its
// copy is a second damage in the group: nothing to rebuild from (the member
// reports its block lost when it needs it). A Q[k] the disk cannot store yet
// (its drive still failed) is rebuilt when the drive is replaced.
import type { WriteResult } from '../ports/block-device.js';
import type { Message } from '../protocol/messages.js';
import { retransmitDelay } from '../protocol/retransmit.js';
import { xorInto } from '../protocol/xor.js';
import { requestCopy } from './copy-request.js';
import type { GroupView, PartDeps } from './part-deps.js';

interface RepairerDeps extends PartDeps, GroupView {
  /** Is Q[block] as stored now usable (readable, and intact)? */
  readonly intact: (block: number) => Promise<boolean>;
  /** Journals and writes a new Q[block]. */
  readonly storeQ: (block: number, q: Uint8Array) => Promise<WriteResult>;
  /** Resolves once journal recovery is done. */
  readonly ready: () => Promise<void>;
}

type Outcome = 'done' | 'retry' | 'impossible';

export class Repairer {
  readonly #d: RepairerDeps;
  readonly #running = new Set<number>();
  /** Q blocks rebuilt from the members. */
  repaired = 0;

  constructor(deps: RepairerDeps) {
    this.#d = deps;
  }

  /** Is a rebuild of Q[block] under way? */
  repairing(block: number): boolean {
    return this.#running.has(block);
  }

  /** Rebuilds Q[block] from the members, in the background (once, however often asked). */
  repair(block: number): void {
    if (this.#running.has(block)) return;
    this.#running.add(block);
    const d = this.#d;
    d.clock.spawn(`repair Q[${block}]`, async () => {
      await d.ready();
      for (let attempt = 1; (await d.locks.with(block, () => this.#rebuild(block))) === 'retry'; attempt++) {
        await d.clock.sleep(retransmitDelay(d.retransmit, attempt));
      }
      this.#running.delete(block);
    });
  }

  /** Call holding the Q[block] lock. */
  async #rebuild(block: number): Promise<Outcome> {
    const d = this.#d;
    if (await d.intact(block)) return 'done'; // repaired meanwhile
    const members = [...d.members()].filter((m) => m.blockCount > block && d.contributes(m.name, block));
    const copies = await Promise.all(members.map((m) => requestCopy(d.rpc, m.name, block)));
    if (copies.some((c) => c.status === 2)) return "impossible"; // a second damaged copy
    if (copies.some((c) => c.status !== 0)) return 'retry'; // a copy ahead of Q: wait for the cut
    const q = new Uint8Array(d.disk.blockBytes);
    for (const c of copies) xorInto(q, c.data);
    const stored = await d.storeQ(block, q);
    if (!stored.ok) return 'impossible'; // its drive is still failed: rebuilt once replaced
    this.repaired++;
    d.probe.hit('parity-block-rebuilt');
    return 'done';
  }
}
