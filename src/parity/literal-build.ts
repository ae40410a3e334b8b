// The literal parity's build (claims 1, 6, 11): ask every member once for
// copies of a window of blocks, XOR the copies per block number as they come,
// store Q[k]; window by window, so memory stays bounded on arrays of any size.
// A block past the end of a smaller member counts as zeros. Nothing is asked
// again: a copy lost on the way leaves the build waiting for ever (the claims
// have no retransmission), and a Q[k] that cannot be stored stays as it is.
import type { NodeId, Transport } from '../ports/transport.js';
import { xorInto } from '../protocol/xor.js';
import { assert } from '../util/assert.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk } from '../util/verified-disk.js';
import type { Member } from './member.js';

interface LiteralBuildDeps {
  readonly disk: VerifiedDisk;
  readonly net: Transport;
  readonly locks: BlockLocks;
  readonly members: () => Iterable<Member>;
  /** Blocks gathered per round (bounds memory: window × blockBytes). */
  readonly window: number;
}

interface Window {
  readonly first: number;
  readonly count: number;
  readonly acc: Uint8Array[];
  /** Copies still expected per block of the window. */
  readonly missing: Int32Array;
  outstanding: number;
  readonly complete: () => void;
}

export class LiteralBuild {
  readonly #d: LiteralBuildDeps;
  #window: Window | undefined;

  constructor(deps: LiteralBuildDeps) {
    this.#d = deps;
  }

  /** Is `block` in the window being built? */
  building(block: number): boolean {
    const w = this.#window;
    return w !== undefined && block >= w.first && block < w.first + w.count;
  }

  async build(): Promise<void> {
    assert(this.#window === undefined, 'build already running');
    const d = this.#d;
    const total = d.disk.blockCount;
    for (let first = 0; first < total; first += d.window) await this.#build(first, Math.min(d.window, total - first));
  }

  /** A member's copy of `block`: XORed in, whoever sent it, while the block still expects one. */
  take(block: number, data: Uint8Array): void {
    const w = this.#window;
    if (w === undefined || w.outstanding === 0 || block < w.first || block >= w.first + w.count) return; // late
    const i = block - w.first;
    if (w.missing[i] === 0) return; // a duplicate beyond what the block expects
    if (data.length > 0) xorInto(w.acc[i]!, data);
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
    const asked: NodeId[] = [];
    for (const m of d.members()) {
      if (m.blockCount > first) asked.push(m.name);
      for (let i = 0; i < count && first + i < m.blockCount; i++) {
        missing[i]!++;
        outstanding++;
      }
    }
    const acc = Array.from({ length: count }, () => new Uint8Array(d.disk.blockBytes));
    await new Promise<void>((complete) => {
      this.#window = { first, count, acc, missing, outstanding, complete };
      if (outstanding === 0) complete();
      for (const member of asked) d.net.send(member, { type: 'build-request', first, count });
    });
    await Promise.all(acc.map((q, i) => d.locks.with(first + i, () => d.disk.write(first + i, q))));
    this.#window = undefined;
  }
}
