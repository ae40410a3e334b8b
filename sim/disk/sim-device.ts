// What the simulated world needs from any simulated block device, beyond the
// BlockDevice port the controllers use: a god's-eye view of the media (for the
// checker and image dumps) and a hook on completed writes.
import type { BlockDevice } from '../../src/ports/block-device.js';
import type { BlockStore } from '../storage/block-store.js';

export interface DeviceObserver {
  /** A write of `block` has just become durable. */
  written(block: number): void;
}

export interface SimDevice extends BlockDevice {
  readonly name: string;
  /** The media contents, read without I/O, timing or faults. */
  readonly store: BlockStore;
  observe(observer: DeviceObserver): void;
  /** The whole array is lost: media gone, every request fails with device-failed. */
  fail(): void;
  /** A new, empty array takes the failed one's place. */
  replace(): void;
  readonly failed: boolean;
  /** Requests submitted and not yet completed. */
  readonly inFlight: number;
}
