// The result of one run: the JSON summary of `xorsim run --json` (its fields: README, Command line).
import type { ProtocolVariant } from '../../src/protocol/variant.js';
import type { Verdict, Violation } from '../checker/violation.js';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface RunReport {
  readonly scenario: string;
  readonly seed: number;
  readonly protocol: ProtocolVariant;
  readonly verdict: Verdict;
  readonly traceHash: string;
  readonly events: number;
  readonly simTimeUs: number;
  readonly wallMs: number;
  readonly hostOps: { readonly writes: number; readonly reads: number; readonly acked: number; readonly failed: number };
  readonly checks: { readonly parity: number; readonly reads: number; readonly sweeps: number; readonly lossReports: number };
  readonly latencyUs: { readonly write: LatencySummary; readonly read: LatencySummary };
  readonly network: { readonly messages: number; readonly bytes: number };
  readonly faults: { readonly injected: number; readonly suppressed: number };
  /** ackPolicy local-write: acknowledged writes at risk when their array failed, and reads/sweeps that found one lost. */
  readonly ackWindow: { readonly atRisk: number; readonly hits: number };
  /** How often each code probe was reached (names sorted). */
  readonly probes: Readonly<Record<string, number>>;
  /** How often a fault of each family struck in each protocol phase (sim/coverage/cells.ts), cells sorted. */
  readonly coverage: Readonly<Record<string, number>>;
  readonly violations: readonly Violation[];
  /** The command that reproduces this run exactly. */
  readonly replay: string;
}

/** Nearest-rank percentiles of `values` (sorted copy). */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}
