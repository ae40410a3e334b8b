// Determinism checks itself (madsim's MADSIM_TEST_CHECK_DETERMINISM,
// FoundationDB re-running a share of its simulations): a sample of the seeds an
// exploration ran is run again on fresh worker threads — never the thread of
// the first run — and any traceHash difference fails the exploration.
//
// A mismatch is then narrowed down to the first trace record where two more
// runs of that seed differ: both fingerprint their records in chunks, then both
// keep the lines of the first chunk that differs — memory stays bounded by one
// chunk whatever the run's length.
import { runJobs } from '../parallel/pool.js';
import type { ExploreOptions, ExploreTarget } from './explore-options.js';
import type { Mismatch } from './result.js';
import { type SeedInput, type SeedResult, plantedFor, seedJob } from './seed-job.js';
import { DEFAULT_RECHECK, inRecheckSample } from './seeds.js';

/** Trace records per fingerprinted chunk when diagnosing a mismatch. */
export const DIAGNOSIS_CHUNK = 4096;

export interface RecheckOutcome {
  readonly rechecked: { file: string; seed: number }[];
  readonly mismatches: Mismatch[];
}

/** Re-runs the sample of `runs` (per target, in seed order) and diagnoses every mismatch. */
export async function recheck(targets: readonly ExploreTarget[], runs: readonly (readonly SeedResult[])[], o: ExploreOptions, everyTarget = true): Promise<RecheckOutcome> {
  const fraction = o.recheck ?? DEFAULT_RECHECK;
  const sample: { t: number; first: SeedResult }[] = [];
  if (fraction > 0) {
    for (const [t, list] of runs.entries()) {
      // Every scenario that ran is checked at least once: its first seed (generated worlds: one target per seed, so only the sample).
      for (const [i, r] of list.entries()) if ((i === 0 && everyTarget) || inRecheckSample(r.seed, fraction)) sample.push({ t, first: r });
    }
    // At least one seed of the whole exploration.
    const first = runs.findIndex((list) => list.length > 0);
    if (sample.length === 0 && first >= 0) sample.push({ t: first, first: runs[first]![0]! });
  }
  const input = (t: number, seed: number, attempt: number): SeedInput => ({
    file: targets[t]!.file,
    scenario: targets[t]!.scenario,
    seed,
    variant: o.variant,
    attempt,
    ...plantedFor(targets[t]!.plantedBugs ?? o.plantedBugs),
  });
  let done = 0;
  if (sample.length > 0) o.onProgress?.({ phase: 'recheck', done: 0, total: sample.length, failed: 0 });
  const again = await runJobs<SeedResult>(
    sample.map((s) => seedJob(input(s.t, s.first.seed, 1), o.runner)),
    { workers: o.workers, freshThreads: true, onResult: () => o.onProgress?.({ phase: 'recheck', done: ++done, total: sample.length, failed: 0 }) },
  );
  const mismatches: Mismatch[] = [];
  for (const [i, s] of sample.entries()) {
    const b = again[i]!;
    if (b.traceHash === s.first.traceHash && b.events === s.first.events) continue;
    o.onProgress?.({ phase: 'diagnose', done: mismatches.length, total: mismatches.length + 1, failed: mismatches.length });
    const diagnosis = await diagnose((attempt, capture) => ({ ...input(s.t, s.first.seed, attempt), capture }), o);
    mismatches.push({
      file: targets[s.t]!.file,
      scenario: targets[s.t]!.scenario.name,
      seed: s.first.seed,
      replay: s.first.replay,
      traceHashes: [s.first.traceHash, b.traceHash],
      events: [s.first.events, b.events],
      ...diagnosis,
    });
  }
  return { rechecked: sample.map((s) => ({ file: targets[s.t]!.file, seed: s.first.seed })), mismatches };
}

type Diagnosis = Pick<Mismatch, 'firstDifference' | 'note'>;

async function diagnose(input: (attempt: number, capture: SeedInput['capture']) => SeedInput, o: ExploreOptions): Promise<Diagnosis> {
  const pair = (attempt: number, capture: SeedInput['capture']) =>
    runJobs<SeedResult>([seedJob(input(attempt, capture), o.runner), seedJob(input(attempt + 1, capture), o.runner)], { workers: Math.min(2, o.workers) });
  const [a, b] = await pair(2, { chunkRecords: DIAGNOSIS_CHUNK });
  const ca = a!.capture!;
  const cb = b!.capture!;
  if (a!.traceHash === b!.traceHash) {
    return { firstDifference: null, note: `two more runs of this seed agreed (traceHash ${a!.traceHash}): the difference did not reproduce outside the exploration (state carried over between runs in one thread?)` };
  }
  let chunk = 0;
  while (chunk < ca.chunks.length && chunk < cb.chunks.length && ca.chunks[chunk] === cb.chunks[chunk]) chunk++;
  if (chunk === ca.chunks.length && chunk === cb.chunks.length) {
    return { firstDifference: null, note: `two more runs differ (traceHash ${a!.traceHash} vs ${b!.traceHash}) but their ${ca.records} trace records are identical: the difference is in engine events that write no record` };
  }
  const [a2, b2] = await pair(4, { chunkRecords: DIAGNOSIS_CHUNK, keepChunk: chunk });
  const la = a2!.capture!.lines ?? [];
  const lb = b2!.capture!.lines ?? [];
  let line = 0;
  while (line < la.length && line < lb.length && la[line] === lb[line]) line++;
  if (line === la.length && line === lb.length) {
    return { firstDifference: null, note: `runs differ within trace records ${chunk * DIAGNOSIS_CHUNK}…${(chunk + 1) * DIAGNOSIS_CHUNK - 1}, but not the same way each time` };
  }
  const record = chunk * DIAGNOSIS_CHUNK + line;
  return {
    firstDifference: { record, first: la[line] ?? '(no more records)', again: lb[line] ?? '(no more records)' },
    note: `runs agree on the first ${record} trace records and differ at record ${record}`,
  };
}
