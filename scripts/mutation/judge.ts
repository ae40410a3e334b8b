// The mutation judge (issue #12 item 3): the fixed set of xorsim runs that
// decides whether a mutant of the controllers is caught, and how one run's
// outcome counts. Used in-process by the StrykerJS test runner
// (scripts/mutation/stryker-plugin.mjs) and by test/mutation.test.ts.
//
// A "test" is one run with every check on: a shipped scenario at --quick, or a
// generated world (sim/generate/, drawn once with no steering so the set never
// depends on what a mutant did). A run kills a mutant when it ends in a
// correctness or liveness violation, or in a crash thrown from the product's
// own code (src/: an assertion of its own, or a TypeError in it). A crash
// thrown from the simulator's code (sim/) is not a kill: the simulator broke,
// not a check. docs/MUTATION.md says why this set.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateWorld, worldName } from '../../sim/generate/generator.js';
import type { Budget } from '../../sim/generate/universe.js';
import { loadScenarioFile } from '../../cli/scenario-file.js';
import { Engine } from '../../sim/engine/engine.js';
import { runSeed } from '../../sim/explore/seed-job.js';
import type { ResolvedScenario } from '../../sim/scenario/resolve.js';

export interface JudgeTest {
  /** Stable id: `scenario:<name>#<seed>` or `generated:<world>`. */
  readonly id: string;
  readonly file: string;
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  readonly quick: boolean;
  /** The command that replays this run on the unmutated code. */
  readonly replay: string;
}

export interface JudgeSet {
  /** Only these shipped scenarios (names without .json); all when absent. */
  readonly scenarios?: readonly string[];
  /** Shipped scenarios (scenarios/*.json, not regressions/) at --quick, these seeds. */
  readonly scenarioSeeds: readonly number[];
  /** Per shipped scenario (name without .json): seeds beyond scenarioSeeds, where seed 1 misses the hazard it exists for. */
  readonly moreSeeds?: Readonly<Record<string, readonly number[]>>;
  /**
   * Kept regression worlds (scenarios/regressions/, each once broke hardened): 'one-per-fix' runs the first of
   * each group of names (the names group worlds by the fix that made them pass), at its own seed (1 for a hand one).
   */
  readonly regressions?: 'one-per-fix' | 'none';
  /** Generated worlds per budget: these seeds (batch 0, no steering). */
  readonly generated: Readonly<Record<Budget, readonly number[]>>;
  /** Worlds made for the judge (scenarios/mutation/, names without .json) at --quick, these seeds: each reaches a path nothing else judged does. */
  readonly focused?: Readonly<Record<string, readonly number[]>>;
}

/** The set `npm run mutation` judges with (docs/MUTATION.md: why these). */
export const DEFAULT_SET: JudgeSet = {
  scenarioSeeds: [1],
  // stale-life's earlier lives' deltas arrive in the new epoch at --quick seeds 2 and 3, not 1; at 5 a later life's
  // (epoch 1 twice: Math.min in GroupChanges), at 11 a restore request's answer is lost. power-after-restore's seed 6:
  // a resumed restore meets a delta applied before it (docs/MUTATION.md, group-changes.ts).
  moreSeeds: { 'stale-life': [2, 3, 5, 11], 'power-after-restore': [6] },
  regressions: 'one-per-fix',
  generated: { recoverable: range(1, 24), unlimited: range(1, 9) },
  // An earlier life's delta-ack reaches a later life's pending delta of its number (probe stale-ack-ignored): taken, seed 9 fails.
  focused: { 'stale-ack': [9] },
};

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The set in force: DEFAULT_SET, or XORSIM_JUDGE_SET (JSON, a JudgeSet: test/mutation.test.ts uses a small one). */
export function judgeSet(): JudgeSet {
  const env = process.env.XORSIM_JUDGE_SET;
  return env === undefined || env === '' ? DEFAULT_SET : (JSON.parse(env) as JudgeSet);
}

export function judgeTests(root: string, set: JudgeSet = judgeSet()): JudgeTest[] {
  const tests: JudgeTest[] = [];
  for (const budget of ['recoverable', 'unlimited'] as const) {
    for (const seed of set.generated[budget]) {
      const world = generateWorld({ seed, budget, weights: {}, batch: 0 });
      const name = worldName(seed, budget);
      tests.push({ id: `generated:${name}`, file: `generated-failures/${name}.json`, scenario: world.scenario, seed, quick: false, replay: `xorsim explore --generate --budget ${budget} --from ${seed} --seeds 1 --workers 1` });
    }
  }
  const dir = join(root, 'scenarios');
  const wanted = (f: string) => set.scenarios === undefined || set.scenarios.includes(f.replace(/\.json$/, ''));
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'scenario.schema.json' && wanted(f)).sort()) {
    const file = join(dir, f);
    const scenario = loadScenarioFile(file);
    for (const seed of [...set.scenarioSeeds, ...(set.moreSeeds?.[f.replace(/\.json$/, '')] ?? [])]) {
      tests.push({ id: `scenario:${f.replace(/\.json$/, '')}#${seed}`, file: `scenarios/${f}`, scenario, seed, quick: true, replay: `xorsim run scenarios/${f} --seed ${seed} --quick` });
    }
  }
  for (const [name, seeds] of Object.entries(set.focused ?? {})) {
    const file = `scenarios/mutation/${name}.json`;
    const scenario = loadScenarioFile(join(root, file));
    for (const seed of seeds) tests.push({ id: `focused:${name}#${seed}`, file, scenario, seed, quick: true, replay: `xorsim run ${file} --seed ${seed} --quick` });
  }
  if (set.regressions === 'one-per-fix') tests.push(...regressionTests(root));
  return tests;
}

/** The first kept world of each fix (its name less the seed suffix), at the seed it failed with. */
function regressionTests(root: string): JudgeTest[] {
  const dir = join(root, 'scenarios/regressions');
  const fix = (f: string) => f.replace(/\.json$/, '').replace(/-[ru]?\d+$/, '');
  const seen = new Set<string>();
  const tests: JudgeTest[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    if (seen.has(fix(f))) continue;
    seen.add(fix(f));
    const scenario = loadScenarioFile(join(dir, f));
    const seed = scenario.generated?.seed ?? 1;
    tests.push({ id: `regression:${f.replace(/\.json$/, '')}`, file: `scenarios/regressions/${f}`, scenario, seed, quick: false, replay: `xorsim run scenarios/regressions/${f} --seed ${seed}` });
  }
  return tests;
}

export type Outcome =
  /** Every check passed. */
  | { readonly kind: 'pass'; readonly cpuMs: number }
  /** A check failed, or the product threw: the mutant is caught. */
  | { readonly kind: 'kill'; readonly cpuMs: number; readonly message: string }
  /** The simulator itself threw: not a kill. */
  | { readonly kind: 'sim-crash'; readonly cpuMs: number; readonly message: string }
  /** Stryker's hit limit (an endless loop) fired inside the run. */
  | { readonly kind: 'timeout'; readonly cpuMs: number; readonly message: string };

const HIT_LIMIT = 'Stryker: Hit count limit reached';

// The run's report keeps a crash's message and first src/ line only; which code
// threw needs the error itself, so the judge hears every Engine.fail (the
// engine is the simulator's; nothing in it changes).
let lastCrash: { error: unknown; where: string } | undefined;
const engineFail = Engine.prototype.fail;
Engine.prototype.fail = function (this: Engine, error: unknown, where: string): void {
  lastCrash ??= { error, where };
  engineFail.call(this, error, where);
};

/** Which code threw: the first stack frame in src/ or sim/ (past node's own and node_modules). */
export function thrownFrom(error: unknown): 'src' | 'sim' | 'unknown' {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const line of stack.split('\n').slice(1)) {
    if (line.includes('node_modules') || line.includes('node:')) continue;
    if (/[/\\]src[/\\]/.test(line)) return 'src';
    if (/[/\\](sim|scripts|test)[/\\]/.test(line)) return 'sim';
  }
  return 'unknown';
}

export async function runJudgeTest(t: JudgeTest): Promise<Outcome> {
  // CPU time of this process, not wall time: a busy machine must not make a run look slow (the slowness rule compares them).
  const started = process.cpuUsage();
  const ms = () => {
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  lastCrash = undefined;
  let r;
  try {
    r = await runSeed({ file: t.file, scenario: t.scenario, seed: t.seed, variant: { swarm: false, quick: t.quick }, attempt: 0 });
  } catch (error) {
    return classifyThrow(error, 'the run', ms());
  }
  if (r.verdict === 'pass') return { kind: 'pass', cpuMs: ms() };
  const v = r.violation!;
  const message = `${t.id}: ${v.kind} at ${v.timeUs}us: ${v.message.split('\n')[0]}`;
  if (r.verdict !== 'crash') return { kind: 'kill', cpuMs: ms(), message };
  if (v.message.includes(HIT_LIMIT)) return { kind: 'timeout', cpuMs: ms(), message };
  // Which code threw is in the error's stack, which the report keeps as its first src/ line only.
  const crash = lastCrash as { error: unknown; where: string } | undefined; // set by the run, through Engine.fail
  if (crash !== undefined) return classifyThrow(crash.error, crash.where, ms(), t.id);
  return /\(.*[/\\]src[/\\]/.test(v.message) ? { kind: 'kill', cpuMs: ms(), message } : { kind: 'sim-crash', cpuMs: ms(), message };
}

function classifyThrow(error: unknown, where: string, cpuMs: number, id = ''): Outcome {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const message = `${id}: crash in ${where}: ${text}`;
  if (text.includes(HIT_LIMIT)) return { kind: 'timeout', cpuMs, message };
  return thrownFrom(error) === 'src' ? { kind: 'kill', cpuMs, message } : { kind: 'sim-crash', cpuMs, message: `${message} (${firstFrame(error)})` };
}

function firstFrame(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  return stack.split('\n').slice(1).find((l) => !l.includes('node:') && !l.includes('node_modules'))?.trim() ?? 'no frame';
}
