// Does a candidate scenario still fail the same way? Runs its seeds in order
// until one fails with the wanted verdict and violation kind (fewer host ops
// change every later draw, so the original seed alone would often miss a
// failure that is still there).
import type { ControllerModule } from '../../src/controller-api.js';
import type { Verdict, ViolationKind } from '../checker/violation.js';
import { runScenario } from '../runner/run-scenario.js';
import { parseScenarioValue } from '../scenario/load.js';
import type { Json } from './candidates.js';

export interface Failure {
  readonly verdict: Verdict;
  /** The first violation's kind (null if the run passed). */
  readonly kind: ViolationKind | null;
}

export interface TryInput {
  readonly file: string;
  readonly scenario: Json;
  readonly seeds: readonly number[];
  readonly want: Failure;
  /** A user's controllers (`--controllers`); absent: the built-in ones. */
  readonly controllers?: ControllerModule | undefined;
}

export interface Outcome extends Failure {
  readonly seed: number;
  /** Host operations issued before the run ended (at its first violation). */
  readonly hostOps: number;
  readonly simTimeUs: number;
  readonly message: string | null;
  readonly traceHash: string;
}

export interface TryResult {
  /** The first seed's run that failed the wanted way, or null. */
  readonly failing: Outcome | null;
  readonly runs: number;
}

export async function runOnce(file: string, scenario: Json, seed: number, controllers?: ControllerModule): Promise<Outcome> {
  const parsed = parseScenarioValue(file, scenario);
  if (!parsed.ok) throw new Error(`shrink: candidate does not validate: ${parsed.problems[0]!.path}: ${parsed.problems[0]!.message}`);
  const r = await runScenario(parsed.scenario, { seed, file, ...(controllers !== undefined && { controllers }) });
  const v = r.violations[0];
  return { seed, verdict: r.verdict, kind: v?.kind ?? null, hostOps: r.hostOps.writes + r.hostOps.reads, simTimeUs: r.simTimeUs, message: v?.message ?? null, traceHash: r.traceHash };
}

export async function tryCandidate(input: TryInput): Promise<TryResult> {
  let runs = 0;
  for (const seed of input.seeds) {
    runs++;
    const outcome = await runOnce(input.file, input.scenario, seed, input.controllers);
    if (outcome.verdict === input.want.verdict && outcome.kind === input.want.kind) return { failing: outcome, runs };
  }
  return { failing: null, runs };
}
