// The media contents of one simulated array: block number → bytes.
//
// Never-written blocks cost no memory and read as zeros. All blocks of a store
// have one length (the payload size; see DESIGN §10: payloads may be short
// fingerprints while timing models the full block size).
//
// Written blocks live in large arena chunks indexed by a Map of slots, not one
// small typed array each: millions of tiny long-lived objects make the garbage
// collector the simulator's bottleneck.
import { xorInto } from '../../src/protocol/xor.js';

const CHUNK_BYTES = 1 << 20;

export class BlockStore {
  readonly blockBytes: number;
  readonly blockCount: number;
  readonly #slots = new Map<number, number>();
  readonly #chunks: Uint8Array[] = [];
  readonly #perChunk: number;
  readonly #free: number[] = [];
  #nextSlot = 0;

  constructor(blockCount: number, blockBytes: number) {
    if (!Number.isSafeInteger(blockCount) || blockCount <= 0) throw new RangeError(`BlockStore: bad blockCount ${blockCount}`);
    if (!Number.isSafeInteger(blockBytes) || blockBytes <= 0) throw new RangeError(`BlockStore: bad blockBytes ${blockBytes}`);
    this.blockCount = blockCount;
    this.blockBytes = blockBytes;
    this.#perChunk = Math.max(1, Math.floor(CHUNK_BYTES / blockBytes));
  }

  /** A copy of the block (zeros if never written). */
  get(block: number): Uint8Array {
    const slot = this.#slots.get(block);
    if (slot === undefined) return new Uint8Array(this.blockBytes);
    const [chunk, at] = this.#locate(slot);
    return chunk.slice(at, at + this.blockBytes);
  }

  /** The stored bytes without copying, or undefined if never written. Do not modify or keep. */
  view(block: number): Uint8Array | undefined {
    const slot = this.#slots.get(block);
    if (slot === undefined) return undefined;
    const [chunk, at] = this.#locate(slot);
    return chunk.subarray(at, at + this.blockBytes);
  }

  set(block: number, data: Uint8Array): void {
    if (data.length !== this.blockBytes) throw new RangeError(`BlockStore.set: ${data.length} bytes, expected ${this.blockBytes}`);
    let slot = this.#slots.get(block);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#nextSlot++;
      this.#slots.set(block, slot);
    }
    const [chunk, at] = this.#locate(slot);
    chunk.set(data, at);
  }

  /** acc ^= block (a never-written block is zeros: nothing to do). */
  xorInto(acc: Uint8Array, block: number): void {
    const slot = this.#slots.get(block);
    if (slot === undefined) return;
    const [chunk, at] = this.#locate(slot);
    xorInto(acc, chunk.subarray(at, at + this.blockBytes));
  }

  /** True if the block holds exactly `data` (zeros if never written). */
  equals(block: number, data: Uint8Array): boolean {
    const slot = this.#slots.get(block);
    if (slot === undefined) {
      for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
      return true;
    }
    const [chunk, at] = this.#locate(slot);
    for (let i = 0; i < data.length; i++) if (chunk[at + i] !== data[i]) return false;
    return true;
  }

  /** Forgets the block (it reads as zeros again). */
  clear(block: number): void {
    const slot = this.#slots.get(block);
    if (slot === undefined) return;
    this.#slots.delete(block);
    this.#free.push(slot);
  }

  /** Blocks that have been written and not cleared, in ascending order. */
  writtenBlocks(): number[] {
    return [...this.#slots.keys()].sort((a, b) => a - b);
  }

  get writtenCount(): number {
    return this.#slots.size;
  }

  #locate(slot: number): [Uint8Array, number] {
    const c = Math.floor(slot / this.#perChunk);
    while (this.#chunks.length <= c) this.#chunks.push(new Uint8Array(this.#perChunk * this.blockBytes));
    return [this.#chunks[c]!, (slot - c * this.#perChunk) * this.blockBytes];
  }
}
