// What an exploration produces: every seed's result per scenario, the
// determinism self-check, and totals. This is also the `--out` JSON file that
// `xorsim merge` combines (from shards of one exploration).
import type { ProtocolVariant } from '../../src/protocol/variant.js';
import type { Verdict } from '../checker/violation.js';
import type { SeedResult } from './seed-job.js';
import type { Shard } from './seeds.js';

export const EXPLORE_FORMAT = 'xorsim-explore/1';

/** What every seed was run with; results can be merged only when these agree. */
export interface ExploreSettings {
  readonly protocol: ProtocolVariant | null;
  readonly swarm: boolean;
  readonly quick: boolean;
  /** Planted bugs (selftest only); empty for any exploration started from the command line. */
  readonly plantedBugs: readonly string[];
  /** Generated worlds (`--generate`): the generator, its fault budget and steering batch size. */
  readonly generate?: { readonly generator: string; readonly budget: 'recoverable' | 'unlimited'; readonly batch: number };
  /** A user's controller module (`--controllers`), as given; absent: the built-in controllers. */
  readonly controllers?: string;
}

export interface SeedRange {
  readonly from: number;
  readonly seeds: number;
  readonly shard: Shard | null;
}

export interface ScenarioRuns {
  readonly file: string;
  readonly name: string;
  /** Fingerprint of the scenario as loaded: shards merge only if they ran the same scenario. */
  readonly scenarioHash: string;
  /** In seed order. */
  readonly runs: readonly SeedResult[];
}

export interface Mismatch {
  readonly file: string;
  readonly scenario: string;
  readonly seed: number;
  readonly replay: string;
  /** traceHash of the exploration's run and of its re-run. */
  readonly traceHashes: readonly [string, string];
  readonly events: readonly [number, number];
  /** The first trace record where two diagnostic re-runs differ, when the difference reproduced. */
  readonly firstDifference: { readonly record: number; readonly first: string; readonly again: string } | null;
  /** What the diagnosis found, in words. */
  readonly note: string;
}

export interface Determinism {
  /** Fraction of seeds re-run (at least one per scenario unless 0). */
  readonly fraction: number;
  readonly rechecked: readonly { readonly file: string; readonly seed: number }[];
  readonly mismatches: readonly Mismatch[];
}

export interface Totals {
  readonly runs: number;
  readonly pass: number;
  readonly correctness: number;
  readonly liveness: number;
  readonly crash: number;
  readonly overload: number;
  readonly limit: number;
  readonly mismatches: number;
  /** Seeds planned but not started (time budget). */
  readonly notRun: number;
}

export interface Exploration {
  readonly format: typeof EXPLORE_FORMAT;
  readonly settings: ExploreSettings;
  /** One range per exploration merged into this one. */
  readonly ranges: readonly SeedRange[];
  readonly scenarios: readonly ScenarioRuns[];
  readonly determinism: Determinism;
  readonly budget: { readonly timeBudgetMs: number | null; readonly planned: number; readonly ran: number; readonly stopped: boolean };
  readonly workers: number;
  readonly wallMs: number;
  /** CPU time the process spent while the seeds ran (every thread; the determinism re-runs not included). */
  readonly cpuMs: number;
  readonly totals: Totals;
  /** The result files `xorsim merge` combined into this one. */
  readonly mergedFrom?: readonly string[];
  /** What a merge found missing (shards of the same exploration not given); none when complete. */
  readonly missing?: readonly string[];
}

export function totalsOf(scenarios: readonly ScenarioRuns[], mismatches: number, notRun: number): Totals {
  const t = { runs: 0, pass: 0, correctness: 0, liveness: 0, crash: 0, overload: 0, limit: 0, mismatches, notRun };
  for (const s of scenarios) {
    for (const r of s.runs) {
      t.runs++;
      t[r.verdict]++;
    }
  }
  return t;
}

/** Whether everything passed and every re-run matched (and, unless a partial result is accepted, nothing is missing). */
export function clean(e: Exploration, allowPartial = false): boolean {
  return e.totals.pass === e.totals.runs && e.totals.mismatches === 0 && (allowPartial || (e.missing ?? []).length === 0);
}

export interface ScenarioSummary {
  readonly seeds: number;
  readonly verdicts: Readonly<Record<Verdict, number>>;
  readonly events: number;
  readonly simTimeUs: number;
  readonly wallMs: number;
  /** Per probe: in how many seeds it was reached, and how often in all. */
  readonly probes: ReadonlyMap<string, { readonly seeds: number; readonly hits: number }>;
  /** Per coverage cell: in how many seeds it was reached, and how often in all. */
  readonly coverage: ReadonlyMap<string, { readonly seeds: number; readonly hits: number }>;
}

export function summarizeRuns(runs: readonly SeedResult[]): ScenarioSummary {
  const verdicts = { pass: 0, correctness: 0, liveness: 0, crash: 0, overload: 0, limit: 0 };
  const probes = new Map<string, { seeds: number; hits: number }>();
  const coverage = new Map<string, { seeds: number; hits: number }>();
  let events = 0;
  let simTimeUs = 0;
  let wallMs = 0;
  for (const r of runs) {
    verdicts[r.verdict]++;
    events += r.events;
    simTimeUs += r.simTimeUs;
    wallMs += r.wallMs;
    count(probes, r.probes);
    count(coverage, r.coverage ?? {}); // results written before the coverage map have none
  }
  const sorted = (m: Map<string, { seeds: number; hits: number }>) => new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { seeds: runs.length, verdicts, events, simTimeUs, wallMs, probes: sorted(probes), coverage: sorted(coverage) };
}

function count(into: Map<string, { seeds: number; hits: number }>, hits: Readonly<Record<string, number>>): void {
  for (const [name, n] of Object.entries(hits)) {
    const p = into.get(name) ?? { seeds: 0, hits: 0 };
    p.seeds++;
    p.hits += n;
    into.set(name, p);
  }
}

/** A stable fingerprint of a JSON-able value (FNV-1a, two lanes). */
export function fingerprintOf(value: unknown): string {
  const text = JSON.stringify(value);
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
