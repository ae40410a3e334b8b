// A drive's platters: the payloads it keeps, and what can be wrong with them —
// latent sector errors (unreadable until rewritten; an unrecoverable read
// error leaves one), silent corruption, and torn writes (a sector-wise mix of
// old and new).
import type { ReadResult } from '../../src/ports/block-device.js';
import type { Random } from '../engine/prng.js';
import { BlockStore } from '../storage/block-store.js';

/** Where a drive keeps its payloads (drive-local block numbers). */
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
    wipe: () => {
      store.release();
      store = new BlockStore(blockCount, blockBytes);
    },
  };
}

const MEDIA_ERROR = Object.freeze({ ok: false, error: 'media-error' } as const);

export class Platters {
  readonly #media: HddMedia;
  readonly #faults: Random;
  /** Chance that reading one block finds an unrecoverable error. */
  readonly #ureChance: number;
  readonly #latent = new Set<number>();

  constructor(media: HddMedia, faults: Random, ureChance: number) {
    this.#media = media;
    this.#faults = faults;
    this.#ureChance = ureChance;
  }

  get latentErrors(): number {
    return this.#latent.size;
  }

  peek(block: number): Uint8Array {
    return this.#media.get(block);
  }

  /** What the head reads: media-error on a latent error, or on an unrecoverable read error (which leaves one). */
  read(block: number): ReadResult {
    if (this.#latent.has(block)) return MEDIA_ERROR;
    if (this.#ureChance > 0 && this.#faults.chance(this.#ureChance)) {
      this.#latent.add(block);
      return MEDIA_ERROR;
    }
    return { ok: true, data: this.#media.get(block) };
  }

  /** A whole block written: any latent error there is gone. */
  write(block: number, data: Uint8Array): void {
    this.#media.set(block, data);
    this.#latent.delete(block);
  }

  /**
   * Only the first `landed` of `sectors` sectors of `data` reached the media.
   * Sector i covers payload bytes [⌊i·P/S⌋, ⌊(i+1)·P/S⌋) (P payload bytes, S
   * sectors), so a short fingerprint payload tears where the modelled block
   * would. A latent error stays unless every sector landed.
   */
  tear(block: number, data: Uint8Array, landed: number, sectors: number): void {
    if (landed === 0) return;
    if (landed === sectors) return this.write(block, data);
    const mixed = this.#media.get(block);
    mixed.set(data.subarray(0, Math.floor((landed * mixed.length) / sectors)), 0);
    this.#media.set(block, mixed);
  }

  addLatentError(block: number): void {
    this.#latent.add(block);
  }

  hasLatentError(block: number): boolean {
    return this.#latent.has(block);
  }

  /** One byte of the block changes on the media, silently. */
  corrupt(block: number): void {
    const data = this.#media.get(block);
    const i = this.#faults.int(data.length);
    data[i]! ^= 1 + this.#faults.int(255);
    this.#media.set(block, data);
  }

  /** The platters are gone (a failed drive). */
  wipe(): void {
    this.#latent.clear();
    this.#media.wipe();
  }
}
