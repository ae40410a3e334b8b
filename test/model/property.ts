// The model-based property and its runners: random command sequences, each
// against a fresh simulated installation with its own engine seed, then a
// settle phase that demands full recovery. On failure: fast-check's seed,
// path and replayPath, and the command line that replays exactly that
// counterexample. runSequence runs one given sequence (a pasted counterexample).
import fc from 'fast-check';
import type { PlantedBugs } from '../../src/protocol/planted-bugs.js';
import { settle, verify } from './checks.js';
import { COMMANDS, parseCommands } from './commands.js';
import { type Gap, ReferenceModel } from './reference.js';
import { SimSystem, TOPOLOGY } from './system.js';

export interface ModelRunOptions {
  readonly bugs: PlantedBugs;
  /** Gaps the commands steer around. */
  readonly gaps: ReadonlySet<Gap>;
  readonly numRuns: number;
  readonly maxCommands: number;
  /** fast-check's seed; with `path` and `replayPath`, replays one counterexample. */
  readonly seed: number;
  readonly path?: string;
  readonly replayPath?: string;
  /** Bounds shrinking (planted-bug runs); unbounded if absent. */
  readonly maxShrinks?: number;
  /** Filled with what the runs exercised, if given. */
  readonly coverage?: Coverage;
}

export type Counterexample = {
  readonly failed: true;
  readonly seed: number;
  readonly path: string;
  readonly replayPath: string;
  readonly numRuns: number;
  readonly numShrinks: number;
  /** Commands run by the shrunk counterexample. */
  readonly length: number;
  readonly engineSeed: number;
  /** The commands that ran, as parseCommands reads them. */
  readonly commands: string;
  readonly error: string;
};

export type ModelRunOutcome = { readonly failed: false; readonly numRuns: number } | Counterexample;

/** Totals over every run: commands run, restores/joins/leaves completed, code probes reached. */
export interface Coverage {
  runs: number;
  readonly counts: Map<string, number>;
}

export function newCoverage(): Coverage {
  return { runs: 0, counts: new Map() };
}

/** One run: a fresh installation, the commands (those whose precondition holds), then settle. */
async function runOnce(engineSeed: number, options: Pick<ModelRunOptions, 'bugs' | 'gaps' | 'coverage'>, run: (model: ReferenceModel, real: SimSystem) => Promise<void>): Promise<void> {
  const real = new SimSystem(engineSeed, options.bugs);
  await real.build();
  const model = new ReferenceModel(TOPOLOGY.primaries, TOPOLOGY.parity.name, real.initial, options.gaps);
  try {
    verify(model, real);
    await run(model, real);
    await settle(model, real);
  } finally {
    const c = options.coverage;
    if (c !== undefined) {
      c.runs++;
      for (const [name, n] of [...model.ran, ...real.completed, ...Object.entries(real.world.probes.snapshot())]) c.counts.set(name, (c.counts.get(name) ?? 0) + n);
    }
  }
}

export async function runModel(options: ModelRunOptions): Promise<ModelRunOutcome> {
  const commands = fc.commands(COMMANDS, { maxCommands: options.maxCommands, size: 'max', ...(options.replayPath !== undefined && { replayPath: options.replayPath }) });
  const input = fc.tuple(fc.integer({ min: 1, max: 1_000_000 }), commands);
  const property = fc.asyncProperty(options.maxShrinks === undefined ? input : fc.limitShrink(input, options.maxShrinks), ([engineSeed, cmds]) =>
    runOnce(engineSeed, options, (model, real) => fc.asyncModelRun(() => ({ model, real }), cmds)),
  );
  const details = await fc.check(property, { numRuns: options.numRuns, seed: options.seed, ...(options.path !== undefined && { path: options.path }) });
  if (!details.failed) return { failed: false, numRuns: details.numRuns };
  if (details.counterexample === null) throw new Error(`fast-check stopped without a counterexample (seed ${details.seed}): too many skips, or interrupted`);
  const [[engineSeed, cmds]] = details.counterexample;
  const shown = String(cmds);
  const commandsRun = shown.replace(/\s*\/\*replayPath=.*\*\/$/, '');
  return {
    failed: true,
    seed: details.seed,
    path: details.counterexamplePath,
    replayPath: /\/\*replayPath="([^"]*)"\*\//.exec(shown)?.[1] ?? '',
    numRuns: details.numRuns,
    numShrinks: details.numShrinks,
    length: parseCommands(commandsRun).length,
    engineSeed,
    commands: commandsRun,
    error: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
  };
}

/**
 * Runs one sequence of commands as printed; resolves to the first thing
 * wrong, or undefined. A command whose precondition does not hold is an
 * error here (a pasted sequence should run as printed).
 */
export async function runSequence(engineSeed: number, text: string, options: Pick<ModelRunOptions, 'bugs' | 'gaps'>): Promise<string | undefined> {
  const cmds = parseCommands(text);
  try {
    await runOnce(engineSeed, options, async (model, real) => {
      for (const cmd of cmds) {
        if (!cmd.check(model)) throw new Error(`${cmd.toString()}: its precondition does not hold here`);
        await cmd.run(model, real);
      }
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}

/** What a failure prints: everything needed to see it and to replay it. */
export function report(outcome: Counterexample, bugs: PlantedBugs): string {
  return [
    `model-based counterexample (planted bugs: ${bugs.size === 0 ? 'none' : [...bugs].join(', ')}) after ${outcome.numRuns} run(s), shrunk ${outcome.numShrinks} time(s) to ${outcome.length} command(s):`,
    `  engine seed ${outcome.engineSeed}: ${outcome.commands}`,
    `  ${outcome.error}`,
    `  fast-check seed ${outcome.seed}, path "${outcome.path}", replayPath "${outcome.replayPath}"`,
    `  replay: XORSIM_FC_SEED=${outcome.seed} XORSIM_FC_PATH='${outcome.path}' XORSIM_FC_REPLAY='${outcome.replayPath}' node scripts/test.mjs model-based`,
  ].join('\n');
}
