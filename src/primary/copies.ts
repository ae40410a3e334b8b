// What a primary gives parity of its own blocks: copies for the build (claims
// 1/6/11), for a join (with the last delta number the copy reflects), and for
// another array's restore, a leave, a repair of Q or the scrub (with whether
// a delta for the block still awaits parity's ack: the copy is then ahead of
// Q[k]).
//
// A copy is read under the block's lock — except for a block being rebuilt
// from parity right now, which must be answered at once: the rebuild holds the
// lock waiting for Q[k], and parity may hold Q[k] waiting for this very
// answer. Its stored copy is read once more (a misdirected read was a moment's
// error), or, once the rebuilt data is being written, that data is the copy;
// else it has none — but a join or build copy whose rebuild ended while it
// read is asked again under the lock (a host write may have followed). A
// request already waiting for the lock when such a rebuild starts is answered
// then. A block whose last write the disk could not store (a lost drive), its
// delta unacknowledged, has that write's data as its merge copy. A block it
// cannot read, or whose checksum fails, is answered "no copy" (empty). (The
// hardened primary's; the literal
// one answers from its disk alone: literal-primary.ts.)
import type { Buggify } from '../ports/buggify.js';
import type { Clock } from '../ports/clock.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Seam } from '../protocol/planted-bugs.js';
import { assert } from '../util/assert.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk } from '../util/verified-disk.js';
import type { Outbox } from './outbox.js';
import type { RestoreState } from './restore-state.js';

interface CopiesDeps {
  readonly disk: VerifiedDisk;
  readonly net: Transport;
  readonly clock: Clock;
  readonly buggify: Buggify;
  readonly probe: Probe;
  readonly parity: NodeId;
  readonly locks: BlockLocks;
  readonly restore: RestoreState;
  readonly outbox: Outbox;
  /** The decisions a planted bug may change (src/protocol/planted-bugs.ts). */
  readonly seam: Seam;
  readonly epoch: () => number;
  /** The highest delta number assigned so far. */
  readonly highestSeq: () => number;
}

/** "No copy": a block we cannot read (parity counts it as zeros). */
const NO_COPY = new Uint8Array(0);

/** How often a lost block's zeros are written again before the answer goes (each write may be misdirected). */
const ZERO_REWRITES = 4;

export class Copies {
  readonly #d: CopiesDeps;
  /**
   * Blocks being rebuilt by parity right now: whether their stored copy may be read again meanwhile
   * (no rebuilt data being written yet), or the rebuilt data being written.
   */
  readonly #repairing = new Map<number, boolean | Uint8Array>();
  /** Per block: copy requests waiting for its lock, to be answered at once if a rebuild of it starts. */
  readonly #onRepair = new Map<number, Set<() => void>>();

  constructor(deps: CopiesDeps) {
    this.#d = deps;
  }

  /** A rebuild of `block` from parity starts (its caller holds the block's lock); `rereadable`: its stored copy is restored data. */
  beginRepair(block: number, rereadable: boolean): void {
    this.#repairing.set(block, rereadable);
    for (const answer of this.#onRepair.get(block) ?? []) answer();
  }

  /**
   * The rebuild of `block` writes what parity rebuilt, `data`: the block's content from now on, and
   * the copy to give meanwhile (its stored copy is no longer to be read). Answering "no copy" here had
   * a repair of Q[block] declare the block lost while its data was on its way to the disk (seed 1129).
   */
  repairWrites(block: number, data: Uint8Array): void {
    if (this.#repairing.has(block)) this.#repairing.set(block, data);
  }

  endRepair(block: number): void {
    this.#repairing.delete(block);
  }

  /** Build (claim 1): sends (k, P[k]) for every block of ours in [first, first+count). */
  async sendBuild(first: number, count: number): Promise<void> {
    const d = this.#d;
    const end = Math.min(first + count, d.disk.blockCount);
    for (let block = first; block < end; block++) {
      const copy = await this.#forMerge(block);
      assert(copy.data.length === d.disk.blockBytes || copy.data.length === 0, `${d.net.self}: build copy of block ${block} is ${copy.data.length} bytes`);
      d.net.send(d.parity, { type: 'block-copy', block, data: copy.data });
    }
  }

  /** Join: our copy of `block` and the last delta it reflects. */
  async answerJoin(id: number, block: number): Promise<void> {
    const d = this.#d;
    const copy = await this.#forMerge(block, d.seam.fencesJoinCopies);
    assert(copy.upTo <= d.highestSeq() && (copy.data.length === 0 || copy.data.length === d.disk.blockBytes), `${d.net.self}: join copy of block ${block}: ${copy.data.length} bytes up to delta ${copy.upTo}`);
    const wait = d.buggify.delay('join-copy-reply-delay');
    if (wait > 0) await d.clock.sleep(wait);
    d.net.send(d.parity, { type: 'join-copy', id, block, epoch: d.epoch(), reflectsUpTo: copy.upTo, data: copy.data });
  }

  /** Another array's restore, a leave, a repair, the scrub: our copy of `block`, and whether it is settled with parity. */
  async answer(id: number, block: number): Promise<void> {
    const d = this.#d;
    const empty = new Uint8Array(0);
    const reply = (status: number, data: Uint8Array) => {
      // "No copy" carries nothing; every other answer a whole block.
      assert(status === 2 ? data.length === 0 : data.length === d.disk.blockBytes, `${d.net.self}: copy of block ${block}, status ${status}, is ${data.length} bytes`);
      d.net.send(d.parity, { type: 'copy-reply', id, block, status, data });
    };
    // A lost block holds zeros (as Q counts it once its stripe is re-protected) — settled
    // only once parity has every delta for it: one sent before the loss may still be on its way.
    // Its zeros are checked too (the scrub asks): damaged since, they are written again.
    // Zeros written again say so (status 4): the scrub's pass is not clean then, as after a repair of
    // its own — a rewrite may have gone astray, here or onto another block (seeds 95, 1096).
    if (d.restore.lost.has(block)) {
      const rewritten = await this.#lockedUnlessRepairing(block, () => this.#checkZeros(block), () => false);
      return reply(d.outbox.pending(block) ? 1 : rewritten ? 4 : 3, new Uint8Array(d.disk.blockBytes));
    }
    // No copy to give (restoring): at once, without the lock.
    const valid = Number.isSafeInteger(block) && block >= 0 && block < d.disk.blockCount;
    if (!valid || !d.restore.usable(block)) return reply(2, empty);
    if (this.#repairing.has(block)) {
      const again = await this.#duringRepair(block);
      return reply(again.status, again.data);
    }
    const copy = await this.#lockedUnlessRepairing(
      block,
      async () => {
        if (!d.restore.usable(block)) return { status: 2, data: empty };
        const read = await d.disk.read(block);
        if (!read.ok) return { status: 2, data: empty };
        // A delta parity has not acknowledged means our data is ahead of Q[block].
        return { status: d.outbox.pending(block) ? 1 : 0, data: read.data };
      },
      () => this.#duringRepair(block),
    );
    const wait = d.buggify.delay('copy-reply-delay');
    if (wait > 0) await d.clock.sleep(wait);
    reply(copy.status, copy.data);
  }

  /**
   * A lost block's zeros, read back; written again if they do not read back intact (corrupted,
   * unreadable, misdirected over). Call holding the lock. True if they were written again.
   */
  async #checkZeros(block: number): Promise<boolean> {
    const d = this.#d;
    assert(d.locks.busy(block), `${d.net.self}: zeros of block ${block} checked without its lock`);
    if (!d.restore.lost.has(block)) return false; // a write replaced it while we waited
    // Written again until they read back (this is the scrub's look at the block), a few times: a
    // rewrite may go astray (misdirected). Every one astray leaves the pass unclean (status 4).
    let rewritten = false;
    for (let attempt = 0; attempt < ZERO_REWRITES; attempt++) {
      const read = await d.disk.read(block);
      if (read.ok && read.data.every((b) => b === 0)) return rewritten;
      rewritten = true;
      if (!(await d.disk.write(block, new Uint8Array(d.disk.blockBytes))).ok) return rewritten; // its drive failed: rebuilt once replaced
    }
    return rewritten;
  }

  /** A copy to merge into Q (build, join), and the last delta it reflects (read under the lock unless not `fenced`). */
  async #forMerge(block: number, fenced = true): Promise<{ data: Uint8Array; upTo: number }> {
    const d = this.#d;
    assert(Number.isSafeInteger(block) && block >= 0 && block < d.disk.blockCount, `${d.net.self}: merge copy of block ${block} beyond the array`);
    const none = () => ({ data: NO_COPY, upTo: d.highestSeq() });
    if (!fenced) {
      const read = await d.disk.read(block);
      return read.ok ? { data: read.data, upTo: d.highestSeq() } : none();
    }
    // The rebuild ended while we read: a host write may have followed it under the lock (the rebuild
    // was that write's), and its delta is in no copy we could name now — "no copy" reflecting it
    // had parity absorb a delta Q never got (seed 526). Asked again, as a request coming now.
    const again = () => {
      d.probe.hit('join-copy-asked-again');
      return this.#forMerge(block);
    };
    const duringRepair = async () => (await this.#readDuringRepair(block, none, () => undefined)) ?? again();
    if (this.#repairing.has(block)) return duringRepair();
    return this.#lockedUnlessRepairing(
      block,
      async () => {
        // A write our disk could not store (a lost drive) is in its delta alone, not acknowledged yet: that
        // data is the block's. "No copy" reflecting that delta had parity absorb it into zeros, and the
        // acknowledged write was lost (generated seed 1014).
        const unstored = d.outbox.unstoredData(block);
        if (unstored !== undefined) {
          d.probe.hit('unstored-write-copied');
          return { data: unstored, upTo: d.highestSeq() };
        }
        if (d.restore.lost.has(block)) return none(); // it holds nothing of the host's: Q counts it as zeros
        // Not restored yet: the new array's zeros are not our data (a new parity array merging us mid-restore).
        if (!d.restore.usable(block)) return none();
        const read = await d.disk.read(block);
        return read.ok ? { data: read.data, upTo: d.highestSeq() } : none();
      },
      duringRepair,
    );
  }

  /**
   * A copy of a block being rebuilt, its last read having failed: read once more, without the lock
   * (the rebuild holds it, so nothing writes the block meanwhile). A misdirected read was a moment's
   * error: the copy is as good as ever, and must not go into Q as missing (declared lost).
   */
  async #readDuringRepair<T, E>(block: number, none: () => T, ended: () => E): Promise<{ data: Uint8Array; upTo: number } | T | E> {
    const d = this.#d;
    const rebuilt = this.#repairing.get(block);
    assert(rebuilt !== undefined, `${d.net.self}: block ${block} read as being rebuilt while it is not`);
    if (rebuilt instanceof Uint8Array && !d.restore.lost.has(block)) return { data: rebuilt, upTo: d.highestSeq() };
    if (rebuilt !== true || d.restore.lost.has(block)) return none();
    const read = await d.disk.read(block);
    // The rebuild began writing (or ended) while we read: what we read may be neither.
    const now = this.#repairing.get(block);
    if (now instanceof Uint8Array) return { data: now, upTo: d.highestSeq() };
    if (now === undefined) return ended();
    if (now !== true) return none();
    return read.ok ? { data: read.data, upTo: d.highestSeq() } : none();
  }

  /** A copy-reply's status and data for a block being rebuilt (#readDuringRepair). */
  async #duringRepair(block: number): Promise<{ status: number; data: Uint8Array }> {
    const again = await this.#readDuringRepair(block, () => undefined, () => undefined);
    return again === undefined ? { status: 2, data: new Uint8Array(0) } : { status: this.#d.outbox.pending(block) ? 1 : 0, data: again.data };
  }

  /** Runs `fn` holding `block`'s lock — unless a rebuild of it starts while we wait: then `repairing` answers. */
  #lockedUnlessRepairing<T>(block: number, fn: () => Promise<T>, repairing: () => T | Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      let waiters = this.#onRepair.get(block);
      if (waiters === undefined) this.#onRepair.set(block, (waiters = new Set()));
      const stopWaiting = () => {
        waiters.delete(answer);
        if (waiters.size === 0 && this.#onRepair.get(block) === waiters) this.#onRepair.delete(block);
      };
      let answered = false;
      const answer = () => {
        stopWaiting();
        answered = true;
        resolve(repairing());
      };
      waiters.add(answer);
      this.#d.locks
        .with(block, async () => {
          if (answered) return;
          // A rebuild begins and ends holding the lock: none runs while we hold it.
          assert(!this.#repairing.has(block), `${this.#d.net.self}: block ${block} is being rebuilt outside its lock`);
          stopWaiting(); // a rebuild starts only under the lock: not while we hold it
          resolve(await fn());
        })
        .catch(reject);
    });
  }
}
