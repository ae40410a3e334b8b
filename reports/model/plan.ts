// A report as work to do: the pool jobs it needs (each a deterministic
// simulation run or Monte Carlo batch), and how to build the report from their
// results. The CLI pools the jobs of every requested report into one run of
// the worker pool, so reports share the cores.
import type { Job } from '../../sim/parallel/job.js';
import { parseScenarioValue } from '../../sim/scenario/load.js';
import type { ResolvedScenario } from '../../sim/scenario/resolve.js';
import type { Report } from './report.js';

export interface ReportOptions {
  /** About a minute on 2 cores: fewer points, seeds and trials, smaller arrays. */
  readonly quick: boolean;
  /** Seeds per simulated point (Monte Carlo: batches of trials, one seed each). */
  readonly seeds: number;
  /**
   * Tests only (no CLI flag): the smallest report that still runs every
   * section and theory check, in seconds. Its numbers mean little.
   */
  readonly tiny?: boolean;
  /**
   * capacity: also run this scenario (the shipped scenarios/large/real-scale.json,
   * read by the CLI for `--real-scale`; tests pass a smaller one), one seed, for
   * the restore at real size.
   */
  readonly realScale?: Readonly<Record<string, unknown>>;
}

export interface PlannedJob {
  readonly job: Job;
  /** Rough relative cost (expected events), so the heaviest jobs start first. */
  readonly cost: number;
}

export interface ReportPlan {
  readonly jobs: readonly PlannedJob[];
  /** `results[i]` is what `jobs[i]` returned. */
  build(results: readonly unknown[]): Report;
}

/**
 * A scenario written the way a user writes one (human units), resolved through
 * the same schema as a file: the report ships the input as
 * scenarios/<name>.json, and `xorsim run` of that file is the same run.
 */
export function resolveInput(input: Readonly<Record<string, unknown>>): ResolvedScenario {
  const result = parseScenarioValue(`${String(input['name'])}.json`, input);
  if (!result.ok) throw new Error(`report scenario ${String(input['name'])} does not validate: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return result.scenario;
}

/** Seeds 1…n. */
export function seedList(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
