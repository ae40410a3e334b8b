// BlockDevice on a real file: block k lives at byte offset k × blockBytes.
// A write resolves once the data is durable (written, then fdatasync).
// Reads past the file's current end are zeros, like a never-written block.
//
// With `checksums`, a protection-information sidecar (`<image>.pi`) keeps one
// 8-byte entry per block — a u32 "written" mark and the block's u32 checksum —
// written and synced with every data write, and returned with every read, as
// T10 DIF or dm-integrity keep them beside the data. A crash between the data
// and its entry leaves them disagreeing: the controller then takes the block
// for damaged and rebuilds it from parity, as it does a corrupted one.
import { type FileHandle, open } from 'node:fs/promises';
import type { BlockDevice, ReadResult, WriteResult } from '../ports/block-device.js';

const PI_ENTRY = 8;
const WRITTEN = 1;

export interface FileBlockDeviceOptions {
  /** Keep a protection-information sidecar (`<path>.pi`): the device then stores and returns each block's checksum. */
  readonly checksums?: boolean;
}

export class FileBlockDevice implements BlockDevice {
  readonly blockBytes: number;
  readonly blockCount: number;
  readonly keepsChecksums: boolean;
  readonly #file: FileHandle;
  readonly #pi: FileHandle | undefined;

  private constructor(file: FileHandle, pi: FileHandle | undefined, blockCount: number, blockBytes: number) {
    this.#file = file;
    this.#pi = pi;
    this.keepsChecksums = pi !== undefined;
    this.blockCount = blockCount;
    this.blockBytes = blockBytes;
  }

  /** Opens (creating if needed) a device of `blockCount` blocks of `blockBytes`. */
  static async open(path: string, blockCount: number, blockBytes: number, options: FileBlockDeviceOptions = {}): Promise<FileBlockDevice> {
    if (!Number.isSafeInteger(blockCount) || blockCount <= 0) throw new RangeError(`FileBlockDevice: bad blockCount ${blockCount}`);
    if (!Number.isSafeInteger(blockBytes) || blockBytes <= 0) throw new RangeError(`FileBlockDevice: bad blockBytes ${blockBytes}`);
    const file = await openReadWrite(path);
    const pi = options.checksums === true ? await openReadWrite(`${path}.pi`) : undefined;
    return new FileBlockDevice(file, pi, blockCount, blockBytes);
  }

  async read(block: number): Promise<ReadResult> {
    if (!this.#inRange(block)) return { ok: false, error: 'out-of-range' };
    const data = new Uint8Array(this.blockBytes);
    try {
      await this.#file.read(data, 0, this.blockBytes, block * this.blockBytes);
      if (this.#pi === undefined) return { ok: true, data };
      const entry = new Uint8Array(PI_ENTRY);
      await this.#pi.read(entry, 0, PI_ENTRY, block * PI_ENTRY);
      const view = new DataView(entry.buffer);
      const checksum = view.getUint32(0, true) === WRITTEN ? view.getUint32(4, true) : undefined;
      return { ok: true, data, checksum };
    } catch {
      return { ok: false, error: 'media-error' };
    }
  }

  async write(block: number, data: Uint8Array, checksum?: number): Promise<WriteResult> {
    if (!this.#inRange(block)) return { ok: false, error: 'out-of-range' };
    if (data.length !== this.blockBytes) throw new RangeError(`FileBlockDevice.write: ${data.length} bytes, expected ${this.blockBytes}`);
    // Copied at the call, as the simulated devices do: the write runs on libuv's thread pool
    // later, and would otherwise store whatever the caller has put in its buffer by then.
    const copy = data.slice();
    try {
      await this.#file.write(copy, 0, copy.length, block * this.blockBytes);
      await this.#file.datasync();
      if (this.#pi !== undefined) {
        const entry = new Uint8Array(PI_ENTRY);
        const view = new DataView(entry.buffer);
        if (checksum !== undefined) {
          view.setUint32(0, WRITTEN, true);
          view.setUint32(4, checksum >>> 0, true);
        }
        await this.#pi.write(entry, 0, PI_ENTRY, block * PI_ENTRY);
        await this.#pi.datasync();
      }
      return { ok: true };
    } catch {
      return { ok: false, error: 'device-failed' };
    }
  }

  /** Every write is already synced before it resolves. */
  async flush(): Promise<WriteResult> {
    return { ok: true };
  }

  async close(): Promise<void> {
    await this.#file.close();
    await this.#pi?.close();
  }

  #inRange(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.blockCount;
  }
}

/** Opens `path` for reading and writing, creating it empty if it does not exist. */
async function openReadWrite(path: string): Promise<FileHandle> {
  await (await open(path, 'a+')).close();
  return open(path, 'r+');
}
