// What the simulated world needs from any simulated block device, beyond the
// BlockDevice port the controllers use: a god's-eye view of the media (for the
// checker and image dumps), a hook on completed writes, and the power switch.
import type { BlockDevice, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import type { BlockStore } from '../storage/block-store.js';

export interface DeviceObserver {
  /** A write of `block` has just become durable. */
  written(block: number): void;
}

/** What a power failure destroyed: writes torn in service, cached blocks never destaged. */
export interface PowerLoss {
  readonly torn: number;
  readonly cachedLost: number;
  /** Blocks whose media may now disagree with what was last written to them (torn, or a cached write lost), ascending. */
  readonly blocks: readonly number[];
}

/** A result handed to a callback: the simulator's layers pass one down, and only the port a controller holds makes a promise of it. */
export type Done<R> = (result: R) => void;

/** Reads and writes that answer through a callback (no promise per layer): what the world's ports are built on. */
export interface CallbackDevice {
  readThen(block: number, done: Done<ReadResult>): void;
  writeThen(block: number, data: Uint8Array, done: Done<WriteResult>, checksum?: number): void;
}

export interface SimDevice extends BlockDevice, CallbackDevice {
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
  /** Power lost, controller and disks at once; every request answers device-failed until restart(). */
  powerFail(): PowerLoss;
  /** Power back (or, for an array, its controller back after a crash). */
  restart(): void;
  /** Powered off or crashed, awaiting restart(). */
  readonly down: boolean;
  /** A write of `block` was acknowledged (or is about to be) but is not on the media yet: a volatile cache holds it. */
  cached(block: number): boolean;
}
