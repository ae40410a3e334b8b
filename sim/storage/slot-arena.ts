// Numbered slots of one size in large chunks: where a block store keeps
// payloads too big to sit in its block table (block-store.ts).
//
// Chunks live in the payload memory (src/util/payload-memory.ts) so that XOR
// of two stored blocks runs the WebAssembly SIMD kernel, or in ordinary JS
// memory once that memory is full.
import { allocatePayload, payloadBuffer, releasePayload } from '../../src/util/payload-memory.js';

const CHUNK_BYTES = 1 << 20;

export class SlotArena {
  /** Bytes from one slot to the next: the block size rounded up to 4, so word-wise XOR can run on any slot. */
  readonly stride: number;
  /** Slots per chunk: as many as fit in 1 MiB, or as the owner may need. */
  readonly #perChunk: number;
  readonly #chunks: Uint8Array[] = [];
  /** Stores using the arena (a store and its snapshots): the chunks go back when the last one is released. */
  #users = 1;

  /** `slots`: how many the owner may ever need (small arenas get small chunks). */
  constructor(slotBytes: number, slots: number) {
    this.stride = (slotBytes + 3) & ~3;
    let perChunk = 1;
    while (perChunk < slots && this.stride * perChunk * 2 <= CHUNK_BYTES) perChunk *= 2;
    this.#perChunk = perChunk;
  }

  /** The chunk holding `slot` (made if new); the slot starts at at(slot). */
  chunk(slot: number): Uint8Array {
    const c = Math.floor(slot / this.#perChunk);
    if (this.#users === 0) throw new Error('SlotArena: used after release (a store of a run that has ended)');
    while (this.#chunks.length <= c) this.#add();
    return this.#chunks[c]!;
  }

  at(slot: number): number {
    return (slot % this.#perChunk) * this.stride;
  }

  /** One more store uses the arena (a snapshot). */
  retain(): void {
    this.#users++;
  }

  /** A store is done with the arena; after the last, the chunks go back to the payload memory and the arena must not be used. */
  release(): void {
    if (--this.#users > 0) return;
    this.#chunks.length = 0;
    releasePayload(this);
  }

  #add(): void {
    const bytes = this.stride * this.#perChunk;
    const offset = allocatePayload(bytes, this);
    this.#chunks.push(offset < 0 ? new Uint8Array(bytes) : new Uint8Array(payloadBuffer()!, offset, bytes));
  }
}
