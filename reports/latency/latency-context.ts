// What the latency report's plan and its sections share: the parameters a
// run of the report takes, the context a section reads its results from, and
// the small helpers they format with. Its own file, so the sections and the
// report that lists them do not import each other.
import type { RunPointResult } from '../jobs/run-point.js';
import { formatUs, seedsText, sig } from '../model/format.js';
import { type ReportOptions, seedList } from '../model/plan.js';
import type { LatencyPoint } from './latency-scenarios.js';

export const PRIMARY_COUNTS = [2, 4, 8] as const;
/** The fixed load (operations/s, all hosts) of the CDF, breakdown, ack-policy and loss comparisons: about half of what parity serves. */
export const FIXED_LOAD = 150;

export interface LatencyParams {
  readonly quick: boolean;
  readonly seeds: readonly number[];
  readonly blocks: number;
  readonly loads: readonly number[];
  readonly opsPerPoint: number;
  readonly minS: number;
  readonly maxS: number;
  readonly rhos: readonly number[];
  readonly mg1Requests: number;
  readonly restoreLoadS: number;
}

export function latencyParams(options: ReportOptions): LatencyParams {
  const q = options.quick;
  if (options.tiny) {
    return { quick: q, seeds: seedList(options.seeds), blocks: 128, loads: [50, FIXED_LOAD], opsPerPoint: 150, minS: 1, maxS: 2, rhos: [0.5], mg1Requests: 20_000, restoreLoadS: 6 };
  }
  return {
    quick: q,
    seeds: seedList(options.seeds),
    blocks: q ? 1024 : 2048,
    loads: q ? [50, 150, 250, 350, 450, 550] : [25, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 550, 600],
    opsPerPoint: q ? 800 : 4000,
    minS: q ? 4 : 10,
    maxS: q ? 12 : 60,
    rhos: q ? [0.3, 0.5, 0.7, 0.85] : [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9],
    mg1Requests: q ? 100_000 : 400_000,
    restoreLoadS: q ? 32 : 150,
  };
}

/** A simulated point: its scenario (as written beside the report) and one job per seed. */
export interface PointPlan {
  readonly id: string;
  readonly point: LatencyPoint;
  readonly input: Record<string, unknown>;
  readonly jobIndexes: number[];
}

export interface LatencyContext {
  readonly params: LatencyParams;
  readonly of: (id: string) => RunPointResult[];
  readonly loadId: (n: number, load: number) => string;
  readonly points: ReadonlyMap<string, PointPlan>;
}

/** Mean over seeds of `pick`, with the range over seeds when there are several. */
export function overSeeds(results: readonly RunPointResult[], pick: (r: RunPointResult) => number): { y: number; lo?: number; hi?: number } {
  const values = results.map(pick);
  const y = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length < 2) return { y };
  return { y, lo: Math.min(...values), hi: Math.max(...values) };
}

/** Caption fragment naming the runs of a point. */
export function runsText(ctx: LatencyContext, ids: readonly string[]): string {
  const shown = ids.length > 4 ? `${ids.slice(0, 2).join(', ')}, …, ${ids[ids.length - 1]}` : ids.join(', ');
  return `scenarios ${shown} · ${seedsText(ctx.params.seeds)}`;
}

export const ms = (us: number): number => us / 1000;
export { formatUs, sig };
