// fio's latency figures from raw samples: mean, p50/p90/p99/p99.9 (nearest
// rank, as sim/runner/run-report.ts summarises) and max; and a quantile grid
// that is enough to draw a CDF without shipping every sample.

export interface LatencyStats {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export const EMPTY_STATS: LatencyStats = Object.freeze({ count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });

/** The nearest-rank q-quantile of ascending `sorted` (q in (0, 1]). */
export function rank(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export function latencyStats(values: readonly number[]): LatencyStats {
  if (values.length === 0) return EMPTY_STATS;
  const sorted = sortedCopy(values);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: rank(sorted, 0.5),
    p90: rank(sorted, 0.9),
    p99: rank(sorted, 0.99),
    p999: rank(sorted, 0.999),
    max: sorted[sorted.length - 1]!,
  };
}

/** Quantiles at the CDF levels `levels` (ascending, in (0, 1]). */
export function quantiles(values: readonly number[], levels: readonly number[]): number[] {
  const sorted = sortedCopy(values);
  return levels.map((q) => rank(sorted, q));
}

/** CDF levels: fine in the body, finer in the tail (to p99.9), then the max. */
export const CDF_LEVELS: readonly number[] = [
  ...Array.from({ length: 90 }, (_, i) => (i + 1) / 100),
  ...Array.from({ length: 9 }, (_, i) => 0.9 + (i + 1) / 100),
  0.995,
  0.999,
  1,
];
