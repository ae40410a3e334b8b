// A sparse table from block number to a fixed-size entry, in pages of 1 024
// blocks made on the first write to one of them: dense blocks cost their
// entry plus one bit each, never-written pages nothing (a 16 M-block array
// whose host touched ten blocks holds at most ten pages).
//
// It replaces Map<number, …> for per-block state: a Map entry with its boxed
// value costs tens of bytes and is one more object for the garbage collector
// to trace, for every block ever written.
//
// snapshot() gives a read-only copy that shares the pages; the table copies a
// shared page before it first changes it (copy on write), so a snapshot costs
// only the pages written after it.

const PAGE = 1024;
const MASK = PAGE - 1;

export class PagedTable {
  readonly entryBytes: number;
  /** Per page: PAGE entries, then PAGE presence bits (one per block). */
  #pages: (Uint8Array | undefined)[] = [];
  /** The same pages as 32-bit words, for 4-byte entries (getU32/setU32). */
  #words: (Uint32Array | undefined)[] = [];
  /** Pages shared with a snapshot (copied before their first change). */
  readonly #shared = new Set<number>();
  /** Page numbers made, in the order made. */
  #made: number[] = [];
  #readOnly = false;
  #size = 0;

  constructor(entryBytes: number) {
    if (!Number.isSafeInteger(entryBytes) || entryBytes < 1) throw new RangeError(`PagedTable: bad entry size ${entryBytes}`);
    this.entryBytes = entryBytes;
  }

  get size(): number {
    return this.#size;
  }

  has(k: number): boolean {
    const page = this.#pages[pageOf(k)];
    return page !== undefined && bit(page, this.entryBytes, k);
  }

  /** The page holding k's entry (at offset(k)), or undefined if k has none. */
  page(k: number): Uint8Array | undefined {
    const page = this.#pages[pageOf(k)];
    return page !== undefined && bit(page, this.entryBytes, k) ? page : undefined;
  }

  /** Where k's entry starts in its page. */
  offset(k: number): number {
    return (k & MASK) * this.entryBytes;
  }

  /** Gives k an entry if it has none (zeros) and returns its page, ready to be written at offset(k). */
  claim(k: number): Uint8Array {
    const page = this.#writable(pageOf(k));
    const at = PAGE * this.entryBytes + ((k & MASK) >>> 3);
    const mask = 1 << (k & 7);
    if ((page[at]! & mask) === 0) {
      page[at]! |= mask;
      this.#size++;
      page.fill(0, this.offset(k), this.offset(k) + this.entryBytes); // a deleted entry leaves its old bytes
    }
    return page;
  }

  delete(k: number): boolean {
    if (!this.has(k)) return false;
    const page = this.#writable(pageOf(k));
    page[PAGE * this.entryBytes + ((k & MASK) >>> 3)]! &= ~(1 << (k & 7));
    this.#size--;
    return true;
  }

  /** A 4-byte entry as an unsigned integer, or undefined. */
  getU32(k: number): number | undefined {
    const p = pageOf(k);
    const page = this.#pages[p];
    return page !== undefined && bit(page, 4, k) ? this.#words[p]![k & MASK]! : undefined;
  }

  setU32(k: number, value: number): void {
    this.claim(k);
    this.#words[pageOf(k)]![k & MASK] = value;
  }

  /** Every block with an entry, ascending. */
  keys(): number[] {
    const out: number[] = [];
    this.forEachKey((k) => out.push(k));
    return out;
  }

  /** Calls `fn` with every block that has an entry, ascending (no array of them all). */
  forEachKey(fn: (k: number) => void): void {
    const base = PAGE * this.entryBytes;
    for (const p of [...this.#made].sort((a, b) => a - b)) {
      const page = this.#pages[p]!;
      for (let i = 0; i < PAGE / 8; i++) {
        const byte = page[base + i]!;
        if (byte === 0) continue;
        for (let b = 0; b < 8; b++) if (byte & (1 << b)) fn(p * PAGE + i * 8 + b);
      }
    }
  }

  /** Forgets every entry. */
  clear(): void {
    this.#checkWritable();
    this.#pages.length = 0;
    this.#words.length = 0;
    this.#shared.clear();
    this.#made.length = 0;
    this.#size = 0;
  }

  /** A read-only copy of the table as it is now, sharing its pages. */
  snapshot(): PagedTable {
    const copy = new PagedTable(this.entryBytes);
    // Page by page: the page arrays may be sparse (pages far apart), where slice() would walk every index.
    for (const p of this.#made) {
      copy.#pages[p] = this.#pages[p];
      if (this.entryBytes === 4) copy.#words[p] = this.#words[p];
    }
    copy.#made = this.#made.slice();
    copy.#size = this.#size;
    copy.#readOnly = true;
    for (const p of this.#made) this.#shared.add(p);
    return copy;
  }

  #checkWritable(): void {
    if (this.#readOnly) throw new Error('PagedTable: a snapshot is read-only');
  }

  /** Page p, made or unshared as needed so that it may be changed. */
  #writable(p: number): Uint8Array {
    this.#checkWritable();
    let page = this.#pages[p];
    if (page === undefined) {
      page = new Uint8Array(PAGE * this.entryBytes + PAGE / 8);
      this.#made.push(p);
    } else if (this.#shared.delete(p)) page = page.slice();
    else return page;
    this.#pages[p] = page;
    if (this.entryBytes === 4) this.#words[p] = new Uint32Array(page.buffer, 0, PAGE);
    return page;
  }
}

/** Block numbers reach 2^40 (the scenario schema's limit): no 32-bit shift. */
function pageOf(k: number): number {
  return Math.floor(k / PAGE);
}

function bit(page: Uint8Array, entryBytes: number, k: number): boolean {
  return (page[PAGE * entryBytes + ((k & MASK) >>> 3)]! & (1 << (k & 7))) !== 0;
}
