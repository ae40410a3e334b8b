// Where a drive keeps its payloads, and what a torn write leaves there.
import { BlockStore } from '../storage/block-store.js';

/** A drive's platters (drive-local block numbers). */
export interface HddMedia {
  /** A copy; zeros if never written. */
  get(block: number): Uint8Array;
  set(block: number, data: Uint8Array): void;
  /** The platters are gone: every block reads as zeros again. */
  wipe(): void;
}

/** Platters of its own, for a drive used alone. */
export function ownMedia(blockCount: number, blockBytes: number): HddMedia {
  let store = new BlockStore(blockCount, blockBytes);
  return {
    get: (block) => store.get(block),
    set: (block, data) => store.set(block, data),
    wipe: () => void (store = new BlockStore(blockCount, blockBytes)),
  };
}

/**
 * `old` with the first `landed` of `sectors` sectors replaced by `next`'s:
 * sector i covers payload bytes [⌊i·P/S⌋, ⌊(i+1)·P/S⌋) (P payload bytes, S
 * sectors), so a short fingerprint payload tears where the modelled block would.
 */
export function tornMix(old: Uint8Array, next: Uint8Array, landed: number, sectors: number): Uint8Array {
  const mixed = old.slice();
  mixed.set(next.subarray(0, Math.floor((landed * mixed.length) / sectors)), 0);
  return mixed;
}
