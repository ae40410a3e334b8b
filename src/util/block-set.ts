// A set of block numbers as bits, in pages of 2^16 blocks made on first use.
// A restore marks every block of the array valid as it comes back: a Set
// costs tens of bytes an entry, rehashes as it grows, and holds at most 2^24
// entries — an array of 16 M blocks of 1 MiB (16 TiB) is at that limit. Here a
// 16 M-block array costs 2 MiB, and block numbers reach 2^53.
const PAGE_BITS = 16;
const PAGE = 2 ** PAGE_BITS;

export class BlockSet {
  readonly #pages = new Map<number, Uint32Array>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(block: number): boolean {
    const page = this.#pages.get(Math.floor(block / PAGE));
    if (page === undefined) return false;
    const i = block % PAGE;
    return (page[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  add(block: number): void {
    const p = Math.floor(block / PAGE);
    let page = this.#pages.get(p);
    if (page === undefined) this.#pages.set(p, (page = new Uint32Array(PAGE / 32)));
    const i = block % PAGE;
    const bit = 1 << (i & 31);
    if ((page[i >>> 5]! & bit) === 0) {
      page[i >>> 5]! |= bit;
      this.#size++;
    }
  }

  delete(block: number): void {
    const page = this.#pages.get(Math.floor(block / PAGE));
    if (page === undefined) return;
    const i = block % PAGE;
    const bit = 1 << (i & 31);
    if ((page[i >>> 5]! & bit) !== 0) {
      page[i >>> 5]! &= ~bit;
      this.#size--;
    }
  }

  /** The blocks, ascending. */
  *[Symbol.iterator](): IterableIterator<number> {
    for (const p of [...this.#pages.keys()].sort((a, b) => a - b)) {
      const page = this.#pages.get(p)!;
      for (let w = 0; w < page.length; w++) {
        for (let word = page[w]!; word !== 0; word &= word - 1) yield p * PAGE + w * 32 + (31 - Math.clz32(word & -word));
      }
    }
  }

  clear(): void {
    this.#pages.clear();
    this.#size = 0;
  }
}
