// A disk array's options (disk-array.ts), and the checks a programming error
// fails on (a scenario's values are checked before: sim/scenario/feasibility.ts).
import type { HddParams } from './hdd-params.js';
import type { QueuePolicy } from './hdd.js';

export interface DiskArrayOptions {
  /** Trace actor; drives are <name>/d0, <name>/d1, … (their PRNG streams disk/<name>/d<i>). */
  readonly name: string;
  readonly blockCount: number;
  /** Stored payload bytes per block (may be a short fingerprint: payloadBytes). */
  readonly blockBytes: number;
  /** Bytes per block for timing (default: one sector of the drive). */
  readonly modeledBlockBytes?: number;
  readonly driveCount: number;
  /** Consecutive logical blocks per drive before moving to the next (default 1). */
  readonly stripeUnitBlocks?: number;
  /** Drive parameters (defaults: hdd-params.ts). */
  readonly hdd?: Partial<HddParams>;
  readonly queuePolicy?: QueuePolicy;
  readonly writeCache?: boolean;
  readonly unrecoverableBitErrorRate?: number;
  /** Chance that a write lands on another (uniformly random) block; default 0. */
  readonly misdirectedWriteProbability?: number;
  /** Chance that a read returns another (uniformly random) block's data; default 0. */
  readonly misdirectedReadProbability?: number;
  /** Chance that crash() tears a drive's write in service; default 0 (the drive finishes it). */
  readonly crashTearProbability?: number;
}

/** Throws on an impossible option; returns the fault probabilities with their defaults. */
export function checkOptions(options: DiskArrayOptions): { misdirectedWriteProbability: number; misdirectedReadProbability: number; crashTearProbability: number } {
  const where = `DiskArray(${options.name})`;
  const int = (name: string, v: number | undefined, min: number) => {
    if (!Number.isSafeInteger(v) || v! < min) throw new RangeError(`${where}: ${name} must be an integer ≥ ${min}, got ${v}`);
  };
  const probability = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${where}: ${name} must be in [0, 1], got ${v}`);
    return v;
  };
  int('blockCount', options.blockCount, 1);
  int('blockBytes', options.blockBytes, 1);
  int('driveCount', options.driveCount, 1);
  int('stripeUnitBlocks', options.stripeUnitBlocks ?? 1, 1);
  return {
    misdirectedWriteProbability: probability('misdirectedWriteProbability', options.misdirectedWriteProbability ?? 0),
    misdirectedReadProbability: probability('misdirectedReadProbability', options.misdirectedReadProbability ?? 0),
    crashTearProbability: probability('crashTearProbability', options.crashTearProbability ?? 0),
  };
}
