// One run's coverage map: how often a fault of each family struck in each
// phase (cells.ts). The fault injector reports every fault it lets happen
// (not one the budget suppressed), with the arrays it strikes; the phases
// come from the tracker at that moment. The run report carries the counts.
import type { World } from '../world/world.js';
import { type Family, cellOf } from './cells.js';
import { PhaseTracker } from './phase-tracker.js';

/** Cells that say nothing: a join always strikes a primary outside the group. */
const TAUTOLOGIES: ReadonlySet<string> = new Set([cellOf('join', 'non-member')]);

export class CoverageRecorder {
  readonly tracker: PhaseTracker;
  readonly #counts = new Map<string, number>();

  constructor(world: World) {
    this.tracker = new PhaseTracker(world);
  }

  /** A fault of `family` strikes `targets` now. */
  fault(family: Family, targets: readonly string[]): void {
    const cells = this.tracker.phases(targets).map((phase) => cellOf(family, phase)).filter((c) => !TAUTOLOGIES.has(c));
    if (cells.length === 0) cells.push(cellOf(family, 'steady'));
    for (const cell of cells) this.#counts.set(cell, (this.#counts.get(cell) ?? 0) + 1);
  }

  /** Counts by cell, cells sorted (a stable order for JSON and tables). */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
