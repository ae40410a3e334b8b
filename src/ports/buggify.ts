// Port: faults from inside the code (FoundationDB's BUGGIFY).
//
// At chosen points (src/protocol/buggify-points.ts) a controller asks whether
// to make trouble for itself there — wait a while, skip one message, crash —
// so a simulation reaches rare interleavings inside a restore, a join or a
// scrub on purpose rather than by luck. The simulator decides, from the run's
// seed; everywhere else the port is inert (NO_BUGGIFY). A call site does
// nothing more when its point does not fire — no await, no message — so an
// inert port leaves every run exactly as it was.
import type { BuggifyPointOf } from '../protocol/buggify-points.js';

export interface Buggify {
  /** µs to wait at this point, on the controller's own clock (0: go on at once, without awaiting). */
  delay(point: BuggifyPointOf<'delay'>): number;
  /** Skip the message this point guards, this once? */
  fires(point: BuggifyPointOf<'drop'>): boolean;
  /**
   * Crash here? true: the platform has just killed this controller; the
   * caller stops at once (`return halted()`), as a dead controller would.
   */
  crashes(point: BuggifyPointOf<'crash'>): boolean;
}

export const NO_BUGGIFY: Buggify = { delay: () => 0, fires: () => false, crashes: () => false };

/** What a controller that crashed at a buggify point returns: a promise that never settles (its code stops there). */
export function halted(): Promise<never> {
  return new Promise<never>(() => {});
}
