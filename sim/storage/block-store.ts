// The media contents of one simulated array: block number → bytes.
//
// Never-written blocks cost no memory and read as zeros. All blocks of a store
// have one length (the payload size; see DESIGN §10: payloads may be short
// fingerprints while timing models the full block size).

export class BlockStore {
  readonly blockBytes: number;
  readonly blockCount: number;
  readonly #blocks = new Map<number, Uint8Array>();

  constructor(blockCount: number, blockBytes: number) {
    if (!Number.isSafeInteger(blockCount) || blockCount <= 0) throw new RangeError(`BlockStore: bad blockCount ${blockCount}`);
    if (!Number.isSafeInteger(blockBytes) || blockBytes <= 0) throw new RangeError(`BlockStore: bad blockBytes ${blockBytes}`);
    this.blockCount = blockCount;
    this.blockBytes = blockBytes;
  }

  /** A copy of the block (zeros if never written). */
  get(block: number): Uint8Array {
    const stored = this.#blocks.get(block);
    return stored === undefined ? new Uint8Array(this.blockBytes) : Uint8Array.from(stored);
  }

  /** The stored bytes without copying, or undefined if never written. Do not modify. */
  view(block: number): Uint8Array | undefined {
    return this.#blocks.get(block);
  }

  set(block: number, data: Uint8Array): void {
    if (data.length !== this.blockBytes) throw new RangeError(`BlockStore.set: ${data.length} bytes, expected ${this.blockBytes}`);
    this.#blocks.set(block, Uint8Array.from(data));
  }

  /** Forgets the block (it reads as zeros again). */
  clear(block: number): void {
    this.#blocks.delete(block);
  }

  /** Blocks that have ever been written, in ascending order. */
  writtenBlocks(): number[] {
    return [...this.#blocks.keys()].sort((a, b) => a - b);
  }
}
