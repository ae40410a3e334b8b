// Which seeds an exploration runs: a range, optionally one deterministic shard
// of it (so a CI matrix or a Kubernetes Indexed Job can fan the range out over
// machines), and which of them are re-run to check determinism.

export interface Shard {
  /** 0-based, as Kubernetes' JOB_COMPLETION_INDEX. */
  readonly index: number;
  readonly count: number;
}

/**
 * The seeds of shard `index` of `count` in [from, from + seeds): every
 * count-th seed, starting at the index-th. Interleaving (rather than cutting
 * the range in blocks) gives every shard a similar mix of cheap and costly seeds.
 */
export function shardSeeds(from: number, seeds: number, shard?: Shard): number[] {
  const out: number[] = [];
  const start = shard?.index ?? 0;
  const step = shard?.count ?? 1;
  for (let k = start; k < seeds; k += step) out.push(from + k);
  return out;
}

/** "3/8" → shard 3 of 8, or a message saying what is wrong. */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) return `expected i/n (0-based shard index i of n shards, e.g. 0/4), got ${JSON.stringify(text)}`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) return `expected at least 1 shard, got ${JSON.stringify(text)}`;
  if (index >= count) return `shard index ${index} is out of range for ${count} shards (0…${count - 1})`;
  return { index, count };
}

/** Share of seeds re-run by the determinism check unless told otherwise (FoundationDB re-runs 5 %). */
export const DEFAULT_RECHECK = 0.05;

/**
 * Whether `seed` is in the determinism sample: a fixed pseudo-random fraction
 * of seeds, decided by the seed alone, so every shard and every rerun of an
 * exploration samples the same seeds.
 */
export function inRecheckSample(seed: number, fraction: number): boolean {
  if (fraction <= 0) return false;
  if (fraction >= 1) return true;
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.floor(seed / 4294967296);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296 < fraction;
}
