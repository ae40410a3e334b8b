// The result of one run: the JSON summary of `xorsim run --json` (its fields:
// README, Command line), gathered from the world, its checkers and the fault
// injector once the run is over.
import type { ProtocolVariant } from '../../src/protocol/variant.js';
import type { Checkers } from '../checker/checkers.js';
import { type Verdict, type Violation, verdictOf } from '../checker/violation.js';
import { isSimulatorLimit } from '../engine/limit.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import { replayCommand } from '../scenario/prepare/replay-command.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { wallNowMs } from '../wall-clock.js';
import type { World } from '../world/world.js';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface RunReport {
  readonly scenario: string;
  readonly seed: number;
  readonly protocol: ProtocolVariant;
  readonly verdict: Verdict;
  readonly traceHash: string;
  readonly events: number;
  readonly simTimeUs: number;
  readonly wallMs: number;
  readonly hostOps: { readonly writes: number; readonly reads: number; readonly acked: number; readonly failed: number };
  readonly checks: { readonly parity: number; readonly reads: number; readonly sweeps: number; readonly lossReports: number };
  readonly latencyUs: { readonly write: LatencySummary; readonly read: LatencySummary };
  readonly network: { readonly messages: number; readonly bytes: number };
  readonly faults: { readonly injected: number; readonly suppressed: number };
  /** ackPolicy local-write: acknowledged writes at risk when their array failed, and reads/sweeps that found one lost. */
  readonly ackWindow: { readonly atRisk: number; readonly hits: number };
  /** How often each code probe was reached (names sorted). */
  readonly probes: Readonly<Record<string, number>>;
  /** How often a fault of each family struck in each protocol phase (sim/coverage/cells.ts), cells sorted. */
  readonly coverage: Readonly<Record<string, number>>;
  readonly violations: readonly Violation[];
  /** The command that reproduces this run exactly. */
  readonly replay: string;
}

/** Nearest-rank percentiles of `values` (sorted copy). */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}

export interface RunOutcome {
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  readonly world: World;
  readonly checkers: Checkers;
  readonly faults: FaultInjector;
  /** Wall-clock time the run started (ms). */
  readonly startedMs: number;
  /** The scenario file, and the replay command of a prepared run (else built from the file). */
  readonly file: string;
  readonly replay: string | undefined;
}

/** The run's summary; a controller crash or a simulator limit the checkers did not report comes first among the violations. */
export function reportRun(o: RunOutcome): RunReport {
  const { scenario, world, checkers, faults } = o;
  const engine = world.engine;
  const hosts = world.hosts;
  const violations = checkers.violations;
  const crash = engine.crash;
  if (crash !== undefined && !violations.some((v) => v.kind === 'crash')) {
    const limit = isSimulatorLimit(crash.error);
    const message = limit ? `the simulator's limit, not the protocol's: ${crash.error.message} (${crash.where})` : `${crash.where}: ${describeError(crash.error)}`;
    violations.unshift({ kind: limit ? 'limit' : 'crash', timeUs: crash.timeUs, array: null, block: null, message, recent: [] });
  }
  return {
    scenario: scenario.name,
    seed: o.seed,
    protocol: scenario.protocol,
    verdict: verdictOf(violations),
    traceHash: engine.trace.hash,
    events: engine.events,
    simTimeUs: engine.lastEventAt, // not a cancelled timer's time (a restore's watchdog is 2 s)
    wallMs: Math.round(wallNowMs() - o.startedMs),
    hostOps: { ...hosts.stats },
    checks: checkers.counts,
    latencyUs: { write: summarize(hosts.writeLatencies), read: summarize(hosts.readLatencies) },
    network: world.network.stats,
    faults: { ...faults.stats },
    ackWindow: { atRisk: checkers.durability.atRisk, hits: checkers.durability.windowHits },
    probes: world.probes.snapshot(),
    coverage: faults.coverage.snapshot(),
    violations,
    replay: o.replay ?? replayCommand(o.file, o.seed, scenario.protocol),
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const where = error.stack?.split('\n').find((line) => line.includes('/src/'))?.trim();
    return `${error.name}: ${error.message}${where ? ` (${where})` : ''}`;
  }
  return String(error);
}
