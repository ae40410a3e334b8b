// Work on each stripe that the world can see in flight: host operations
// issued and not yet answered, and disk reads and writes a controller asked
// of its array's port and the port has not answered. Block k of every array
// is stripe k, so one count per block number covers them all.
//
// The oracle holds the parity check of a block while any is in flight, for a
// controller that gives no busy() hint of its own (a user's module: its
// controllers' internals are none of the checker's business). The built-in
// controllers answer busy() and are not watched: their runs stay as they were.
import type { BlockDevice, ReadResult, WriteResult } from '../../src/ports/block-device.js';

export class BlockActivity {
  readonly #inFlight = new Map<number, number>();

  /** Is anything about `block` in flight? */
  busy(block: number): boolean {
    return this.#inFlight.has(block);
  }

  /** Counts `work` about `block` in flight until it settles (either way); returns it. */
  track<T>(block: number, work: Promise<T>): Promise<T> {
    this.#inFlight.set(block, (this.#inFlight.get(block) ?? 0) + 1);
    const done = () => {
      const left = this.#inFlight.get(block)! - 1;
      if (left === 0) this.#inFlight.delete(block);
      else this.#inFlight.set(block, left);
    };
    work.then(done, done);
    return work;
  }

  /** `disk` with every read and write tracked (what a controller gets, below its life's gate). */
  watch(disk: BlockDevice): BlockDevice {
    return {
      get blockBytes() {
        return disk.blockBytes;
      },
      get blockCount() {
        return disk.blockCount;
      },
      ...(disk.keepsChecksums === undefined ? {} : { keepsChecksums: disk.keepsChecksums }),
      read: (block: number): Promise<ReadResult> => this.track(block, disk.read(block)),
      write: (block: number, data: Uint8Array, checksum?: number): Promise<WriteResult> => this.track(block, disk.write(block, data, checksum)),
      flush: (): Promise<WriteResult> => disk.flush(),
      ...(disk.lostBlocks === undefined ? {} : { lostBlocks: () => disk.lostBlocks!() }),
    };
  }
}
