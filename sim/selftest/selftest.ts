// The checker's self-test: each planted bug, switched on alone in the hardened
// controllers, is hunted over seeds 1, 2, … of the scenario most likely to
// show it (hunts.ts) until a seed fails or the cap is reached. A bug no seed
// catches survived: the checker (or the hunt) has a blind spot.
//
// Seeds run in rounds on the worker pool: every bug still at large gets its
// next seeds (as many per bug as keep the workers busy). Each run depends only
// on its bug, scenario and seed, and a bug's result is its lowest failing
// seed, so the table is the same with any number of workers.
import type { PlantedBug } from '../../src/protocol/planted-bugs.js';
import { runJobs } from '../parallel/pool.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { type HuntRun, huntJob } from './hunt-job.js';

export interface SelftestTarget {
  readonly bug: PlantedBug;
  /** The scenario file, for the table. */
  readonly file: string;
  readonly scenario: ResolvedScenario;
}

export interface HuntResult {
  readonly bug: PlantedBug;
  readonly file: string;
  readonly scenario: string;
  readonly caught: boolean;
  /** The seed that caught the bug (seeds 1…seed-1 passed), or the cap if none did. */
  readonly seeds: number;
  /** The catching run, or null if the bug survived. */
  readonly run: HuntRun | null;
}

export interface SelftestOptions {
  /** Seeds tried per bug at most (1…maxSeeds). */
  readonly maxSeeds: number;
  readonly workers: number;
  /** Called after each round with the bugs still at large. */
  readonly onRound?: (seedsDone: number, atLarge: number) => void;
}

export async function selftest(targets: readonly SelftestTarget[], options: SelftestOptions): Promise<HuntResult[]> {
  const caught = new Map<PlantedBug, HuntRun>();
  let next = 1; // the next seed of every bug at large
  while (next <= options.maxSeeds) {
    const atLarge = targets.filter((t) => !caught.has(t.bug));
    if (atLarge.length === 0) break;
    const batch = Math.min(Math.max(1, Math.floor(options.workers / atLarge.length)), options.maxSeeds - next + 1);
    const plan = atLarge.flatMap((t) => Array.from({ length: batch }, (_, i) => ({ t, seed: next + i })));
    const runs = await runJobs<HuntRun>(
      plan.map(({ t, seed }) => huntJob({ file: t.file, scenario: t.scenario, seed, bug: t.bug })),
      { workers: options.workers },
    );
    for (const [i, run] of runs.entries()) {
      const { t } = plan[i]!;
      const known = caught.get(t.bug);
      if (run.verdict !== 'pass' && (known === undefined || run.seed < known.seed)) caught.set(t.bug, run);
    }
    next += batch;
    options.onRound?.(next - 1, targets.filter((t) => !caught.has(t.bug)).length);
  }
  return targets.map((t) => {
    const run = caught.get(t.bug) ?? null;
    return { bug: t.bug, file: t.file, scenario: t.scenario.name, caught: run !== null, seeds: run?.seed ?? options.maxSeeds, run };
  });
}
