// What one simulated drive (hdd.ts) is built from.
import type { QueuePolicy } from './hdd-mechanism.js';
import type { HddMedia } from './hdd-media.js';
import type { HddMechanics, HddParams } from './hdd-params.js';

export interface HddOptions {
  /** Trace actor; PRNG streams are disk/<name> (mechanics) and disk/<name>/faults. */
  readonly name: string;
  /** Stored payload bytes per block (may be a short fingerprint: payloadBytes). */
  readonly blockBytes: number;
  /** Bytes per block for timing and sector count (default: one sector). */
  readonly modeledBlockBytes?: number;
  /** Blocks held (default capacity / modeledBlockBytes). Fewer are spread evenly over the whole surface. */
  readonly blockCount?: number;
  readonly params?: Partial<HddParams>;
  /** Prebuilt mechanics to share between drives (then `params` must be absent). */
  readonly mechanics?: HddMechanics;
  readonly queuePolicy?: QueuePolicy;
  readonly writeCache?: boolean;
  /** Per-bit chance that a read finds an unrecoverable error (default 0: off). */
  readonly unrecoverableBitErrorRate?: number;
  /** Default: a private BlockStore. */
  readonly media?: HddMedia;
}

