// Retransmission timing for messages that must arrive: exponential backoff
// from an initial timeout, capped, so a partition costs a bounded number of
// sends per second and delivery resumes soon after it heals.
import type { Micros } from '../ports/clock.js';

export interface RetransmitOptions {
  /** First retransmission after this long without an ack. */
  readonly initialUs: Micros;
  /** Backoff never waits longer than this. */
  readonly maxUs: Micros;
}

export const DEFAULT_RETRANSMIT: RetransmitOptions = { initialUs: 5_000, maxUs: 500_000 };

/** The wait before attempt `attempt` (1 = the first retransmission). */
export function retransmitDelay(options: RetransmitOptions, attempt: number): Micros {
  return Math.min(options.maxUs, options.initialUs * 2 ** Math.min(30, attempt - 1));
}
