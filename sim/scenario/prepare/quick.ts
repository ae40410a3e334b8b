// `--quick`: the scenario with its host load cut short, for a CI gate that
// must run every scenario over many seeds in minutes. Every scheduled fault
// still happens (the load is cut only past the end of the last one, plus a
// tail for the system to work under load after it), random faults keep their
// rates over the shorter load, and the settle bound is unchanged.
import { MS } from '../../engine/time.js';
import { type ScheduledFault, faultKind } from '../../faults/registry.js';
import type { ResolvedScenario } from '../resolve.js';

/** The shortest quick load. */
export const QUICK_MIN_LOAD = 500 * MS;
/** Load kept after the last scheduled fault has played out. */
export const QUICK_TAIL = 300 * MS;

export function quickVariant(s: ResolvedScenario): ResolvedScenario {
  const lastFault = Math.max(0, ...s.faults.schedule.map(faultEnd));
  const duration = Math.min(s.workload.duration, Math.max(QUICK_MIN_LOAD, lastFault + QUICK_TAIL));
  return duration === s.workload.duration ? s : { ...s, workload: { ...s.workload, duration } };
}

/** When a scheduled fault has fully played out (its restart, replacement, heal or last flap included: each kind's `lasts`). */
export function faultEnd(f: ScheduledFault): number {
  // A triggered fault's moment is not known in advance: its delay after arming is the least it takes.
  return f.at + (f.after?.delay ?? 0) + (faultKind(f.do).lasts?.(f) ?? 0);
}
