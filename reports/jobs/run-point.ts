// The pool job behind every simulated point of the latency and capacity
// reports: one run of one scenario with one seed through the real controllers
// and models (sim/runner), reduced to the figures a report draws: fio
// percentiles, a CDF grid, achieved IOPS, network bytes and drive utilisation
// during the load, restore and rebuild durations, and — when asked — where
// each write's time went (write-breakdown.ts) or every operation's timing.
import type { DiskArray } from '../../sim/disk/disk-array.js';
import type { Job } from '../../sim/parallel/job.js';
import { runScenario } from '../../sim/runner/run-scenario.js';
import type { ResolvedScenario } from '../../sim/scenario/resolve.js';
import type { HostOp } from '../../sim/workload/host-workload.js';
import type { World } from '../../sim/world/world.js';
import { CDF_LEVELS, type LatencyStats, latencyStats, quantiles } from '../stats/percentiles.js';
import { type BreakdownSummary, WriteBreakdown } from './write-breakdown.js';

export interface RunPointInput {
  /** Names the point (and its scenario file beside the report). */
  readonly id: string;
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  readonly breakdown?: boolean;
  /** Return every host operation (start, latency, array, write) — for timelines. */
  readonly ops?: boolean;
}

export interface ArrayUse {
  readonly name: string;
  readonly drives: number;
  /** Busy time of the drives during the load and settle phases ÷ (drives × that time). */
  readonly utilization: number;
  /** Requests the drives served in that time. */
  readonly requests: number;
  readonly meanServiceUs: number;
  readonly meanWaitUs: number;
}

export interface Repair {
  readonly array: string;
  readonly parity: boolean;
  readonly failedUs: number;
  /** The empty replacement is installed: the restore (or rebuild) starts. */
  readonly replacedUs: number;
  /** Every block back (null: not within the run). */
  readonly doneUs: number | null;
  /**
   * Drive utilisation per array between the host operations that completed
   * first after the replacement and first after the repair was done (none
   * without host operations then): the repair's own window, without adding
   * events to the run.
   */
  readonly utilization: Readonly<Record<string, number>> | null;
}

export interface RunPointResult {
  readonly id: string;
  readonly seed: number;
  readonly verdict: string;
  readonly violation: string | null;
  readonly traceHash: string;
  readonly events: number;
  readonly simTimeUs: number;
  readonly loadUs: number;
  readonly write: LatencyStats;
  readonly read: LatencyStats;
  /** Latency at each of CDF_LEVELS (µs). */
  readonly writeCdf: readonly number[];
  readonly readCdf: readonly number[];
  /** Operations that completed, over the load phase (arrivals stop at its end; the backlog still counts). */
  readonly writesDone: number;
  readonly readsDone: number;
  readonly failed: number;
  /** From the first arrival to the last completion. */
  readonly busyUs: number;
  /** Network traffic from the start of the load to the end of the run (modelled block sizes). */
  readonly network: { readonly messages: number; readonly modeledBytes: number };
  readonly arrays: readonly ArrayUse[];
  /** Per primary failed and replaced during the run: when its restore ran (µs from the start of the load). */
  /** Per array failed and replaced during the run (a primary restored, parity rebuilt): µs from the start of the load. */
  readonly repairs: readonly Repair[];
  readonly breakdown: BreakdownSummary | null;
  /** With `ops`: [startUs from load start, latencyUs, primary index, 1 = write, 1 = ok] per operation. */
  readonly ops: readonly (readonly [number, number, number, number, number])[] | null;
}

export function runPointJob(input: RunPointInput): Job {
  return { module: import.meta.url, fn: 'runPoint', input };
}

interface DriveSnapshot {
  count: number;
  busy: number;
  wait: number;
}

function snapshot(world: World): Map<string, DriveSnapshot> {
  const out = new Map<string, DriveSnapshot>();
  for (const node of world.nodes()) {
    const device = node.device as Partial<DiskArray>;
    if (device.driveStats === undefined) continue;
    const s: DriveSnapshot = { count: 0, busy: 0, wait: 0 };
    for (const d of device.driveStats()) {
      s.count += d.service.count;
      s.busy += d.service.count * d.service.mean;
      s.wait += d.wait.count * d.wait.mean;
    }
    out.set(node.name, s);
  }
  return out;
}

// Why over 70 lines: one run's measurement taps (host ops, drive and network snapshots at the load's
// edges, repair windows, the write breakdown) share the run's phases; each tap is a line or two.
export async function runPoint(input: RunPointInput): Promise<RunPointResult> {
  const { scenario, seed } = input;
  const writes: number[] = [];
  const reads: number[] = [];
  const ops: HostOp[] = [];
  let loadStart = 0;
  let before = new Map<string, DriveSnapshot>();
  let after = new Map<string, DriveSnapshot>();
  let netBefore = { messages: 0, modeledBytes: 0 };
  let netAfter = { messages: 0, modeledBytes: 0 };
  const drives = new Map<string, number>();
  let endUs = 0;
  const breakdown = input.breakdown ? new WriteBreakdown(scenario) : undefined;
  const repairs: Repair[] = [];
  const windows = new RepairWindows();
  const report = await runScenario(scenario, {
    seed,
    file: `scenarios/${input.id}.json`,
    // Rendering every record costs: only the breakdown needs the trace.
    ...(breakdown === undefined ? {} : { traceSink: (line: string) => breakdown.take(line) }),
    onHostOp: (op) => {
      // Failed operations (the array is gone) answer at once: not latencies of service.
      if (op.ok) (op.write ? writes : reads).push(op.endUs - op.startUs);
      ops.push(op);
      windows.tick();
    },
    onPhase: (phase, world) => {
      if (phase === 'load') {
        loadStart = world.engine.now;
        windows.watch(world);
        breakdown?.start(loadStart);
        before = snapshot(world);
        netBefore = world.network.stats;
        return;
      }
      endUs = world.engine.now;
      after = snapshot(world);
      netAfter = world.network.stats;
      for (const node of world.nodes()) drives.set(node.name, (node.device as Partial<DiskArray>).drives?.length ?? 0);
      repairs.push(...repairsOf(world, loadStart, windows));
    },
  });
  const lastEnd = ops.reduce((m, o) => Math.max(m, o.endUs), loadStart);
  const firstStart = ops.reduce((m, o) => Math.min(m, o.startUs), lastEnd);
  const window = Math.max(1, (endUs > loadStart ? Math.max(lastEnd, loadStart + scenario.workload.duration) : lastEnd) - loadStart);
  const arrays: ArrayUse[] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? { count: 0, busy: 0, wait: 0 };
    const n = drives.get(name) ?? 1;
    const requests = a.count - b.count;
    arrays.push({
      name,
      drives: n,
      utilization: (a.busy - b.busy) / (n * window),
      requests,
      meanServiceUs: requests > 0 ? (a.busy - b.busy) / requests : 0,
      meanWaitUs: requests > 0 ? (a.wait - b.wait) / requests : 0,
    });
  }
  const primaries = scenario.primaries.map((p) => p.name);
  return {
    id: input.id,
    seed,
    verdict: report.verdict,
    violation: report.violations[0]?.message ?? null,
    traceHash: report.traceHash,
    events: report.events,
    simTimeUs: report.simTimeUs,
    loadUs: scenario.workload.duration,
    write: latencyStats(writes),
    read: latencyStats(reads),
    writeCdf: quantiles(writes, CDF_LEVELS),
    readCdf: quantiles(reads, CDF_LEVELS),
    writesDone: report.hostOps.writes,
    readsDone: report.hostOps.reads,
    failed: report.hostOps.failed,
    busyUs: lastEnd - firstStart,
    network: { messages: netAfter.messages - netBefore.messages, modeledBytes: netAfter.modeledBytes - netBefore.modeledBytes },
    arrays,
    repairs,
    breakdown: breakdown?.summary(ops) ?? null,
    ops: input.ops ? ops.map((o) => [o.startUs - loadStart, o.endUs - o.startUs, primaries.indexOf(o.array), o.write ? 1 : 0, o.ok ? 1 : 0] as const) : null,
  };
}

/** Drive statistics snapshots at the first host completion after each repair starts and ends. */
class RepairWindows {
  #world: World | undefined;
  readonly #marks = new Map<string, { start?: { t: number; s: Map<string, DriveSnapshot> }; end?: { t: number; s: Map<string, DriveSnapshot> } }>();

  watch(world: World): void {
    this.#world = world;
  }

  tick(): void {
    const world = this.#world;
    if (world === undefined) return;
    for (const [array, outages] of world.outages) {
      const outage = outages[0];
      const fault = world.scenario.faults.schedule.find((f) => f.do === 'fail-array' && f.array === array);
      if (outage === undefined || fault === undefined || fault.do !== 'fail-array' || fault.replaceAfter === undefined) continue;
      const mark = this.#marks.get(array) ?? {};
      this.#marks.set(array, mark);
      const now = world.engine.now;
      if (mark.start === undefined && now >= outage.failedAt + fault.replaceAfter) mark.start = { t: now, s: snapshot(world) };
      else if (mark.start !== undefined && mark.end === undefined && outage.restoredAt !== undefined) mark.end = { t: now, s: snapshot(world) };
    }
  }

  utilization(array: string, drives: ReadonlyMap<string, number>): Record<string, number> | null {
    const m = this.#marks.get(array);
    if (m?.start === undefined || m.end === undefined || m.end.t <= m.start.t) return null;
    const out: Record<string, number> = {};
    for (const [name, a] of m.end.s) out[name] = (a.busy - (m.start.s.get(name)?.busy ?? 0)) / ((drives.get(name) ?? 1) * (m.end.t - m.start.t));
    return out;
  }
}

/** Each array failure with a scheduled replacement, and when the array was whole again (the world's own record). */
function repairsOf(world: World, loadStart: number, windows: RepairWindows): Repair[] {
  const drives = new Map(world.nodes().map((n) => [n.name, (n.device as Partial<DiskArray>).drives?.length ?? 1]));
  const out: Repair[] = [];
  for (const [array, outages] of world.outages) {
    const scheduled = world.scenario.faults.schedule.filter((f) => f.do === 'fail-array' && f.array === array);
    for (const [i, outage] of outages.entries()) {
      const fault = scheduled[i];
      if (fault === undefined || fault.do !== 'fail-array' || fault.replaceAfter === undefined) continue;
      out.push({
        array,
        parity: array === world.parity.name,
        failedUs: outage.failedAt - loadStart,
        replacedUs: outage.failedAt + fault.replaceAfter - loadStart,
        doneUs: outage.restoredAt === undefined ? null : outage.restoredAt - loadStart,
        utilization: i === 0 ? windows.utilization(array, drives) : null,
      });
    }
  }
  return out;
}
