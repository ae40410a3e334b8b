// A drive's volatile write cache: the bookkeeping only (hdd.ts does the timing).
//
// A cached write is acknowledged before it is on the media; one destage per
// dirty block is queued at the mechanism and writes whatever the block holds
// when its service starts. A rewrite of a block already cached replaces its
// data in place (a new version), so the media never sees an older version
// after a newer one. A full cache admits new blocks in arrival order as
// destages free room. Everything here is lost when power is.
import type { WriteResult } from '../../src/ports/block-device.js';

interface Entry {
  data: Uint8Array;
  version: number;
  /** A destage of this block is queued and not yet started. */
  queued: boolean;
}

/** A write waiting for room in a full cache (not yet acknowledged). */
export interface CacheWaiter {
  readonly block: number;
  readonly data: Uint8Array;
  readonly done: (r: WriteResult) => void;
}

export class WriteCache {
  /** Blocks the cache holds. */
  readonly capacity: number;
  readonly #entries = new Map<number, Entry>();
  #waiters: CacheWaiter[] = [];

  constructor(capacityBlocks: number) {
    this.capacity = capacityBlocks;
  }

  /** Blocks cached plus writes waiting for room. */
  get dirtyBlocks(): number {
    return this.#entries.size + this.#waiters.length;
  }

  /** Blocks cached (acknowledged or about to be, not yet on the media). */
  get size(): number {
    return this.#entries.size;
  }

  has(block: number): boolean {
    return this.#entries.has(block);
  }

  /** The cached contents of `block` (not a copy), if cached. */
  get(block: number): Uint8Array | undefined {
    return this.#entries.get(block)?.data;
  }

  /** Can a write of `block` be cached now? Never ahead of an earlier waiter, so one block's writes keep their order. */
  admits(block: number): boolean {
    return this.#entries.has(block) || (this.#waiters.length === 0 && this.#entries.size < this.capacity);
  }

  wait(waiter: CacheWaiter): void {
    this.#waiters.push(waiter);
  }

  /** Caches `data` for `block`; true if the caller must queue a destage for it. */
  put(block: number, data: Uint8Array): boolean {
    const entry = this.#entries.get(block);
    if (entry === undefined) {
      this.#entries.set(block, { data, version: 0, queued: true });
      return true;
    }
    entry.data = data;
    entry.version++;
    if (entry.queued) return false;
    entry.queued = true;
    return true;
  }

  /** A destage of `block` enters service: what it writes. */
  startDestage(block: number): { data: Uint8Array; version: number } {
    const entry = this.#entries.get(block)!;
    entry.queued = false;
    return { data: entry.data, version: entry.version };
  }

  /** A destage of `version` reached the media; the entry goes unless it was rewritten meanwhile. True if room was freed. */
  destaged(block: number, version: number): boolean {
    const entry = this.#entries.get(block);
    if (entry === undefined || entry.version !== version) return false;
    this.#entries.delete(block);
    return true;
  }

  /** The oldest waiter, removed, if the cache can take it now. */
  nextAdmissible(): CacheWaiter | undefined {
    const w = this.#waiters[0];
    if (w === undefined || (!this.#entries.has(w.block) && this.#entries.size >= this.capacity)) return undefined;
    this.#waiters.shift();
    return w;
  }

  /** Removes and returns every waiter. */
  takeWaiters(): CacheWaiter[] {
    const w = this.#waiters;
    this.#waiters = [];
    return w;
  }

  /** Power is gone: forgets every cached block (waiters must have been taken first). */
  clear(): void {
    this.#entries.clear();
  }
}
