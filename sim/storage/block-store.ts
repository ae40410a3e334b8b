// The media contents of one simulated array: block number → bytes.
//
// Never-written blocks cost no memory and read as zeros. All blocks of a store
// have one length (the payload size; see payloadBytes in docs/SCENARIOS.md: payloads may be short
// fingerprints while timing models the full block size).
//
// No object per block: millions of small long-lived objects make the garbage
// collector the simulator's bottleneck, and a Map entry costs more than a
// fingerprint. Two layouts, by payload size:
//  - small payloads (≤ 64 B, fingerprints): the bytes sit in a paged table at
//    the block's own place (paged-table.ts): payload + 1 bit per dense block;
//  - larger ones: a paged table of slot numbers, and the slots packed in
//    chunks of the payload memory (slot-arena.ts), where XOR of two stored
//    blocks runs the WebAssembly SIMD kernel. A sparse array then costs one
//    page of slot numbers per 1 024 blocks it touched, not one of payloads.
//
// snapshot() keeps the contents as they are now, read-only, without a copy:
// the store never overwrites what a snapshot still shows (copy on write).
import { xorInto } from '../../src/protocol/xor.js';
import { PagedTable } from './paged-table.js';
import { SlotArena } from './slot-arena.js';

/** Payloads up to this size live in the table itself: a slot number (4 B) would cost a quarter of a fingerprint. */
const SMALL = 64;

export class BlockStore {
  readonly blockBytes: number;
  readonly blockCount: number;
  /** Small payloads: the bytes. Larger ones: slot numbers (4 B entries). */
  readonly #table: PagedTable;
  readonly #arena: SlotArena | undefined;
  #free: number[] = [];
  #nextSlot = 0;
  /** Slots below this are shown by a snapshot: never written again, never reused. */
  #frozenSlots = 0;
  #readOnly = false;
  #released = false;
  /** Where #find/#claim put the block: its bytes start at #at in #bytes. */
  #bytes: Uint8Array = new Uint8Array(0);
  #at = 0;

  /** `shareFrom`: snapshot()'s own use — a read-only store over another's contents. */
  constructor(blockCount: number, blockBytes: number, shareFrom?: BlockStore) {
    if (!Number.isSafeInteger(blockCount) || blockCount <= 0) throw new RangeError(`BlockStore: bad blockCount ${blockCount}`);
    if (!Number.isSafeInteger(blockBytes) || blockBytes <= 0) throw new RangeError(`BlockStore: bad blockBytes ${blockBytes}`);
    this.blockCount = blockCount;
    this.blockBytes = blockBytes;
    if (shareFrom !== undefined) {
      // A snapshot: the table as it is (shared pages), the same arena.
      this.#table = shareFrom.#table.snapshot();
      this.#arena = shareFrom.#arena;
      this.#arena?.retain();
      this.#readOnly = true;
    } else if (blockBytes <= SMALL) {
      this.#table = new PagedTable(blockBytes);
      this.#arena = undefined;
    } else {
      this.#table = new PagedTable(4);
      this.#arena = new SlotArena(blockBytes, blockCount);
    }
  }

  /** Has the block been written (and not cleared)? */
  has(block: number): boolean {
    return this.#table.has(block);
  }

  /** A copy of the block (zeros if never written). */
  get(block: number): Uint8Array {
    if (!this.#find(block)) return new Uint8Array(this.blockBytes);
    return this.#bytes.slice(this.#at, this.#at + this.blockBytes);
  }

  /** The stored bytes without copying, or undefined if never written. Do not modify or keep (a view may go empty). */
  view(block: number): Uint8Array | undefined {
    if (!this.#find(block)) return undefined;
    return this.#bytes.subarray(this.#at, this.#at + this.blockBytes);
  }

  set(block: number, data: Uint8Array): void {
    if (data.length !== this.blockBytes) throw new RangeError(`BlockStore.set: ${data.length} bytes, expected ${this.blockBytes}`);
    this.#claim(block);
    this.#bytes.set(data, this.#at);
  }

  /** acc ^= block (a never-written block is zeros: nothing to do). */
  xorInto(acc: Uint8Array, block: number): void {
    if (!this.#find(block)) return;
    xorInto(acc, this.#bytes.subarray(this.#at, this.#at + this.blockBytes));
  }

  /** True if the block holds exactly `data` (zeros if never written). */
  equals(block: number, data: Uint8Array): boolean {
    if (!this.#find(block)) {
      for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
      return true;
    }
    if (data.length !== this.blockBytes) return false;
    const bytes = this.#bytes;
    const at = this.#at;
    for (let i = 0; i < data.length; i++) if (bytes[at + i] !== data[i]) return false;
    return true;
  }

  /** Forgets the block (it reads as zeros again). */
  clear(block: number): void {
    this.#writable();
    if (this.#arena === undefined) {
      this.#table.delete(block);
      return;
    }
    const slot = this.#table.getU32(block);
    if (slot === undefined) return;
    this.#table.delete(block);
    if (slot >= this.#frozenSlots) this.#free.push(slot);
  }

  /** Blocks that have been written and not cleared, in ascending order. */
  writtenBlocks(): number[] {
    return this.#table.keys();
  }

  /** Calls `fn` with every written block, ascending: writtenBlocks() without an array of them all. */
  forEachWritten(fn: (block: number) => void): void {
    this.#table.forEachKey(fn);
  }

  get writtenCount(): number {
    return this.#table.size;
  }

  /**
   * The contents as they are now, read-only, sharing the bytes: later writes
   * and clears here do not show in it. (Prefill keeps the initial contents
   * this way, for the durability checker, instead of a copy of every block.)
   */
  snapshot(): BlockStore {
    this.#writable();
    // Every slot handed out so far may be in the snapshot: never overwrite or reuse one.
    this.#frozenSlots = this.#nextSlot;
    this.#free = [];
    return new BlockStore(this.blockCount, this.blockBytes, this);
  }

  /**
   * Nothing will use this store again (its array was replaced, or its run is
   * over): its payload memory goes back now rather than whenever the
   * collector gets to it — once its snapshots, which share it, are released
   * too. Reading or writing a large-payload store after this throws.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#arena?.release();
  }

  /** Points #bytes/#at at the block; false if it was never written. */
  #find(block: number): boolean {
    if (this.#arena === undefined) {
      const page = this.#table.page(block);
      if (page === undefined) return false;
      this.#bytes = page;
      this.#at = this.#table.offset(block);
      return true;
    }
    const slot = this.#table.getU32(block);
    if (slot === undefined) return false;
    this.#bytes = this.#arena.chunk(slot);
    this.#at = this.#arena.at(slot);
    return true;
  }

  /** Points #bytes/#at at bytes the block may be written to (a new slot if it has none, or only one a snapshot shows). */
  #claim(block: number): void {
    this.#writable();
    if (this.#arena === undefined) {
      this.#bytes = this.#table.claim(block);
      this.#at = this.#table.offset(block);
      return;
    }
    let slot = this.#table.getU32(block);
    if (slot === undefined || slot < this.#frozenSlots) {
      slot = this.#free.pop() ?? this.#nextSlot++;
      this.#table.setU32(block, slot);
    }
    this.#bytes = this.#arena.chunk(slot);
    this.#at = this.#arena.at(slot);
  }

  #writable(): void {
    if (this.#readOnly) throw new Error('BlockStore: a snapshot is read-only');
  }
}
