// Two kernels timed against each other in one process: A, B, A, B, … in
// alternating rounds, on CPU time (which other load on a shared machine does
// not inflate the way it does wall time, though it counts every thread's).
// The figure to trust is the ratio;
// the median of the rounds' ratios shrugs off a round that a neighbour slowed.
import { cpuNowMs } from '../wall-clock.js';
import { fullGc } from './gc.js';

export interface PairedTiming {
  /** CPU seconds per call of each, the median over the rounds. */
  readonly aSec: number;
  readonly bSec: number;
  /** Median over rounds of (A's time ÷ B's time): above 1, B is faster. */
  readonly aOverB: number;
}

/** Each round runs `calls` calls of `a`, then of `b` (after one warm-up round of each). */
export function paired(a: () => void, b: () => void, calls: number, rounds = 5): PairedTiming {
  const time = (fn: () => void) => {
    const start = cpuNowMs();
    for (let i = 0; i < calls; i++) fn();
    return (cpuNowMs() - start) / 1000 / calls;
  };
  // CPU time counts every thread: collect first, so the collector's background
  // threads are not still marking what earlier benches left while these run.
  fullGc();
  time(a);
  time(b);
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ta = time(a);
    const tb = time(b);
    as.push(ta);
    bs.push(tb);
    ratios.push(ta / tb);
  }
  return { aSec: median(as), bSec: median(bs), aOverB: median(ratios) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
