// The BlockDevice port a controller gets for one simulated array: the device
// itself, plus what an array's firmware reports about its member drives — the
// blocks a replaced drive lost, which the controller must rebuild.
import type { BlockDevice, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import { DiskArray } from './disk-array.js';
import type { SimDevice } from './sim-device.js';

export class ArrayPort implements BlockDevice {
  readonly #device: SimDevice;

  constructor(device: SimDevice) {
    this.#device = device;
  }

  get blockBytes(): number {
    return this.#device.blockBytes;
  }

  get blockCount(): number {
    return this.#device.blockCount;
  }

  read(block: number): Promise<ReadResult> {
    return this.#device.read(block);
  }

  write(block: number, data: Uint8Array): Promise<WriteResult> {
    return this.#device.write(block, data);
  }

  /** Lost blocks on replaced drives (a drive still failed cannot take them yet). */
  lostBlocks(): readonly number[] {
    const d = this.#device;
    if (!(d instanceof DiskArray)) return [];
    return d.lostBlocks().filter((block) => !d.drives[d.locate(block).drive]!.failed);
  }
}
