// The exploration API: many seeds of many scenarios, on worker threads, with
// the determinism self-check. `xorsim explore`, the CI gate and `selftest` all
// run through `explore()`.
//
// Each seed is a job (sim/explore/seed-job.ts) that depends only on its input,
// so a seed's verdict and traceHash are the same serial or on any worker.
// Seeds are started seed-major (seed 1 of every scenario, then seed 2, …) so
// that a time budget leaves every scenario with about as many seeds.
import { runJobs } from '../parallel/pool.js';
import { cpuNowMs, wallNowMs } from '../wall-clock.js';
import { recheck } from './determinism.js';
import { EXPLORE_FORMAT, type Exploration, type ScenarioRuns, fingerprintOf, totalsOf } from './result.js';
import type { ExploreOptions, ExploreTarget } from './explore-options.js';
import { type SeedResult, plantedFor, seedJob } from './seed-job.js';
import { DEFAULT_RECHECK, shardSeeds } from './seeds.js';

export type { ExploreOptions, ExploreProgress, ExploreTarget } from './explore-options.js';

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
  const batch = {
    startWhile: () => wallNowMs() < deadline,
    onResult: (_: number, r: unknown) => {
      done++;
      if ((r as SeedResult).verdict !== 'pass') failed++;
      o.onProgress?.({ phase: 'explore', done, total: jobs.length, failed });
    },
  };
  const results = await (o.pool !== undefined ? o.pool.run<SeedResult>(jobs, batch) : runJobs<SeedResult>(jobs, { workers: o.workers, ...batch }));

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
