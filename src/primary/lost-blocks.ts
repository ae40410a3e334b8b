// The blocks a primary has reported lost: it holds zeros for each (as Q
// counts them once parity re-protects the stripe), answers host reads of it
// with data-lost, and lets a host write replace it — as md, and every disk,
// does after an unrecoverable read error.
//
// Durable: the set lives in the journal's header (journal-record.ts), so it
// outlives controller crashes, power failures and trims. Each entry keeps the
// highest delta number assigned when the block was lost: a journaled write up
// to that number is older than the loss, and recovery must not redo it.
import { DecodeError } from '../protocol/fields.js';
import { assert } from '../util/assert.js';

export class LostBlocks {
  /** block → the highest delta number assigned when it was lost. */
  readonly #since = new Map<number, number>();
  /**
   * The header as last encoded, less blocks deleted since; undefined once a
   * block was added out of order. The header is rewritten after every loss
   * and every replacing write, and a primary that loses a whole array finds
   * its blocks one by one, in ascending order: sorting and encoding every
   * entry each time was most of such a run.
   */
  #encoded: Uint8Array | undefined = new Uint8Array(0);
  /** Blocks added since #encoded, each past the one before (an add below them drops #encoded). */
  #tail: number[] = [];

  has(block: number): boolean {
    return this.#since.has(block);
  }

  /** The highest delta number assigned when `block` was lost (undefined: not lost). */
  since(block: number): number | undefined {
    return this.#since.get(block);
  }

  /** Marks `block` lost; false if it already was. */
  add(block: number, since: number): boolean {
    if (this.#since.has(block)) return false;
    this.#since.set(block, since);
    if (this.#encoded !== undefined && block > this.#highest()) this.#tail.push(block);
    else this.#encoded = undefined;
    assert(this.#since.get(block) === since, `lost blocks: block ${block} not kept`);
    return true;
  }

  /** A write replaced `block`: it holds data again. */
  delete(block: number): boolean {
    const had = this.#since.delete(block);
    if (had && this.#encoded !== undefined) this.#dropEncoded(block);
    return had;
  }

  /** Takes `block` out of the last encoding or its tail (host writes replace lost blocks one by one, too). */
  #dropEncoded(block: number): void {
    const i = this.#tail.indexOf(block);
    if (i >= 0) {
      this.#tail.splice(i, 1);
      return;
    }
    const e = this.#encoded!;
    const view = new DataView(e.buffer, e.byteOffset, e.byteLength);
    // Binary search: the encoding is in ascending block order.
    let lo = 0;
    let hi = e.length / 16 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const b = view.getFloat64(mid * 16, true);
      if (b === block) {
        const out = new Uint8Array(e.length - 16);
        out.set(e.subarray(0, mid * 16));
        out.set(e.subarray(mid * 16 + 16), mid * 16);
        this.#encoded = out;
        return;
      }
      if (b < block) lo = mid + 1;
      else hi = mid - 1;
    }
    assert(false, `lost blocks: block ${block} was in the set but not in its encoding`);
  }

  /** The highest block of #encoded and #tail (-1: none). */
  #highest(): number {
    if (this.#tail.length > 0) return this.#tail[this.#tail.length - 1]!;
    const e = this.#encoded!;
    return e.length === 0 ? -1 : new DataView(e.buffer, e.byteOffset, e.byteLength).getFloat64(e.length - 16, true);
  }

  get size(): number {
    return this.#since.size;
  }

  /** Every lost block, ascending. */
  blocks(): number[] {
    return [...this.#since.keys()].sort((a, b) => a - b);
  }

  /** As stored in the header: (block, since) pairs, 8-byte little-endian each. Not to be modified: the next encoding starts from it. */
  encode(): Uint8Array {
    const out = new Uint8Array(this.#since.size * 16);
    const view = new DataView(out.buffer);
    let at = 0;
    const put = (block: number): void => {
      view.setFloat64(at, block, true);
      view.setFloat64(at + 8, this.#since.get(block)!, true);
      at += 16;
    };
    if (this.#encoded === undefined) for (const block of this.blocks()) put(block);
    else {
      // The last encoding still holds (nothing deleted, every block since added past its end): copy it, then the tail.
      out.set(this.#encoded);
      at = this.#encoded.length;
      for (const block of this.#tail) put(block);
    }
    assert(at === out.length, `lost blocks: ${at} of ${out.length} bytes encoded`);
    this.#encoded = out;
    this.#tail = [];
    return out;
  }

  // unasserted: it parses a record (what is wrong with one is a DecodeError, not a broken invariant).
  static decode(bytes: Uint8Array): LostBlocks {
    if (bytes.length % 16 !== 0) throw new DecodeError(`lost blocks: ${bytes.length} bytes is not a whole number of entries`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const lost = new LostBlocks();
    for (let at = 0; at < bytes.length; at += 16) {
      const block = view.getFloat64(at, true);
      const since = view.getFloat64(at + 8, true);
      if (!Number.isSafeInteger(block) || block < 0 || !Number.isSafeInteger(since) || since < 0) throw new DecodeError(`lost blocks: bad entry (${block}, ${since})`);
      if (!lost.add(block, since)) throw new DecodeError(`lost blocks: block ${block} listed twice`);
    }
    return lost;
  }
}
