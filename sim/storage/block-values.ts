// A number per block (messages in flight about a block; when its stripe was
// last found whole), in pages of 1 024 made on first use and kept. A Map that
// gains and loses an entry per message rehashes as it grows and shrinks, and a
// Map of 16 M entries with a boxed number each is hundreds of MB for the
// collector to trace (and at V8's limit of 2^24 entries): here a 16 M-block
// array costs the page type's bytes a block at most.
const PAGE = 1024;

type Page = Int32Array | Float64Array;

export class BlockValues {
  readonly #pages = new Map<number, Page>();
  readonly #page: () => Page;
  readonly #empty: number;

  /** `counts`: 32-bit integers starting at 0; else doubles (exact to 2^53) starting at -1. */
  constructor(kind: 'counts' | 'times') {
    this.#empty = kind === 'counts' ? 0 : -1;
    this.#page = kind === 'counts' ? () => new Int32Array(PAGE) : () => new Float64Array(PAGE).fill(-1);
  }

  /** `block`'s value: 0 for counts, -1 for times, until set. */
  get(block: number): number {
    return this.#pages.get(Math.floor(block / PAGE))?.[block % PAGE] ?? this.#empty;
  }

  set(block: number, value: number): void {
    this.#pageOf(block)[block % PAGE] = value;
  }

  /** Adds `by` (may be negative) to `block`'s value. */
  add(block: number, by: number): void {
    this.#pageOf(block)[block % PAGE]! += by;
  }

  #pageOf(block: number): Page {
    const p = Math.floor(block / PAGE);
    let page = this.#pages.get(p);
    if (page === undefined) this.#pages.set(p, (page = this.#page()));
    return page;
  }
}
