// The coverage cells the world generator aims at (sim/coverage/cells.ts):
// every fault family in every protocol phase it can be made to strike in —
// less the combinations that cannot happen. Some never can (a decommissioned
// or outside array is never failed: its data was never protected; a join
// strikes no array with deltas yet), some only when the fault budget lets them
// (under `recoverable` a second array cannot fail while one is down or its
// replacement is restoring, nor block damage land beside a lost array).
// "Every cell reached" is judged against this list; the steering weights
// (steering.ts) are kept for these cells.
import { type Cell, FAMILIES, type Family, PHASE_NAMES, type Phase, cellOf } from '../coverage/cells.js';

export type Budget = 'recoverable' | 'unlimited';

/** Families that strike one array's blocks. */
const MEDIA: readonly Family[] = ['latent-error', 'corrupt', 'misdirect', 'fail-drive'];

/** Phases that are about the array struck, and the families that can strike such an array. */
const TARGETED: Partial<Record<Phase, readonly Family[]>> = {
  // A primary outside the group: never failed (nothing protects it), never told to leave; a join's target always is.
  'non-member': ['crash', 'power-fail', 'partition', 'flap', 'misread', 'rogue', ...MEDIA],
  // A primary with deltas in flight on a misbehaving link: anything but the parity array's own failure, or a join.
  'delta-disorder': ['crash', 'power-fail', 'fail-array', 'partition', 'flap', 'leave', 'misread', 'rogue', ...MEDIA],
  // The primary that reported a loss.
  'after-loss': ['crash', 'power-fail', 'fail-array', 'partition', 'flap', 'leave', 'misread', 'rogue', ...MEDIA],
};

/** Under `recoverable`: cells the fault budget always suppresses (a second damaged copy in some group). */
const OVER_BUDGET: ReadonlySet<Cell> = new Set([
  // Another array down: any other failure or damage would be a second copy lost.
  ...(['fail-array', 'fail-parity', ...MEDIA] as const).map((f) => cellOf(f, 'array-down')),
  // The parity array being rebuilt: a primary's loss would be a second.
  cellOf('fail-array', 'parity-rebuild'),
  // A primary being restored: the parity array holds its only copy.
  cellOf('fail-parity', 'restoring'),
]);

/** Every cell the generator aims at under `budget`, in a fixed order. */
export function universe(budget: Budget): Cell[] {
  const out: Cell[] = [];
  for (const family of FAMILIES) {
    for (const phase of PHASE_NAMES) {
      const only = TARGETED[phase];
      if (only !== undefined && !only.includes(family)) continue;
      const cell = cellOf(family, phase);
      if (budget === 'recoverable' && OVER_BUDGET.has(cell)) continue;
      out.push(cell);
    }
  }
  return out;
}
