// BlockDevice on a real file: block k lives at byte offset k × blockBytes.
// A write resolves once the data is durable (written, then fdatasync).
// Reads past the file's current end are zeros, like a never-written block.
import { type FileHandle, open } from 'node:fs/promises';
import type { BlockDevice, ReadResult, WriteResult } from '../ports/block-device.js';

export class FileBlockDevice implements BlockDevice {
  readonly blockBytes: number;
  readonly blockCount: number;
  readonly #file: FileHandle;

  private constructor(file: FileHandle, blockCount: number, blockBytes: number) {
    this.#file = file;
    this.blockCount = blockCount;
    this.blockBytes = blockBytes;
  }

  /** Opens (creating if needed) a device of `blockCount` blocks of `blockBytes`. */
  static async open(path: string, blockCount: number, blockBytes: number): Promise<FileBlockDevice> {
    if (!Number.isSafeInteger(blockCount) || blockCount <= 0) throw new RangeError(`FileBlockDevice: bad blockCount ${blockCount}`);
    if (!Number.isSafeInteger(blockBytes) || blockBytes <= 0) throw new RangeError(`FileBlockDevice: bad blockBytes ${blockBytes}`);
    const file = await open(path, 'a+').then((f) => f.close()).then(() => open(path, 'r+'));
    return new FileBlockDevice(file, blockCount, blockBytes);
  }

  async read(block: number): Promise<ReadResult> {
    if (!this.#inRange(block)) return { ok: false, error: 'out-of-range' };
    const data = new Uint8Array(this.blockBytes);
    try {
      await this.#file.read(data, 0, this.blockBytes, block * this.blockBytes);
      return { ok: true, data };
    } catch {
      return { ok: false, error: 'media-error' };
    }
  }

  async write(block: number, data: Uint8Array): Promise<WriteResult> {
    if (!this.#inRange(block)) return { ok: false, error: 'out-of-range' };
    if (data.length !== this.blockBytes) throw new RangeError(`FileBlockDevice.write: ${data.length} bytes, expected ${this.blockBytes}`);
    try {
      await this.#file.write(data, 0, data.length, block * this.blockBytes);
      await this.#file.datasync();
      return { ok: true };
    } catch {
      return { ok: false, error: 'device-failed' };
    }
  }

  /** Every write is already synced before it resolves. */
  async flush(): Promise<WriteResult> {
    return { ok: true };
  }

  close(): Promise<void> {
    return this.#file.close();
  }

  #inRange(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.blockCount;
  }
}
