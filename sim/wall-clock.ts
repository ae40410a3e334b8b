// The one place xorsim reads the wall clock: to report its own speed (wallMs,
// events per second, benchmarks). Nothing the simulation computes may depend on it.
import { performance } from 'node:perf_hooks';

/** Milliseconds since an arbitrary origin, for measuring elapsed wall time. */
export function wallNowMs(): number {
  return performance.now();
}

/** CPU time this process has used so far, every thread included (ms): a speed figure that other load on the machine does not inflate. */
export function cpuNowMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
