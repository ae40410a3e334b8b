// What the checker reports when the system broke a promise.

export type ViolationKind =
  /** Q[k] differs from the XOR of the members' block k (after the block settled). */
  | 'parity'
  /** A host read returned data no acknowledged or in-flight write put there. */
  | 'durability'
  /** Data was reported lost although single parity could have rebuilt it. */
  | 'honesty'
  /** Data the world knows is gone, and the protocol must know it, was never reported lost (completeness-checker.ts). */
  | 'completeness'
  /** Work did not finish within the scenario's settle bound. */
  | 'liveness'
  /** A controller met something only a fault explains, and the world's faults do not (anomaly-checker.ts). */
  | 'anomaly'
  /** A controller broke one of its own assertions (or threw). */
  | 'crash'
  /** An open-loop load arrived faster than the arrays served it: still queued at the settle bound, the arrays working to the end (no protocol failure). */
  | 'overload'
  /** The run reached a limit of the simulator itself (sim/engine/limit.ts), not of the protocol. */
  | 'limit';

export type Verdict = 'pass' | 'correctness' | 'liveness' | 'crash' | 'overload' | 'limit';

/** Every verdict, in the order summaries list them. */
export const VERDICTS: readonly Verdict[] = ['pass', 'correctness', 'liveness', 'crash', 'overload', 'limit'];

export interface Violation {
  readonly kind: ViolationKind;
  readonly timeUs: number;
  readonly array: string | null;
  readonly block: number | null;
  readonly message: string;
  /** The last trace records that touched the block, oldest first. */
  readonly recent: readonly string[];
}

export function verdictOf(violations: readonly Violation[]): Verdict {
  const first = violations[0];
  if (first === undefined) return 'pass';
  if (first.kind === 'crash' || first.kind === 'liveness' || first.kind === 'overload' || first.kind === 'limit') return first.kind;
  return 'correctness';
}
