// The parity array's side of build (claims 1, 6, 11): ask every member for
// copies of a window of blocks, XOR the copies per block number, store Q[k];
// window by window, so memory stays bounded on arrays of any size. A block past
// the end of a smaller member counts as zeros: the member has no copy to send.
//
// Each (member, block) copy is taken once — a duplicate is ignored — and a
// window's members are asked again once its copies stop arriving: silent for a
// retransmission timeout adapted, as for every request (retransmit-timer.ts),
// to the gaps measured between copies — on slow disks copies come slowly, and
// asking again for a window still streaming only doubles the disks' work (Karn:
// a window asked again measures nothing). A member that
// cannot read a block sends an empty copy: the block counts as zeros in Q,
// and the member is told it is lost (nothing protected it yet) before the
// build completes (losses.ts). (The literal build: literal-build.ts.)
import type { NodeId, Transport } from '../ports/transport.js';
import { RetransmitTimer } from '../protocol/retransmit-timer.js';
import { xorInto } from '../protocol/xor.js';
import { assert } from '../util/assert.js';
import type { Member } from './member.js';
import type { GroupView, PartDeps } from './part-deps.js';

interface BuilderDeps extends PartDeps, Pick<GroupView, 'members'> {
  readonly net: Transport;
  /** Blocks gathered per round (bounds memory: window × blockBytes). */
  readonly window: number;
  /** Q[block] could not be stored (its drive failed): rebuild it from the members later. */
  readonly repairQ: (block: number) => void;
  /** Records, durably, that these members' `block` is lost (it went into Q as zeros); the member learns it when the stripe is re-protected. */
  readonly declareLost: (members: readonly NodeId[], block: number, stale: boolean) => Promise<void>;
}

interface Window {
  readonly first: number;
  readonly count: number;
  readonly acc: Uint8Array[];
  /** Copies still expected per block of the window. */
  readonly missing: Int32Array;
  /** Copies taken, as "member:block index" (a duplicate is ignored). */
  readonly seen: Set<string>;
  outstanding: number;
  done: boolean;
  /** Copies taken so far (a retry waits for a whole timeout without progress). */
  progress: number;
  /** Empty copies taken (the member could not read its block): it went in as zeros. */
  readonly noCopies: { member: NodeId; block: number }[];
  /** When the last copy arrived (or the window was first asked for). */
  lastAt: number;
  /** Asked for again: its gaps measure nothing (Karn). */
  reasked: boolean;
  readonly complete: () => void;
}

export class Builder {
  readonly #d: BuilderDeps;
  #window: Window | undefined;
  /** How long a window's copies may fall silent before it is asked for again. */
  readonly #silence: RetransmitTimer;

  constructor(deps: BuilderDeps) {
    this.#d = deps;
    this.#silence = new RetransmitTimer(deps.retransmit);
  }

  /** Is `block` in the window being built? */
  building(block: number): boolean {
    const w = this.#window;
    return w !== undefined && block >= w.first && block < w.first + w.count;
  }

  /** Computes every Q[k] from the members' copies. */
  async build(): Promise<void> {
    assert(this.#window === undefined, 'build already running');
    const d = this.#d;
    const total = d.disk.blockCount;
    for (let first = 0; first < total; first += d.window) await this.#build(first, Math.min(d.window, total - first));
    // Built Q is not journaled, so it must be on the media (not in a drive's
    // write cache) before the build counts as done.
    const flushed = await d.disk.flush();
    assert(flushed.ok, `cannot flush the built parity (${flushed.ok ? '' : flushed.error})`);
  }

  /** A member's copy of `block` (empty: it could not read it). */
  take(from: NodeId, block: number, data: Uint8Array): void {
    const w = this.#window;
    // A late duplicate of a finished window, or of a copy already taken.
    if (w === undefined || w.done || block < w.first || block >= w.first + w.count) return;
    const i = block - w.first;
    const key = `${from}:${i}`;
    if (w.missing[i] === 0 || w.seen.has(key)) return;
    w.seen.add(key);
    const now = this.#d.clock.now();
    if (!w.reasked) this.#silence.sample(now - w.lastAt);
    w.lastAt = now;
    if (data.length > 0) xorInto(w.acc[i]!, data);
    else w.noCopies.push({ member: from, block });
    w.progress++;
    w.missing[i]!--;
    // Each copy expected once, counted in both: the window's total covers every block's.
    assert(w.outstanding > w.missing[i]!, `build window at ${w.first}: ${w.outstanding} outstanding, block ${block} still expects ${w.missing[i]}`);
    if (--w.outstanding === 0) w.complete();
  }

  async #build(first: number, count: number): Promise<void> {
    const d = this.#d;
    assert(count >= 1 && first >= 0 && first + count <= d.disk.blockCount, `build window [${first}, ${first + count}) outside the array`);
    const missing = new Int32Array(count);
    let outstanding = 0;
    for (const m of d.members()) {
      for (let i = 0; i < count && first + i < m.blockCount; i++) {
        missing[i]!++;
        outstanding++;
      }
    }
    const acc = Array.from({ length: count }, () => new Uint8Array(d.disk.blockBytes));
    let window!: Window;
    const gathered = new Promise<void>((complete) => {
      window = { first, count, acc, missing, seen: new Set(), outstanding, done: false, progress: 0, noCopies: [], lastAt: d.clock.now(), reasked: false, complete: () => {
        window.done = true;
        complete();
      } };
      this.#window = window;
      if (outstanding === 0) window.complete();
    });
    const ask = () => {
      for (const m of d.members()) if (m.blockCount > first && this.#copiesMissing(window, m)) d.net.send(m.name, { type: 'build-request', first, count });
    };
    ask();
    // Copies lost or never sent are asked for again once the window falls
    // silent for the adapted timeout, which doubles at each silence (the claims ask once).
    while (!window.done) {
      const before = window.progress;
      const wait = this.#silence.timeoutUs;
      let timer: { cancel(): void } | undefined;
      await Promise.race([gathered, new Promise<void>((expired) => (timer = d.clock.timer(wait, expired)))]);
      timer?.cancel();
      if (window.done || window.progress > before) continue;
      this.#silence.timedOut(wait);
      window.reasked = true;
      d.probe.hit('build-copy-reasked');
      ask();
    }
    await gathered;
    await Promise.all(
      acc.map((q, i) =>
        d.locks.with(first + i, async () => {
          const stored = await d.disk.write(first + i, q);
          if (!stored.ok) d.repairQ(first + i); // its drive failed: rebuilt from the members later
        }),
      ),
    );
    // Before the build completes: each block that went in as zeros is lost, durably (its member learns it as the stripe is re-protected).
    for (const { member, block } of window.noCopies) await d.declareLost([member], block, false); // built from zeros for it
    this.#window = undefined;
  }

  /** Does the window still lack a copy from `m`? */
  #copiesMissing(w: Window, m: Member): boolean {
    for (let i = 0; i < w.count && w.first + i < m.blockCount; i++) if (!w.seen.has(`${m.name}:${i}`)) return true;
    return false;
  }
}
