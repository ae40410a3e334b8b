// A time per block number (when the parity check last found its stripe
// whole), in pages of 1 024 made on first use: the checks reach every block
// of the array, and a Map of 16 M entries with a boxed number each was
// hundreds of MB for the collector to trace (and a Map holds at most 2^24).
const PAGE = 1024;

export class BlockTimes {
  readonly #pages = new Map<number, Float64Array>();

  /** The time set for `block`, or -1. */
  get(block: number): number {
    return this.#pages.get(Math.floor(block / PAGE))?.[block % PAGE] ?? -1;
  }

  set(block: number, time: number): void {
    const p = Math.floor(block / PAGE);
    let page = this.#pages.get(p);
    if (page === undefined) this.#pages.set(p, (page = new Float64Array(PAGE).fill(-1)));
    page[block % PAGE] = time;
  }
}
