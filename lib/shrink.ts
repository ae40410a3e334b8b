// Minimising a failing run into a smaller scenario that still fails the same
// way: `xorsim shrink` without writing the file (sim/shrink/shrink.ts).
import type { ProtocolVariant } from '../src/protocol/variant.js';
import type { Outcome } from '../sim/shrink/attempt.js';
import { type ShrinkResult, type Step, shrink as shrinkScenario } from '../sim/shrink/shrink.js';
import { loadControllers } from './controllers.js';
import { callback, integer, optionalInteger, protocol } from './options.js';
import { type ScenarioInput, loadScenario } from './scenario.js';

export interface ShrinkOptions {
  /** The failing seed. */
  readonly seed: number;
  /** Overrides the scenario's protocol variant. */
  readonly protocol?: ProtocolVariant;
  /** Seeds tried per candidate scenario (the last failing one first); default 4. */
  readonly tries?: number;
  /** Candidate scenarios tried at most; default 300. */
  readonly maxCandidates?: number;
  /** Called each time a cut is kept. */
  readonly onStep?: (step: Step) => void;
  /** A controller module's path (as `--controllers`): its controllers run instead of the built-in ones. */
  readonly controllers?: string;
}

/**
 * Shrinks a failing seed's scenario. `failing: false` when the seed passes
 * (nothing to shrink); else `scenario` is the smallest scenario found, an
 * ordinary scenario file's JSON that fails with `outcome.seed`.
 */
export async function shrink(scenario: ScenarioInput, options: ShrinkOptions): Promise<ShrinkResult> {
  const s = loadScenario(scenario);
  const seed = integer('seed', options?.seed, 0);
  const onStep = callback<(step: Step) => void>('onStep', options.onStep);
  const controllers = await loadControllers(options.controllers);
  return shrinkScenario(structuredClone(s.json) as Record<string, unknown>, {
    file: s.file,
    seed,
    protocol: protocol(options.protocol) ?? s.protocol,
    tries: optionalInteger('tries', options.tries, 1, 4),
    ...(options.maxCandidates !== undefined ? { maxCandidates: integer('maxCandidates', options.maxCandidates, 1) } : {}),
    ...(onStep !== undefined ? { onStep } : {}),
    ...(controllers !== undefined ? { controllers } : {}),
  });
}

export type { Outcome as ShrinkOutcome, ShrinkResult, Step as ShrinkStep };
