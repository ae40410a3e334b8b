// Numbered slots of one size in large chunks: where a block store keeps
// payloads too big to sit in its block table (block-store.ts).
//
// Chunks live in the payload memory (src/util/payload-memory.ts) so that XOR
// of two stored blocks runs the WebAssembly SIMD kernel, or in ordinary JS
// memory once that memory is full (4 GiB). A chunk in the payload memory is
// known by its offset; its view is made again whenever the memory has grown
// (growth empties every view made before).
import { allocatePayload, payloadBuffer, payloadGeneration } from '../../src/util/payload-memory.js';

const CHUNK_BYTES = 1 << 20;

export class SlotArena {
  /** Bytes from one slot to the next: the block size rounded up to 4, so word-wise XOR can run on any slot. */
  readonly stride: number;
  /** Slots per chunk: as many as fit in 1 MiB, or as the owner may need. */
  readonly #perChunk: number;
  readonly #chunks: Uint8Array[] = [];
  /** Per chunk: its offset in the payload memory, or -1 for a JS chunk. */
  readonly #offsets: number[] = [];
  #generation = payloadGeneration();

  /** `slots`: how many the owner may ever need (small arenas get small chunks). */
  constructor(slotBytes: number, slots: number) {
    this.stride = (slotBytes + 3) & ~3;
    let bits = 0;
    while (bits < 30 && this.stride << (bits + 1) <= CHUNK_BYTES && 1 << bits < slots) bits++;
    this.#perChunk = 2 ** bits;
  }

  /** The chunk holding `slot` (made if new); the slot starts at at(slot). */
  chunk(slot: number): Uint8Array {
    if (this.#generation !== payloadGeneration()) this.#refresh();
    const c = Math.floor(slot / this.#perChunk);
    while (this.#chunks.length <= c) this.#add();
    return this.#chunks[c]!;
  }

  at(slot: number): number {
    return (slot % this.#perChunk) * this.stride;
  }

  #add(): void {
    const bytes = this.stride * this.#perChunk;
    const offset = allocatePayload(bytes, this);
    this.#generation = payloadGeneration(); // an allocation may have grown the memory
    this.#refresh();
    this.#offsets.push(offset);
    this.#chunks.push(offset < 0 ? new Uint8Array(bytes) : new Uint8Array(payloadBuffer(), offset, bytes));
  }

  #refresh(): void {
    this.#generation = payloadGeneration();
    const bytes = this.stride * this.#perChunk;
    for (let c = 0; c < this.#chunks.length; c++) {
      const offset = this.#offsets[c]!;
      if (offset >= 0) this.#chunks[c] = new Uint8Array(payloadBuffer(), offset, bytes);
    }
  }
}
