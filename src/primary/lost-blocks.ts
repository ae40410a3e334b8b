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
    return true;
  }

  /** A write replaced `block`: it holds data again. */
  delete(block: number): boolean {
    return this.#since.delete(block);
  }

  get size(): number {
    return this.#since.size;
  }

  /** Every lost block, ascending. */
  blocks(): number[] {
    return [...this.#since.keys()].sort((a, b) => a - b);
  }

  /** As stored in the header: (block, since) pairs, 8-byte little-endian each. */
  encode(): Uint8Array {
    const out = new Uint8Array(this.#since.size * 16);
    const view = new DataView(out.buffer);
    let at = 0;
    for (const block of this.blocks()) {
      view.setFloat64(at, block, true);
      view.setFloat64(at + 8, this.#since.get(block)!, true);
      at += 16;
    }
    assert(at === out.length, `lost blocks: ${at} of ${out.length} bytes encoded`);
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
