// The exploration's pool job: one seed of one scenario, prepared by its
// variant (protocol, quick, swarm), run with every check, and cut down to what
// an exploration keeps (the first violation, probes, the fingerprint).
//
// With `capture`, the job also fingerprints its trace records in chunks (and
// keeps the lines of one chunk): how a determinism mismatch is narrowed down to
// the first record where two runs of the same seed differ, in bounded memory.
import type { PlantedBugs } from '../../src/protocol/planted-bugs.js';
import type { Verdict, Violation } from '../checker/violation.js';
import type { Job } from '../parallel/job.js';
import type { RunReport } from '../runner/run-report.js';
import { runScenario } from '../runner/run-scenario.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import type { SwarmDraw } from '../scenario/prepare/swarm.js';
import { type RunVariant, prepareRun } from '../scenario/prepare/variant.js';
import { importControllers } from '../world/controller-module.js';

export interface Capture {
  /** Trace records per fingerprinted chunk. */
  readonly chunkRecords: number;
  /** Keep the lines of this chunk. */
  readonly keepChunk?: number;
}

export interface SeedInput {
  readonly file: string;
  /** The scenario as loaded from `file` (the variant is applied in the job). */
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  readonly variant: RunVariant;
  /** 0: the exploration's run; 1: its determinism re-run; 2 and up: diagnosis of a mismatch (even, odd in pairs). */
  readonly attempt: number;
  /** Planted controller bugs (selftest and tests; never from a flag). */
  readonly plantedBugs?: PlantedBugs;
  readonly capture?: Capture;
}

export interface SeedResult {
  readonly seed: number;
  readonly verdict: Verdict;
  readonly traceHash: string;
  readonly events: number;
  readonly simTimeUs: number;
  readonly wallMs: number;
  readonly hostOps: RunReport['hostOps'];
  readonly checks: RunReport['checks'];
  /** The first violation (what stopped the run), or null. */
  readonly violation: Violation | null;
  readonly replay: string;
  /** What swarm drew for this seed, or null. */
  readonly swarm: SwarmDraw | null;
  readonly probes: Readonly<Record<string, number>>;
  /** The coverage map's cells this run's faults struck, and how often (sim/coverage/cells.ts). */
  readonly coverage: Readonly<Record<string, number>>;
  /** A generated world (explore --generate): its name, steering batch, the cells it aimed at, and — when it failed — its scenario file's JSON. */
  readonly generated?: GeneratedRun;
  readonly capture?: CaptureResult;
}

export interface GeneratedRun {
  readonly name: string;
  readonly batch: number;
  readonly aimed: readonly string[];
  readonly scenario?: Readonly<Record<string, unknown>>;
}

export interface CaptureResult {
  readonly records: number;
  /** A fingerprint of each chunk of `chunkRecords` records. */
  readonly chunks: readonly string[];
  /** The lines of chunk `keepChunk`, if asked for. */
  readonly lines?: readonly string[];
}

export async function runSeed(input: SeedInput): Promise<SeedResult> {
  const prepared = prepareRun(input.file, input.scenario, input.seed, input.variant);
  const capture = input.capture === undefined ? undefined : new ChunkCapture(input.capture);
  // A user's module: imported once per thread (explore checked it loads before any job started).
  const controllers = input.variant.controllers === undefined ? undefined : await importControllers(input.variant.controllers);
  const r = await runScenario(prepared.scenario, {
    seed: input.seed,
    file: input.file,
    replay: prepared.replay,
    ...(controllers !== undefined ? { controllers } : {}),
    ...(input.plantedBugs !== undefined ? { plantedBugs: input.plantedBugs } : {}),
    ...(capture !== undefined ? { traceSink: capture.push } : {}),
  });
  return {
    seed: r.seed,
    verdict: r.verdict,
    traceHash: r.traceHash,
    events: r.events,
    simTimeUs: r.simTimeUs,
    wallMs: r.wallMs,
    hostOps: r.hostOps,
    checks: r.checks,
    violation: r.violations[0] ?? null,
    replay: r.replay,
    swarm: prepared.swarm,
    probes: r.probes,
    coverage: r.coverage,
    ...(capture !== undefined ? { capture: capture.result() } : {}),
  };
}

/** The job for the standard runner, or for a replacement with the same signature (tests, selftest). */
export interface SeedRunner {
  readonly module: string;
  readonly fn: string;
}

export const STANDARD_RUNNER: SeedRunner = { module: import.meta.url, fn: 'runSeed' };

export function seedJob(input: SeedInput, runner: SeedRunner = STANDARD_RUNNER): Job {
  return { module: runner.module, fn: runner.fn, input };
}

class ChunkCapture {
  readonly #options: Capture;
  readonly #chunks: string[] = [];
  readonly #lines: string[] = [];
  #records = 0;
  #h1 = 0x811c9dc5;
  #h2 = 0x01000193;

  constructor(options: Capture) {
    this.#options = options;
  }

  readonly push = (line: string): void => {
    const chunk = Math.floor(this.#records / this.#options.chunkRecords);
    if (chunk === this.#options.keepChunk) this.#lines.push(line);
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      this.#h1 = Math.imul(this.#h1 ^ c, 0x01000193);
      this.#h2 = Math.imul(this.#h2 ^ c, 0x5bd1e995) ^ (this.#h2 >>> 15);
    }
    this.#h1 = Math.imul(this.#h1 ^ 10, 0x01000193);
    if (++this.#records % this.#options.chunkRecords === 0) this.#endChunk();
  };

  #endChunk(): void {
    this.#chunks.push(hex(this.#h1) + hex(this.#h2));
    this.#h1 = 0x811c9dc5;
    this.#h2 = 0x01000193;
  }

  result(): CaptureResult {
    if (this.#records % this.#options.chunkRecords !== 0) this.#endChunk();
    return { records: this.#records, chunks: this.#chunks, ...(this.#options.keepChunk !== undefined ? { lines: this.#lines } : {}) };
  }
}

const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');

/** The seed input's planted-bugs field: present only when there are some. */
export function plantedFor(bugs: PlantedBugs | undefined): { plantedBugs?: PlantedBugs } {
  return bugs !== undefined ? { plantedBugs: bugs } : {};
}
