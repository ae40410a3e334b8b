// The checker's self-test: each planted bug, switched on alone in the hardened
// controllers, is hunted over seeds 1, 2, … of the scenario most likely to
// show it (hunts.ts) until a seed fails or the cap is reached. A bug no seed
// catches survived: the checker (or the hunt) has a blind spot.
//
// Each bug is hunted with explore(): seeds run in rounds, every bug still at
// large getting its next seeds (as many per bug as keep the workers busy), each
// target carrying its own bug. A run depends only on its bug, scenario and
// seed, and a bug's result is its lowest failing seed, so the table is the
// same with any number of workers.
import type { PlantedBug } from '../../src/protocol/planted-bugs.js';
import { explore } from '../explore/explore.js';
import { JobPool } from '../parallel/pool.js';
import type { SeedResult } from '../explore/seed-job.js';
import type { RunVariant } from '../scenario/prepare/variant.js';
import type { ResolvedScenario } from '../scenario/resolve.js';

/** The bugs are planted in the product protocol, on the scenario as written. */
const HARDENED: RunVariant = { protocol: 'hardened', swarm: false, quick: false };

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
  /** The catching run (its replay: the selftest command that finds it again), or null if the bug survived. */
  readonly run: SeedResult | null;
}

export interface SelftestOptions {
  /** Seeds tried per bug at most (1…maxSeeds). */
  readonly maxSeeds: number;
  readonly workers: number;
}

export async function selftest(targets: readonly SelftestTarget[], options: SelftestOptions): Promise<HuntResult[]> {
  const caught = new Map<PlantedBug, SeedResult>();
  let next = 1; // the next seed of every bug at large
  // One pool for every round: its threads load the simulator once.
  const pool = new JobPool({ workers: options.workers });
  try {
    while (next <= options.maxSeeds) {
      const atLarge = targets.filter((t) => !caught.has(t.bug));
      if (atLarge.length === 0) break;
      const batch = Math.min(Math.max(1, Math.floor(options.workers / atLarge.length)), options.maxSeeds - next + 1);
      const hunt = await explore(
        atLarge.map((t) => ({ file: t.file, scenario: t.scenario, plantedBugs: new Set([t.bug]) })),
        { from: next, seeds: batch, workers: options.workers, variant: HARDENED, recheck: 0, pool },
      );
      for (const [i, runs] of hunt.scenarios.entries()) {
        const failing = runs.runs.filter((r) => r.verdict !== 'pass').sort((a, b) => a.seed - b.seed)[0];
        // No flag of run or replay plants a bug: the hunt itself is how to reproduce one.
        const bug = atLarge[i]!.bug;
        if (failing !== undefined) caught.set(bug, { ...failing, replay: `npx xorsim selftest --bug ${bug} --seeds ${failing.seed}` });
      }
      next += batch;
    }
  } finally {
    await pool.close();
  }
  return targets.map((t) => {
    const run = caught.get(t.bug) ?? null;
    return { bug: t.bug, file: t.file, scenario: t.scenario.name, caught: run !== null, seeds: run?.seed ?? options.maxSeeds, run };
  });
}
