// Minimises a failing run into a smaller scenario that still fails the same
// way (same verdict, same kind of first violation), by greedy delta debugging
// over the scenario file: try the candidate cuts of candidates.ts, biggest
// first; take the first that still fails; repeat until no cut keeps the
// failure (or the candidate budget is spent).
//
// A candidate is tried on a few seeds (the one that failed last first): with
// fewer arrays or a shorter load every later random draw shifts, so the same
// bug often shows under another seed — the output records which one.
// Candidates run one after another in this thread: most fail (are kept) within
// milliseconds of simulated time, and a worker pool per step cost far more to
// start than it saved (measured on this 2-core machine while busy: 106 s on 2
// workers against 6 s in this thread for quickstart's literal failure).
import type { ControllerModule } from '../../src/controller-api.js';
import type { ProtocolVariant } from '../../src/protocol/variant.js';
import { parseScenarioValue } from '../scenario/load.js';
import { type Candidate, type Json, candidates } from './candidates.js';
import { type Outcome, runOnce, tryCandidate } from './attempt.js';

export interface ShrinkOptions {
  /** The scenario file (for messages and the output's description). */
  readonly file: string;
  readonly seed: number;
  readonly protocol: ProtocolVariant;
  /** Seeds tried per candidate. */
  readonly tries: number;
  /** Candidates evaluated at most. */
  readonly maxCandidates?: number;
  /** A user's controllers (`--controllers`): `file` as given, for the description; absent: the built-in ones. */
  readonly controllers?: { readonly file: string; readonly module: ControllerModule };
  /** Called once the original run is known to fail. */
  readonly onOriginal?: (outcome: Outcome) => void;
  /** Called when a cut is kept. */
  readonly onStep?: (step: Step) => void;
}

export interface Step {
  readonly what: string;
  readonly outcome: Outcome;
}

export type ShrinkResult =
  | { readonly failing: false; readonly original: Outcome }
  | {
      readonly failing: true;
      readonly original: Outcome;
      readonly originalScenario: Json;
      /** The smallest scenario found: an ordinary scenario file's JSON. */
      readonly scenario: Json;
      /** Its failing run. */
      readonly outcome: Outcome;
      readonly steps: readonly Step[];
      readonly candidatesTried: number;
      readonly runs: number;
    };

export async function shrink(input: Json, o: ShrinkOptions): Promise<ShrinkResult> {
  const start: Json = { ...input, protocol: o.protocol };
  delete start['$schema']; // relative to the original file; the CLI writes one for the output's place
  const controllers = o.controllers?.module;
  const original = await runOnce(o.file, start, o.seed, controllers);
  if (original.verdict === 'pass') return { failing: false, original };
  o.onOriginal?.(original);
  const want = { verdict: original.verdict, kind: original.kind };
  const budget = o.maxCandidates ?? 300;
  let current = start;
  let outcome = original;
  let tried = 0;
  let runs = 1;
  const steps: Step[] = [];
  for (;;) {
    const valid = candidates(current, outcome.simTimeUs).filter((c) => parseScenarioValue(o.file, c.scenario).ok);
    let kept: { candidate: Candidate; outcome: Outcome } | undefined;
    for (const candidate of valid) {
      if (tried >= budget) break;
      tried++;
      const attempt = await tryCandidate({ file: o.file, scenario: candidate.scenario, seeds: seedsFor(outcome.seed, o.tries), want, controllers });
      runs += attempt.runs;
      if (attempt.failing !== null) {
        kept = { candidate, outcome: attempt.failing };
        break;
      }
    }
    if (kept === undefined) break;
    current = kept.candidate.scenario;
    outcome = kept.outcome;
    const step = { what: kept.candidate.what, outcome };
    steps.push(step);
    o.onStep?.(step);
  }
  return { failing: true, original, originalScenario: start, scenario: described(current, o, outcome, steps), outcome, steps, candidatesTried: tried, runs };
}

/** The seed that failed last, then 1, 2, … */
function seedsFor(last: number, tries: number): number[] {
  const out = [last];
  for (let s = 1; out.length < tries; s++) if (s !== last) out.push(s);
  return out;
}

/** The shrunk scenario, renamed, saying where it came from and which seed fails. */
function described(s: Json, o: ShrinkOptions, outcome: Outcome, steps: readonly Step[]): Json {
  const name = `${String(s['name'])}-shrunk`.slice(0, 32);
  const description =
    `Shrunk by xorsim shrink from ${o.file} (seed ${o.seed}, protocol ${o.protocol}${o.controllers !== undefined ? `, controllers ${o.controllers.file}` : ''}). ` +
    `Fails with seed ${outcome.seed}: ${outcome.verdict} (${outcome.kind} violation). ` +
    `Cuts: ${steps.length === 0 ? 'none' : steps.map((x) => x.what).join('; ')}.`;
  // A generated world's `generated` section describes the world before the cuts: the shrunk one is no longer it.
  const { name: _n, description: _d, generated: _g, ...rest } = s;
  return { name, description, ...rest };
}
