// `explore --generate`: every seed draws a whole world (sim/generate/), runs
// it with every check on the worker pool, and records which coverage cells
// its faults reached. Seeds go in fixed batches (after sharding, in seed
// order): batch b's worlds are drawn with steering weights from the coverage
// batches 0 … b−2 reached — one batch behind, so that on worker threads
// batch b+1 is already queued while batch b finishes and no thread waits for
// the slowest seed of a batch (with batch b−1's coverage, one thread idled
// about a sixth of the time). The exploration is the same for any number of
// workers — which is what the determinism re-check then checks, run by run.
//
// The result is an ordinary exploration (one pseudo-scenario, `generated
// (<budget>)`) that `merge` combines and `format` prints; each run says which
// world it drew, and a failing one carries its scenario file's JSON, written
// out by the CLI where its replay command points.
import { GENERATOR_VERSION, type GeneratedWorld, generateWorld, worldName } from '../generate/generator.js';
import { DEFAULT_BATCH, type Reached, reachedBy, steeringWeights } from '../generate/steering.js';
import type { Budget } from '../generate/universe.js';
import type { RunVariant } from '../scenario/prepare/variant.js';
import { JobPool } from '../parallel/pool.js';
import { cpuNowMs, wallNowMs } from '../wall-clock.js';
import { recheck } from './determinism.js';
import type { ExploreOptions, ExploreTarget } from './explore-options.js';
import { EXPLORE_FORMAT, type Exploration, fingerprintOf, totalsOf } from './result.js';
import { type SeedResult, seedJob } from './seed-job.js';
import { DEFAULT_RECHECK, shardSeeds } from './seeds.js';

/** How batches steer (in the exploration's fingerprint: shards steered otherwise do not merge). Was 'batches 0…b−1'. */
const STEERING = 'batches 0…b−2';

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
  const cpuStart = cpuNowMs();
  const { runs, targets } = await runSteered(o, seeds, batchSize, variant, deadline);
  const cpuMs = cpuNowMs() - cpuStart;
  const determinism = await recheck(targets, runs.map((r) => [r]), { ...o, variant }, false);
  const scenarios = [{ file: `generated (${o.budget})`, name: `generated-${o.budget}`, scenarioHash: fingerprintOf({ generator: GENERATOR_VERSION, budget: o.budget, batch: batchSize, steering: STEERING }), runs }];
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

/**
 * Runs the seeds in steering batches on one pool — two batches at once on threads — batch b
 * drawn with the weights of batches 0 … b−2: the runs and their files, in seed order, up to the time budget.
 */
async function runSteered(o: GenerateOptions, seeds: readonly number[], batchSize: number, variant: RunVariant, deadline: number): Promise<{ runs: SeedResult[]; targets: ExploreTarget[] }> {
  const reached: Reached = new Map();
  const targets: ExploreTarget[] = [];
  const runs: SeedResult[] = [];
  let done = 0;
  let failed = 0;
  const count = Math.ceil(seeds.length / batchSize);
  const workers = Math.min(o.workers, batchSize);
  // One pool for every batch: its threads load the simulator once (a pool a batch cost more CPU than the seeds).
  const pool = new JobPool({ workers });
  // On threads two batches run at once; in this thread (one worker) one after another, as two runs must not interleave here.
  const overlap = workers > 1;
  /** Per batch: its weights (from batches 0 … b−2), then its run once started. */
  const weights: Record<string, number>[] = [];
  const started: Promise<Batch>[] = [];
  const launch = (b: number): void => {
    const worlds = seeds.slice(b * batchSize, (b + 1) * batchSize).map((seed) => ({ seed, world: generateWorld({ seed, budget: o.budget, weights: weights[b]!, batch: b }) }));
    const batchTargets = worlds.map(({ seed, world }) => ({ file: `${o.saveDir}/${worldName(seed, o.budget)}.json`, scenario: world.scenario }));
    const results = pool.run<SeedResult>(
      worlds.map(({ seed }, i) => seedJob({ file: batchTargets[i]!.file, scenario: batchTargets[i]!.scenario, seed, variant, attempt: 0 }, o.runner)),
      {
        startWhile: () => wallNowMs() < deadline,
        onResult: (_, r) => {
          if ((r as SeedResult).verdict !== 'pass') failed++;
          o.onProgress?.({ phase: 'explore', done: ++done, total: seeds.length, failed });
        },
      },
    );
    started[b] = results.then((rs) => ({ worlds, targets: batchTargets, results: rs }));
  };
  try {
    weights[0] = weights[1] = steeringWeights(o.budget, reached);
    for (let b = 0; b < count; b++) {
      if (started[b] === undefined) {
        if (wallNowMs() >= deadline) break;
        launch(b);
      }
      if (overlap && b + 1 < count && started[b + 1] === undefined && wallNowMs() < deadline) launch(b + 1);
      const { worlds, targets: batchTargets, results } = await started[b]!;
      for (const [i, r] of results.entries()) {
        runs.push({ ...r, generated: describe(worlds[i]!.world, b, r.verdict !== 'pass') });
        targets.push(batchTargets[i]!);
      }
      reachedBy(results, reached);
      weights[b + 2] = steeringWeights(o.budget, reached);
      if (results.length < worlds.length) {
        // The time budget stopped it: a batch already started beside it keeps what it ran.
        const next = await started[b + 1];
        for (const [i, r] of (next?.results ?? []).entries()) {
          runs.push({ ...r, generated: describe(next!.worlds[i]!.world, b + 1, r.verdict !== 'pass') });
          targets.push(next!.targets[i]!);
        }
        break;
      }
    }
  } finally {
    await Promise.allSettled(started);
    await pool.close();
  }
  return { runs, targets };
}

/** One steering batch: the worlds it drew, their files, and the results of those that ran. */
interface Batch {
  readonly worlds: readonly { readonly seed: number; readonly world: GeneratedWorld }[];
  readonly targets: readonly ExploreTarget[];
  readonly results: readonly SeedResult[];
}

function describe(world: GeneratedWorld, batch: number, failing: boolean): NonNullable<SeedResult['generated']> {
  return { name: String(world.json['name']), batch, aimed: world.aimed, ...(failing && { scenario: world.json }) };
}
