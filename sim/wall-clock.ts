// The one place xorsim reads the wall clock: to report its own speed (wallMs,
// events per second, benchmarks). Nothing the simulation computes may depend on it.
import { performance } from 'node:perf_hooks';

/** Milliseconds since an arbitrary origin, for measuring elapsed wall time. */
export function wallNowMs(): number {
  return performance.now();
}
