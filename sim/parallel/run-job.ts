// The standard pool job: one run of one scenario with one seed.
import type { RunReport } from '../runner/run-report.js';
import { runScenario } from '../runner/run-scenario.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import type { Job } from './job.js';

export interface RunInput {
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  /** The scenario file, for the replay command. */
  readonly file: string;
}

export function runInput(input: RunInput): Promise<RunReport> {
  return runScenario(input.scenario, { seed: input.seed, file: input.file });
}

export function runJobOf(input: RunInput): Job {
  return { module: import.meta.url, fn: 'runInput', input };
}
