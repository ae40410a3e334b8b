// What an exploration is asked to do: its targets (scenario files as loaded),
// its seeds, workers and variant, and how it reports progress. Its own file, so
// the parts explore() runs (determinism.ts, generated.ts) name these without
// importing explore() itself.
import type { PlantedBugs } from '../../src/protocol/planted-bugs.js';
import type { JobPool } from '../parallel/pool.js';
import type { RunVariant } from '../scenario/prepare/variant.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import type { SeedRunner } from './seed-job.js';
import type { Shard } from './seeds.js';

export interface ExploreTarget {
  /** The scenario file, as the replay commands name it. */
  readonly file: string;
  /** The scenario as loaded from it. */
  readonly scenario: ResolvedScenario;
  /** Planted bugs for this target only (selftest hunts each bug in its own scenario). */
  readonly plantedBugs?: PlantedBugs;
}

export interface ExploreProgress {
  readonly phase: 'explore' | 'recheck' | 'diagnose';
  readonly done: number;
  readonly total: number;
  /** Seeds that did not pass, so far. */
  readonly failed: number;
}

export interface ExploreOptions {
  /** The first seed. */
  readonly from: number;
  /** How many seeds, from `from` (before sharding). */
  readonly seeds: number;
  readonly shard?: Shard;
  /** Worker threads (1: this thread). */
  readonly workers: number;
  readonly variant: RunVariant;
  /** Fraction of seeds re-run to check determinism (default DEFAULT_RECHECK; at least one per scenario unless 0). */
  readonly recheck?: number;
  /** Stop starting seeds after this much wall time. */
  readonly timeBudgetMs?: number;
  /** Planted controller bugs, for selftest (never from a flag). */
  readonly plantedBugs?: PlantedBugs;
  /** Replaces the standard seed job (tests: a job that breaks determinism on purpose). */
  readonly runner?: SeedRunner;
  readonly onProgress?: (progress: ExploreProgress) => void;
  /** Threads the caller keeps across explorations (selftest's rounds), sized to `workers`; absent: a pool of this exploration's own. */
  readonly pool?: JobPool;
}
