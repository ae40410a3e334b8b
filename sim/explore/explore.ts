// The exploration API: many seeds of many scenarios, on worker threads, with
// the determinism self-check. `xorsim explore`, the CI gate and `selftest` all
// run through `explore()`.
//
// Each seed is a job (sim/explore/seed-job.ts) that depends only on its input,
// so a seed's verdict and traceHash are the same serial or on any worker.
// Seeds are started seed-major (seed 1 of every scenario, then seed 2, …) so
// that a time budget leaves every scenario with about as many seeds.
import type { PlantedBugs } from '../../src/protocol/planted-bugs.js';
import { runJobs } from '../parallel/pool.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { cpuNowMs, wallNowMs } from '../wall-clock.js';
import { recheck } from './determinism.js';
import { EXPLORE_FORMAT, type Exploration, type ScenarioRuns, fingerprintOf, totalsOf } from './result.js';
import { type SeedResult, type SeedRunner, plantedFor, seedJob } from './seed-job.js';
import { DEFAULT_RECHECK, type Shard, shardSeeds } from './seeds.js';
import type { RunVariant } from '../scenario/prepare/variant.js';

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
}

export async function explore(targets: readonly ExploreTarget[], o: ExploreOptions): Promise<Exploration> {
  const startedMs = wallNowMs();
  const seeds = shardSeeds(o.from, o.seeds, o.shard);
  const plan = seeds.flatMap((seed) => targets.map((target, t) => ({ t, seed, target })));
  const jobs = plan.map(({ seed, target }) =>
    seedJob(
      { file: target.file, scenario: target.scenario, seed, variant: o.variant, attempt: 0, ...plantedFor(target.plantedBugs ?? o.plantedBugs) },
      o.runner,
    ),
  );
  const deadline = o.timeBudgetMs === undefined ? Infinity : startedMs + o.timeBudgetMs;
  const cpuStartMs = cpuNowMs();
  let done = 0;
  let failed = 0;
  const results = await runJobs<SeedResult>(jobs, {
    workers: o.workers,
    startWhile: () => wallNowMs() < deadline,
    onResult: (_, r) => {
      done++;
      if ((r as SeedResult).verdict !== 'pass') failed++;
      o.onProgress?.({ phase: 'explore', done, total: jobs.length, failed });
    },
  });

  const cpuMs = Math.round(cpuNowMs() - cpuStartMs);
  const perTarget: SeedResult[][] = targets.map(() => []);
  for (const [i, r] of results.entries()) perTarget[plan[i]!.t]!.push(r);
  const scenarios: ScenarioRuns[] = targets.map((target, t) => ({
    file: target.file,
    name: target.scenario.name,
    scenarioHash: fingerprintOf(target.scenario),
    runs: perTarget[t]!,
  }));
  const determinism = await recheck(targets, perTarget, o);
  return {
    format: EXPLORE_FORMAT,
    settings: {
      protocol: o.variant.protocol ?? null,
      swarm: o.variant.swarm,
      quick: o.variant.quick,
      plantedBugs: [...(o.plantedBugs ?? [])].sort(),
      ...(o.variant.controllers !== undefined && { controllers: o.variant.controllers }),
    },
    ranges: [{ from: o.from, seeds: o.seeds, shard: o.shard ?? null }],
    scenarios,
    determinism: { fraction: o.recheck ?? DEFAULT_RECHECK, ...determinism },
    budget: { timeBudgetMs: o.timeBudgetMs ?? null, planned: jobs.length, ran: results.length, stopped: results.length < jobs.length },
    workers: o.workers,
    wallMs: Math.round(wallNowMs() - startedMs),
    cpuMs,
    totals: totalsOf(scenarios, determinism.mismatches.length, jobs.length - results.length),
  };
}
