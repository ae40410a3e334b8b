// One seed of one scenario, as `xorsim run` runs it: the same preparation
// (protocol override, quick, swarm: sim/scenario/prepare/variant.ts), so the
// same seed gives the same verdict and traceHash here and on the command line.
import type { ProtocolVariant } from '../src/protocol/variant.js';
import type { RunReport } from '../sim/runner/run-report.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import type { SwarmDraw } from '../sim/scenario/prepare/swarm.js';
import { prepareRun } from '../sim/scenario/prepare/variant.js';
import { loadControllers } from './controllers.js';
import { callback, flag, integer, protocol } from './options.js';
import { type ScenarioInput, loadScenario } from './scenario.js';

export interface RunOptions {
  /** The PRNG seed (a non-negative integer): the same seed, the same run. */
  readonly seed: number;
  /** Overrides the scenario's protocol variant. */
  readonly protocol?: ProtocolVariant;
  /** Cut the load short past the last scheduled fault (as `explore --quick`). */
  readonly quick?: boolean;
  /** Draw this seed's configuration from the scenario's swarm section (as `explore --swarm`). */
  readonly swarm?: boolean;
  /** Receives every trace record as one JSON line (what `xorsim run --trace` writes). */
  readonly onTrace?: (line: string) => void;
  /** A controller module's path (as `--controllers`): its controllers run instead of the built-in ones. */
  readonly controllers?: string;
}

/** The summary `xorsim run --json` prints, and what swarm drew. */
export interface RunResult extends RunReport {
  /** What swarm drew for this seed; null unless `swarm` was asked for and the scenario has a swarm section. */
  readonly swarm: SwarmDraw | null;
}

/** Runs one seed of a scenario with every check on. A failed check is a verdict, not an exception. */
export async function run(scenario: ScenarioInput, options: RunOptions): Promise<RunResult> {
  const s = loadScenario(scenario);
  const seed = integer('seed', options?.seed, 0);
  const override = protocol(options.protocol);
  const onTrace = callback<(line: string) => void>('onTrace', options.onTrace);
  const controllers = await loadControllers(options.controllers);
  const prepared = prepareRun(s.file, s.resolved, seed, {
    swarm: flag('swarm', options.swarm),
    quick: flag('quick', options.quick),
    ...(override !== undefined ? { protocol: override } : {}),
    ...(controllers !== undefined ? { controllers: controllers.file } : {}),
  });
  const report = await runScenario(prepared.scenario, {
    seed,
    file: s.file,
    replay: prepared.replay,
    ...(controllers !== undefined ? { controllers: controllers.module } : {}),
    ...(onTrace !== undefined ? { traceSink: onTrace } : {}),
  });
  return { ...report, swarm: prepared.swarm };
}
