// Steering the generator toward the coverage cells reached least. Seeds are
// generated in fixed batches: batch b's weights depend only on the coverage
// that batches 0 … b−1 reached (merged in seed order), so a given exploration
// draws the same worlds whatever the number of workers, and each world
// records its batch's weights (the `generated` section) to be drawn again.
import { type Budget, universe } from './universe.js';

/** Seeds per steering batch unless told otherwise: small enough to steer often, large enough to keep two workers busy. */
export const DEFAULT_BATCH = 20;

/** In how many seeds each cell was reached. */
export type Reached = Map<string, number>;

export function reachedBy(runs: readonly { readonly coverage: Readonly<Record<string, number>> }[], into: Reached = new Map()): Reached {
  for (const r of runs) for (const cell of Object.keys(r.coverage)) into.set(cell, (into.get(cell) ?? 0) + 1);
  return into;
}

/**
 * The weight of each cell of the universe: 1 / (1 + seeds that reached it),
 * to four significant digits (so a file states it exactly). Cells at weight 1
 * (never reached) are left out: a missing cell weighs 1.
 */
export function steeringWeights(budget: Budget, reached: Reached): Record<string, number> {
  const out: Record<string, number> = {};
  for (const cell of universe(budget)) {
    const n = reached.get(cell) ?? 0;
    if (n > 0) out[cell] = Number((1 / (1 + n)).toPrecision(4));
  }
  return out;
}
