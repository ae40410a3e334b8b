// Recomputing Q[k] from the members' current copies: when parity's own copy
// is unreadable (a latent sector error, a lost drive) or wrong (scrubber.ts) —
// `repair` — and when a block of the stripe was lost, so that Q[k] still
// holds what that member can no longer supply — `reprotect` (losses.ts).
//
// Q[k] = XOR of every contributing member's block k (a lost block counts as
// the zeros its member holds for it), gathered under the Q[k] lock, and only
// from a consistent cut: every copy settled (no delta for k awaiting parity's
// ack at its member) — otherwise release, wait, retry (as a restore does, H7).
// While Q[k] is unavailable, parity acknowledges deltas for k without applying
// them: each is already in its member's copy, which the gather takes once the
// ack has reached it.
//
// A member that has no copy to give (its own is damaged too) has lost its
// block: nothing holds it any more (Q[k] is damaged, or no longer matches a
// lost block's zeros). It is declared lost, and asked to repair its copy —
// which is how it learns of the loss and zero-fills it — then the gather runs
// again. A Q[k] the disk cannot store (its drive still failed) is rebuilt when
// the drive is replaced.
import type { WriteResult } from '../ports/block-device.js';
import type { NodeId } from '../ports/transport.js';
import { retransmitDelay } from '../protocol/retransmit.js';
import { assert } from '../util/assert.js';
import { xorInto } from '../protocol/xor.js';
import { requestCopy } from './copy-request.js';
import type { Losses } from './losses.js';
import type { GroupView, PartDeps } from './part-deps.js';

interface RepairerDeps extends PartDeps, GroupView {
  /** Is Q[block] as stored now usable (readable, and intact)? */
  readonly intact: (block: number) => Promise<boolean>;
  /** Journals and writes a new Q[block] (the stripe protects again), and the end of `found`'s losses of it. */
  readonly storeQ: (block: number, q: Uint8Array, found?: readonly NodeId[]) => Promise<WriteResult>;
  /** Resolves once journal recovery is done. */
  readonly ready: () => Promise<void>;
  readonly losses: Losses;
  /** Records, durably, that these members' `block` is lost. */
  readonly declareLost: (members: readonly NodeId[], block: number, stale: boolean) => Promise<void>;
  /** Asks `member` to repair its copy of `block` (or learn it is lost); resolves when it has. */
  readonly askRepair: (member: NodeId, block: number) => Promise<void>;
}

/** `ask`: members without a copy, asked to repair it (their repair needs the Q[block] lock, released first). */
type Outcome = 'done' | 'retry' | { readonly ask: readonly NodeId[] } | 'impossible';

export class Repairer {
  readonly #d: RepairerDeps;
  readonly #running = new Set<number>();
  /**
   * Blocks whose Q must be recomputed however it reads: a delta was
   * acknowledged without being applied (Q[k] unavailable then), on the
   * promise that the recomputation gathers it from its member's copy — a Q
   * that reads intact later (a redo of an older logged value) does not hold it.
   */
  readonly #owed = new Map<number, (() => void)[]>();

  constructor(deps: RepairerDeps) {
    this.#d = deps;
  }

  /** Is a recomputation of Q[block] under way (or owed: a stripe waiting to be re-protected, an absorbed delta)? */
  repairing(block: number): boolean {
    return this.#running.has(block) || this.#owed.has(block) || this.#d.losses.pending(block);
  }

  /** Does Q[block] lack a delta acknowledged while it was unavailable (its recomputation still owed)? */
  owes(block: number): boolean {
    return this.#owed.has(block);
  }

  /** Rebuilds an unavailable or wrong Q[block] from the members, in the background (once, however often asked). */
  repair(block: number): void {
    this.#start(block);
  }

  /** Recomputes Q[block] after a loss in its stripe (losses.ts), in the background. */
  reprotect(block: number): void {
    this.#start(block);
  }

  /** Recomputes Q[block] whatever it reads: a delta for it was absorbed (acknowledged, not applied). `done` runs once it is. */
  recompute(block: number, done?: () => void): void {
    let waiting = this.#owed.get(block);
    if (waiting === undefined) this.#owed.set(block, (waiting = []));
    assert(done === undefined || !waiting.includes(done), `Q[${block}]: the same release owed twice`);
    if (done !== undefined) waiting.push(done);
    this.#start(block);
  }

  #start(block: number): void {
    if (this.#running.has(block)) return;
    this.#running.add(block);
    const d = this.#d;
    assert(block >= 0 && block < d.disk.blockCount, `repair of Q[${block}] beyond the array`);
    d.clock.spawn(`repair Q[${block}]`, async () => {
      await d.ready();
      for (let attempt = 1; ; attempt++) {
        const outcome = await d.locks.with(block, () => this.#rebuild(block));
        if (outcome === 'done' || outcome === 'impossible') break;
        // The members without a copy repair it, or learn their loss (their repair needs the Q[block] lock, released now).
        if (outcome !== 'retry') await Promise.all(outcome.ask.map((m) => d.askRepair(m, block)));
        else await d.clock.sleep(retransmitDelay(d.retransmit, attempt));
      }
      this.#running.delete(block);
    });
  }

  /** Call holding the Q[block] lock. */
  async #rebuild(block: number): Promise<Outcome> {
    const d = this.#d;
    assert(d.locks.busy(block) && this.#running.has(block), `Q[${block}] rebuilt without its lock, or outside its repair`);
    const reprotect = d.losses.pending(block);
    const owed = this.#owed.has(block);
    if (!reprotect && !owed && (await d.intact(block))) return 'done'; // repaired meanwhile
    const wait = d.buggify.delay('repair-before-gather');
    if (wait > 0) await d.clock.sleep(wait);
    const members = [...d.members()].filter((m) => m.blockCount > block && d.contributes(m.name, block));
    const copies = await Promise.all(members.map((m) => requestCopy(d.rpc, m.name, block)));
    if (copies.some((c) => c.status === 1)) return 'retry'; // a copy ahead of Q: wait for the cut
    const missing = members.filter((_, i) => copies[i]!.status === 2).map((m) => m.name);
    if (missing.length > 0) {
      // Q[block] is whole for the members that are not lost (only zeros went in for the lost ones):
      // theirs can be rebuilt from it, and the lost ones learn of their loss.
      if (reprotect && !owed && !d.losses.stale(block) && (await d.intact(block))) return { ask: missing };
      // Q[block] is damaged or stale, and these copies are damaged too: beyond single parity.
      await d.declareLost(missing, block, true);
      return { ask: missing };
    }
    const q = new Uint8Array(d.disk.blockBytes);
    for (const c of copies) xorInto(q, c.data);
    // A member held lost that gave its data (status 0: it never learned of the loss, and its copy reads
    // fine again) is in Q[block] now as it is: its block is protected, no longer lost — journaled with
    // the new Q (a crash brought the loss back, and the member was told of a loss its block no longer had).
    const found = members.filter((m, i) => copies[i]!.status === 0 && d.losses.has(m.name, block)).map((m) => m.name);
    const stored = await d.storeQ(block, q, found);
    for (const member of found) d.losses.found(member, block); // in the journal now, whatever the write did
    if (!stored.ok) return 'impossible'; // its drive is still failed: rebuilt once replaced
    d.losses.reprotected(block);
    for (const done of this.#owed.get(block) ?? []) done();
    this.#owed.delete(block);
    d.probe.hit(reprotect ? 'stripe-reprotected' : 'parity-block-rebuilt', block);
    return 'done';
  }
}
