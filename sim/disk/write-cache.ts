// A drive's volatile write cache: the bookkeeping only (hdd.ts does the timing).
//
// A cached write is acknowledged before it is on the media; one destage per
// dirty block is queued at the mechanism and writes whatever the block holds
// when its service starts. A rewrite of a block already cached replaces its
// data in place (a new version), so the media never sees an older version
// after a newer one. A full cache admits new blocks in arrival order as
// destages free room. A flush (the host's FLUSH CACHE) completes once every
// block cached when it was issued is on the media. Everything here is lost
// when power is.
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

/** A flush waiting for these blocks to reach the media at these versions (or later). */
interface Flush {
  readonly need: Map<number, number>;
  readonly done: (ok: boolean) => void;
}

export class WriteCache {
  /** Blocks the cache holds. */
  readonly capacity: number;
  readonly #entries = new Map<number, Entry>();
  #waiters: CacheWaiter[] = [];
  #flushes: Flush[] = [];

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

  /** A write of `block` is cached or waiting for room: the media may not show it yet. */
  holds(block: number): boolean {
    return this.#entries.has(block) || this.#waiters.some((w) => w.block === block);
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

  /** Calls `done(true)` once every block cached now has reached the media; `done(false)` if power goes first. */
  flush(done: (ok: boolean) => void): void {
    if (this.#entries.size === 0) return done(true);
    const need = new Map<number, number>();
    for (const [block, entry] of this.#entries) need.set(block, entry.version);
    this.#flushes.push({ need, done });
  }

  /** A destage of `version` reached the media; the entry goes unless it was rewritten meanwhile. True if room was freed. */
  destaged(block: number, version: number): boolean {
    if (this.#flushes.length > 0) this.#flushed(block, version);
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

  /** Power is gone: forgets every cached block (waiters must have been taken first); pending flushes fail. */
  /** Blocks the cache holds (acknowledged, not yet on the media). */
  blocks(): number[] {
    return [...this.#entries.keys()];
  }

  clear(): void {
    this.#entries.clear();
    const flushes = this.#flushes;
    this.#flushes = [];
    for (const f of flushes) f.done(false);
  }

  #flushed(block: number, version: number): void {
    const waiting: Flush[] = [];
    for (const f of this.#flushes) {
      const need = f.need.get(block);
      if (need !== undefined && need <= version) f.need.delete(block);
      if (f.need.size === 0) f.done(true);
      else waiting.push(f);
    }
    this.#flushes = waiting;
  }
}
