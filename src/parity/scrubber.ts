// Background scrub (hardened, H12): walk every block of Q, one every
// `intervalUs`, and check Q[k] against the members' copies, under the Q[k]
// lock so no delta for k lands meanwhile.
//
// Every copy carries a checksum (verified-disk.ts), so a bad copy names
// itself: a member whose copy fails its checksum (or cannot be read) answers
// "no usable copy" (status 2), and Q[k]'s own read fails its check. Then:
//   - only Q[k] bad: rebuild it from the members' copies;
//   - one member's copy bad: that member rebuilds its block from parity (asked
//     after the lock is released: its rebuild needs the Q[k] lock);
//   - nothing bad but Q[k] ≠ XOR of the copies: every checksum matched, so
//     there is no telling which copy is wrong — counted and reported, never
//     guessed at;
//   - two or more bad: beyond single parity. Each bad member's block is lost
//     (recorded durably; losses.ts) and the stripe re-protected from what the
//     members hold now — which is how each learns its loss and zero-fills it.
//     A stripe waiting for that is skipped: its Q[k] is known to be stale.
// A copy ahead of Q[k] (a delta for k not acknowledged yet) makes the cut
// inconsistent: release, wait, try again (as a restore does, H7).
//
// A pass goes on until stopped; finish() asks for whole passes from the
// current position until one finds nothing to repair and skips no stripe (a
// repair's own write may be misdirected, or damage may strike behind the
// scrub), and resolves then.
import type { WriteResult } from '../ports/block-device.js';
import type { NodeId } from '../ports/transport.js';
import { assert } from '../util/assert.js';
import type { Seam } from '../protocol/planted-bugs.js';
import { retransmitDelay } from '../protocol/retransmit.js';
import { equalBytes, xorInto } from '../protocol/xor.js';
import { requestCopy } from './copy-request.js';
import type { Losses } from './losses.js';
import type { GroupView, PartDeps } from './part-deps.js';

interface ScrubberDeps extends PartDeps, GroupView {
  /** Journals and writes a new Q[block]. */
  readonly storeQ: (block: number, q: Uint8Array) => Promise<WriteResult>;
  /** Members' lost blocks, and stripes waiting to be re-protected. */
  readonly losses: Losses;
  /** Records, durably, that these members' `block` is lost (and has the stripe re-protected). */
  readonly declareLost: (members: readonly NodeId[], block: number, stale: boolean) => Promise<void>;
  /** Resolves once journal recovery is done. */
  readonly ready: () => Promise<void>;
  /** Does Q[block] lack a delta absorbed while it was unreadable (its recomputation owed)? */
  readonly owes: (block: number) => boolean;
  /** The decisions a planted bug may change (src/protocol/planted-bugs.ts). */
  readonly seam: Seam;
}

type Verdict = 'ok' | 'retry' | { readonly repair: NodeId };

export class Scrubber {
  readonly #d: ScrubberDeps;
  #running = false;
  /** Blocks still to scrub before stopping (undefined: keep going). */
  #left: number | undefined;
  /** Copies repaired (or found lost), and stripes skipped while their Q is recomputed, since the last whole pass of finish() began; an unresolved mismatch is not one. */
  #uncleanThisPass = 0;
  #finished: (() => void) | undefined;

  constructor(deps: ScrubberDeps) {
    this.#d = deps;
  }

  /** Scrubs block after block, one every `intervalUs`, wrapping around, until finish()ed. */
  start(intervalUs: number): void {
    if (this.#running) return;
    this.#running = true;
    const d = this.#d;
    assert(intervalUs > 0, `scrub interval ${intervalUs} µs`);
    d.clock.spawn('scrub', async () => {
      await d.ready();
      const total = d.disk.blockCount;
      for (let block = 0; this.#left === undefined || this.#left > 0; block = (block + 1) % total) {
        await d.clock.sleep(intervalUs);
        await this.scrub(block);
        if (this.#left !== undefined && --this.#left === 0 && this.#uncleanThisPass > 0) {
          this.#left = total; // that pass repaired (or skipped) something: one more, to see it whole
          this.#uncleanThisPass = 0;
        }
      }
      this.#running = false;
      this.#finished?.();
    });
  }

  /** Whole passes from where the scrub is until one finds nothing, then stop; resolves when it has. */
  finish(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    assert(this.#finished === undefined || this.#left !== undefined, 'scrub finishing without a pass count');
    this.#left = this.#d.disk.blockCount;
    this.#uncleanThisPass = 0;
    return new Promise((done) => (this.#finished = done));
  }

  /** Checks Q[block] against the members' copies and repairs the bad copy, if it can tell which. */
  async scrub(block: number): Promise<void> {
    const d = this.#d;
    assert(block >= 0 && block < d.disk.blockCount, `scrub of Q[${block}] beyond the array`);
    for (let attempt = 1; ; attempt++) {
      const verdict = await d.locks.with(block, () => this.#check(block));
      if (verdict === 'ok') break;
      if (verdict !== 'retry') {
        // The member rebuilds its copy from parity (which needs the Q[block] lock we just released).
        await d.rpc.call(verdict.repair, 'repair-done', (id) => ({ type: 'repair-request', id, block, lost: 0 }));
        break;
      }
      await d.clock.sleep(retransmitDelay(d.retransmit, attempt));
    }
  }

  /** Call holding the Q[block] lock. */
  async #check(block: number): Promise<Verdict> {
    const d = this.#d;
    assert(d.locks.busy(block), `Q[${block}] scrubbed without its lock`);
    // A loss not re-protected yet, or a delta absorbed while Q[k] was unreadable: Q[k] is being recomputed.
    // Not looked at, so the pass is not clean: the recomputation has members check (and rewrite) their
    // copies, and a write of theirs may go astray after the last pass (seed 126: a lost block's zeros, four times).
    if (d.losses.pending(block) || d.owes(block)) {
      if (this.#left !== undefined) d.probe.hit('scrub-skipped-while-finishing');
      this.#uncleanThisPass++;
      return 'ok';
    }
    const since = d.clock.now();
    const q = await d.disk.read(block);
    const wait = d.buggify.delay('scrub-between-reads');
    if (wait > 0) await d.clock.sleep(wait);
    const members = [...d.members()].filter((m) => m.blockCount > block && d.contributes(m.name, block));
    const copies = await Promise.all(members.map((m) => requestCopy(d.rpc, m.name, block)));
    if (copies.some((c) => c.status === 1)) return 'retry'; // a copy ahead of Q[block]
    // A member wrote its lost block's zeros again to answer (they did not read back): a repair, as
    // ours are — its write may have gone astray (onto another block, or not landed) — so the pass
    // is not clean (seed 1096: four rewrites in a row misdirected, the pass counted clean).
    if (copies.some((c) => c.status === 4)) {
      d.probe.hit('scrub-zeros-rewritten');
      this.#uncleanThisPass++;
    }
    const bad = members.filter((_, i) => copies[i]!.status === 2);
    const xor = new Uint8Array(d.disk.blockBytes);
    for (const c of copies) if (c.status !== 2) xorInto(xor, c.data);
    if (q.ok && bad.length === 0) {
      if (equalBytes(q.data, xor)) return 'ok';
      this.#found();
      d.probe.hit('scrub-mismatch-unresolved'); // every checksum matched: no telling which copy is wrong
      d.probe.anomaly('scrub-copies-agree-q-differs', block, since);
      return 'ok';
    }
    this.#found();
    this.#uncleanThisPass++;
    if (bad.length + (q.ok ? 0 : 1) > 1) {
      // Beyond single parity: the bad members' blocks are lost (Q[k], if bad, is recomputed without them).
      d.probe.hit('scrub-found-loss');
      await d.declareLost(bad.map((m) => m.name), block, true);
      return 'ok';
    }
    // planted: the bad member's copy is left alone and Q "repaired" without it (as zeros) instead.
    if (bad.length === 1 && d.seam.repairsBadCopy) return { repair: bad[0]!.name };
    const stored = await d.storeQ(block, xor);
    if (stored.ok) d.probe.hit('scrub-repaired-parity');
    return 'ok';
  }

  #found(): void {
    this.#d.probe.hit('scrub-mismatch-found');
  }
}
