// `explore --generate`: every seed draws a whole world (sim/generate/), runs
// it with every check on the worker pool, and records which coverage cells
// its faults reached. Seeds go in fixed batches (after sharding, in seed
// order): batch b's worlds are drawn with steering weights from the coverage
// batches 0 … b−1 reached, so the exploration is the same for any number of
// workers — which is what the determinism re-check then checks, run by run.
//
// The result is an ordinary exploration (one pseudo-scenario, `generated
// (<budget>)`) that `merge` combines and `format` prints; each run says which
// world it drew, and a failing one carries its scenario file's JSON, written
// out by the CLI where its replay command points.
import { GENERATOR_VERSION, type GeneratedWorld, generateWorld, worldName } from '../generate/generator.js';
import { DEFAULT_BATCH, type Reached, reachedBy, steeringWeights } from '../generate/steering.js';
import type { Budget } from '../generate/universe.js';
import { JobPool } from '../parallel/pool.js';
import { cpuNowMs, wallNowMs } from '../wall-clock.js';
import { recheck } from './determinism.js';
import type { ExploreOptions, ExploreTarget } from './explore-options.js';
import { EXPLORE_FORMAT, type Exploration, fingerprintOf, totalsOf } from './result.js';
import { type SeedResult, seedJob } from './seed-job.js';
import { DEFAULT_RECHECK, shardSeeds } from './seeds.js';

export interface GenerateOptions extends Omit<ExploreOptions, 'variant' | 'plantedBugs'> {
  readonly budget: Budget;
  /** Seeds per steering batch (default DEFAULT_BATCH). */
  readonly batch?: number;
  /** Where failing worlds are written (the replay commands name `<dir>/<world>.json`). */
  readonly saveDir: string;
  /** Overrides the generated worlds' protocol (hardened). */
  readonly protocol?: 'literal' | 'hardened';
  /** A user's controller module (`--controllers`), as given; absent: the built-in controllers. */
  readonly controllers?: string;
}

export async function exploreGenerated(o: GenerateOptions): Promise<Exploration> {
  const startedMs = wallNowMs();
  const batchSize = o.batch ?? DEFAULT_BATCH;
  const seeds = shardSeeds(o.from, o.seeds, o.shard);
  const variant = { swarm: false, quick: false, ...(o.protocol !== undefined && { protocol: o.protocol }), ...(o.controllers !== undefined && { controllers: o.controllers }) };
  const deadline = o.timeBudgetMs === undefined ? Infinity : startedMs + o.timeBudgetMs;
  const reached: Reached = new Map();
  const targets: ExploreTarget[] = [];
  const runs: SeedResult[] = [];
  let cpuMs = 0;
  let done = 0;
  let failed = 0;
  // One pool for every batch: its threads load the simulator once (a pool a batch cost more CPU than the seeds).
  const pool = new JobPool({ workers: Math.min(o.workers, batchSize) });
  try {
    for (let b = 0; b * batchSize < seeds.length && wallNowMs() < deadline; b++) {
      const weights = steeringWeights(o.budget, reached);
      const worlds = seeds.slice(b * batchSize, (b + 1) * batchSize).map((seed) => ({ seed, world: generateWorld({ seed, budget: o.budget, weights, batch: b }) }));
      const batchTargets = worlds.map(({ seed, world }) => ({ file: `${o.saveDir}/${worldName(seed, o.budget)}.json`, scenario: world.scenario }));
      const cpuStart = cpuNowMs();
      const results = await pool.run<SeedResult>(
        worlds.map(({ seed }, i) => seedJob({ file: batchTargets[i]!.file, scenario: batchTargets[i]!.scenario, seed, variant, attempt: 0 }, o.runner)),
        {
          startWhile: () => wallNowMs() < deadline,
          onResult: (_, r) => {
            if ((r as SeedResult).verdict !== 'pass') failed++;
            o.onProgress?.({ phase: 'explore', done: ++done, total: seeds.length, failed });
          },
        },
      );
      cpuMs += cpuNowMs() - cpuStart;
      for (const [i, r] of results.entries()) {
        runs.push({ ...r, generated: describe(worlds[i]!.world, b, r.verdict !== 'pass') });
        targets.push(batchTargets[i]!);
      }
      reachedBy(results, reached);
      if (results.length < worlds.length) break; // the time budget stopped it
    }
  } finally {
    await pool.close();
  }
  const determinism = await recheck(targets, runs.map((r) => [r]), { ...o, variant }, false);
  const scenarios = [{ file: `generated (${o.budget})`, name: `generated-${o.budget}`, scenarioHash: fingerprintOf({ generator: GENERATOR_VERSION, budget: o.budget, batch: batchSize }), runs }];
  return {
    format: EXPLORE_FORMAT,
    settings: {
      protocol: o.protocol ?? null,
      swarm: false,
      quick: false,
      plantedBugs: [],
      generate: { generator: GENERATOR_VERSION, budget: o.budget, batch: batchSize },
      ...(o.controllers !== undefined && { controllers: o.controllers }),
    },
    ranges: [{ from: o.from, seeds: o.seeds, shard: o.shard ?? null }],
    scenarios,
    determinism: { fraction: o.recheck ?? DEFAULT_RECHECK, ...determinism },
    budget: { timeBudgetMs: o.timeBudgetMs ?? null, planned: seeds.length, ran: runs.length, stopped: runs.length < seeds.length },
    workers: o.workers,
    wallMs: Math.round(wallNowMs() - startedMs),
    cpuMs: Math.round(cpuMs),
    totals: totalsOf(scenarios, determinism.mismatches.length, seeds.length - runs.length),
  };
}

function describe(world: GeneratedWorld, batch: number, failing: boolean): NonNullable<SeedResult['generated']> {
  return { name: String(world.json['name']), batch, aimed: world.aimed, ...(failing && { scenario: world.json }) };
}
