// A count per block number (messages in flight about a block, a check queued
// for it): in pages of 1 024 counters made on first use and kept. A Map that
// gains and loses an entry per message rehashes as it grows and shrinks — that
// churn was one of the larger sources of garbage in a long restore — and a
// 16 M-block array's pages cost 4 bytes a block at most.
const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;

export class BlockCounts {
  readonly #pages = new Map<number, Int32Array>();

  get(block: number): number {
    return this.#pages.get(Math.floor(block / PAGE))?.[block % PAGE] ?? 0;
  }

  /** Adds `by` (may be negative) to `block`'s count; returns the new count. */
  add(block: number, by: number): number {
    const p = Math.floor(block / PAGE);
    let page = this.#pages.get(p);
    if (page === undefined) this.#pages.set(p, (page = new Int32Array(PAGE)));
    return (page[block % PAGE]! += by);
  }
}
