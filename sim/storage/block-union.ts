// The blocks named by several lists, once each and ascending: the checkers'
// sweeps (every block any array wrote). One bit per block number, in pages of
// 2^16 blocks made on first use (block numbers reach 2^40; written ones are
// sparse there), not a Set and a sort: a 16 M-block array's sweep then costs
// 2 MiB and one pass, where a Set of its blocks costs hundreds of MB and a
// comparator sort (and a Set holds at most 2^24 entries).
const PAGE_BITS = 16;
const PAGE_WORDS = (1 << PAGE_BITS) >>> 5;

export class BlockUnion {
  readonly #pages = new Map<number, Uint32Array>();
  #count = 0;

  add(block: number): void {
    const p = Math.floor(block / 2 ** PAGE_BITS);
    let page = this.#pages.get(p);
    if (page === undefined) this.#pages.set(p, (page = new Uint32Array(PAGE_WORDS)));
    const within = block - p * 2 ** PAGE_BITS;
    const bit = 1 << (within & 31);
    if ((page[within >>> 5]! & bit) === 0) {
      page[within >>> 5]! |= bit;
      this.#count++;
    }
  }

  addAll(blocks: Iterable<number>): this {
    for (const b of blocks) this.add(b);
    return this;
  }

  get size(): number {
    return this.#count;
  }

  /** Every block added, ascending. */
  ascending(): Float64Array {
    const out = new Float64Array(this.#count);
    let n = 0;
    for (const p of [...this.#pages.keys()].sort((a, b) => a - b)) {
      const page = this.#pages.get(p)!;
      const base = p * 2 ** PAGE_BITS;
      for (let w = 0; w < PAGE_WORDS; w++) {
        let word = page[w]!;
        while (word !== 0) {
          const low = word & -word;
          out[n++] = base + w * 32 + (31 - Math.clz32(low));
          word ^= low;
        }
      }
    }
    return out;
  }
}
