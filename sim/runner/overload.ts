// An open-loop load (workload.rate) arrives whatever the arrays manage; past
// what they serve, its queue only grows and the run ends with operations
// still waiting at the settle bound. That is the load's doing, not the
// protocol's: reported as overload, with the rates offered and served,
// when the arrays were still completing operations as the bound ran out (a
// protocol that stopped making progress stays a liveness violation).
import { formatTime } from '../engine/time.js';
import type { ResolvedScenario } from '../scenario/resolve.js';

export interface LoadOutcome {
  /** Operations completed (acknowledged or failed). */
  readonly completed: number;
  /** Operations arrived and not completed. */
  readonly waiting: number;
  readonly loadStartUs: number;
  readonly nowUs: number;
  /** When the last operation completed. */
  readonly lastDoneUs: number;
}

/** The overload message, or undefined when this was no overload. */
export function overload(s: ResolvedScenario, o: LoadOutcome): string | undefined {
  const gapUs = s.workload.rate;
  if (gapUs === undefined || !Number.isFinite(gapUs) || o.waiting === 0) return undefined;
  const stillServing = o.nowUs - o.lastDoneUs <= Math.max(1000, s.settle / 10);
  if (!stillServing) return undefined;
  const hosts = s.primaries.length;
  const perHost = 1e6 / gapUs;
  const served = o.completed / ((o.nowUs - o.loadStartUs) / 1e6);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return (
    `overload: the hosts offered ${n(perHost * hosts)} ops/s (${n(perHost)}/s per host × ${hosts}), the arrays served ${n(served)} ops/s ` +
    `(${n(o.completed)} operations in ${formatTime(o.nowUs - o.loadStartUs)}); ${n(o.waiting)} still waiting ${formatTime(s.settle)} after the load stopped (the settle bound)`
  );
}
