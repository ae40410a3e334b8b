// Selftest's pool job: one seed of one scenario under hardened with one
// planted bug, cut down to what the hunt keeps. (Field names follow the
// exploration's seed results.)
import type { PlantedBug } from '../../src/protocol/planted-bugs.js';
import type { Verdict, Violation } from '../checker/violation.js';
import type { Job } from '../parallel/job.js';
import { runScenario } from '../runner/run-scenario.js';
import type { ResolvedScenario } from '../scenario/resolve.js';

export interface HuntInput {
  readonly file: string;
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  readonly bug: PlantedBug;
}

export interface HuntRun {
  readonly seed: number;
  readonly verdict: Verdict;
  readonly traceHash: string;
  readonly events: number;
  readonly simTimeUs: number;
  /** The first violation (what stopped the run), or null. */
  readonly violation: Omit<Violation, 'recent'> | null;
}

export async function huntSeed(input: HuntInput): Promise<HuntRun> {
  const r = await runScenario({ ...input.scenario, protocol: 'hardened' }, { seed: input.seed, file: input.file, plantedBugs: new Set([input.bug]) });
  const v = r.violations[0];
  return {
    seed: r.seed,
    verdict: r.verdict,
    traceHash: r.traceHash,
    events: r.events,
    simTimeUs: r.simTimeUs,
    violation: v === undefined ? null : { kind: v.kind, timeUs: v.timeUs, array: v.array, block: v.block, message: v.message },
  };
}

export function huntJob(input: HuntInput): Job {
  return { module: import.meta.url, fn: 'huntSeed', input };
}
