// The whole stack in this process — engine, world, controllers, checkers —
// on a scenario, timed in CPU time (cpuNowMs: every thread of this process;
// other load on the machine does not inflate it). Warm: the JIT has seen the
// scenario twice before the timed seeds (a long explore's steady state; a
// cold process, start-up and tsx included, is measured by the CLI).
import { runScenario } from '../runner/run-scenario.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { prepareRun } from '../scenario/prepare/variant.js';
import { cpuNowMs } from '../wall-clock.js';

export interface StackFigure {
  readonly scenario: string;
  /** Median of the timed seeds, by events per CPU-second. */
  readonly events: number;
  readonly cpuMs: number;
  readonly simTimeUs: number;
  readonly eventsPerCpuSec: number;
  /** Simulated seconds per CPU-second ("× real time" on one core). */
  readonly simPerCpu: number;
}

/** Full-length runs of `scenario`, seeds 1–2 to warm up, 3–5 timed; the median one. */
export async function benchStack(scenario: ResolvedScenario, file: string): Promise<StackFigure> {
  for (const seed of [1, 2]) await runScenario(scenario, { seed, file });
  const timed: StackFigure[] = [];
  for (const seed of [3, 4, 5]) {
    const start = cpuNowMs();
    const r = await runScenario(scenario, { seed, file });
    const cpuMs = cpuNowMs() - start;
    timed.push({ scenario: scenario.name, events: r.events, cpuMs, simTimeUs: r.simTimeUs, eventsPerCpuSec: r.events / (cpuMs / 1000), simPerCpu: r.simTimeUs / 1000 / cpuMs });
  }
  return timed.sort((a, b) => a.eventsPerCpuSec - b.eventsPerCpuSec)[1]!;
}

export interface SeedRate {
  readonly scenario: string;
  readonly seeds: number;
  readonly cpuMs: number;
  /** Seeds of this scenario at --quick per CPU-hour, in a warm process (the CI gate's unit of work). */
  readonly seedsPerCpuHour: number;
}

/** `seeds` seeds of `scenario` at `--quick` (as the CI gate runs them), after one untimed seed. */
export async function benchSeedRate(scenario: ResolvedScenario, file: string, seeds: number): Promise<SeedRate> {
  const prepared = (seed: number) => prepareRun(file, scenario, seed, { swarm: false, quick: true }).scenario;
  await runScenario(prepared(1), { seed: 1, file });
  const start = cpuNowMs();
  for (let seed = 2; seed < 2 + seeds; seed++) await runScenario(prepared(seed), { seed, file });
  const cpuMs = cpuNowMs() - start;
  return { scenario: scenario.name, seeds, cpuMs, seedsPerCpuHour: (seeds * 3_600_000) / cpuMs };
}
