// Confidence intervals the reports state.
//
// Mean of an exponential distribution from k observations summing to T: the
// sum of k exponentials is Gamma(k), so 2T/mean ~ χ²(2k) and the (1−α) interval
// is [2T/χ²(1−α/2; 2k), 2T/χ²(α/2; 2k)]. χ² quantiles by Wilson–Hilferty
// (relative error < 0.1 % for 2k ≥ 20, the smallest used here).
//
// Batch means, for the mean of a correlated sequence (waiting times in a
// queue): split it into b consecutive batches; the batch means are nearly
// independent once batches are much longer than the correlation time, so their
// spread gives the standard error.

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** χ² quantile with ν degrees of freedom (Wilson–Hilferty). */
export function chiSquareQuantile(p: number, nu: number): number {
  const h = 2 / (9 * nu);
  return nu * Math.max(0, 1 - h + normalQuantile(p) * Math.sqrt(h)) ** 3;
}

export interface Interval {
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
}

/** The mean of exponential observations, k of them summing to `total`, with its (1 − alpha) interval. */
export function exponentialMeanInterval(total: number, k: number, alpha = 0.05): Interval {
  if (k < 1) return { estimate: Infinity, lo: total, hi: Infinity };
  return { estimate: total / k, lo: (2 * total) / chiSquareQuantile(1 - alpha / 2, 2 * k), hi: (2 * total) / chiSquareQuantile(alpha / 2, 2 * k) };
}

/** Mean and its standard error by batch means over `batches` consecutive batches (the tail that does not fill a batch is dropped). */
export function batchMeans(values: ArrayLike<number>, batches = 20): { mean: number; standardError: number } {
  const size = Math.floor(values.length / batches);
  if (size < 1) throw new RangeError(`batchMeans: ${values.length} values for ${batches} batches`);
  const means: number[] = [];
  for (let b = 0; b < batches; b++) {
    let sum = 0;
    for (let i = b * size; i < (b + 1) * size; i++) sum += values[i]!;
    means.push(sum / size);
  }
  const mean = means.reduce((s, m) => s + m, 0) / batches;
  const variance = means.reduce((s, m) => s + (m - mean) ** 2, 0) / (batches - 1);
  return { mean, standardError: Math.sqrt(variance / batches) };
}
