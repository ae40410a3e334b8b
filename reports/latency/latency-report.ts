// The latency report (issue #6 item 2): fio-style host latency and
// IOPS vs offered load up to saturation for 2, 4 and 8 primaries; the CDF at
// one load; where a write's time goes; ack after parity durable vs after the
// local write; the cost of network loss; latency during a restore; and one
// drive against M/G/1. Every figure comes from the runs listed in the report.
import { type RunPointResult, runPointJob } from '../jobs/run-point.js';
import { formatUs, seedsText, sig } from '../model/format.js';
import { type PlannedJob, type ReportOptions, type ReportPlan, resolveInput, seedList } from '../model/plan.js';
import type { Report, RunRecord, Section } from '../model/report.js';
import { type Mg1Result, mg1Job } from './mg1.js';
import { BLOCK_BYTES, IODEPTH, type LatencyPoint, READ_FRACTION, durationFor, latencyScenario } from './latency-scenarios.js';
import { lossSection, policySection, restoreSection } from './latency-sections.js';
import { breakdownSection, cdfSection, loadSection, mg1Check, mg1Section } from './load-sections.js';

export const PRIMARY_COUNTS = [2, 4, 8] as const;
/** The fixed load (operations/s, all hosts) of the CDF, breakdown, ack-policy and loss comparisons: about half of what parity serves. */
export const FIXED_LOAD = 150;

export interface LatencyParams {
  readonly quick: boolean;
  readonly seeds: readonly number[];
  readonly blocks: number;
  readonly loads: readonly number[];
  readonly opsPerPoint: number;
  readonly minS: number;
  readonly maxS: number;
  readonly rhos: readonly number[];
  readonly mg1Requests: number;
  readonly restoreLoadS: number;
}

export function latencyParams(options: ReportOptions): LatencyParams {
  const q = options.quick;
  if (options.tiny) {
    return { quick: q, seeds: seedList(options.seeds), blocks: 128, loads: [50, FIXED_LOAD], opsPerPoint: 150, minS: 1, maxS: 2, rhos: [0.5], mg1Requests: 20_000, restoreLoadS: 6 };
  }
  return {
    quick: q,
    seeds: seedList(options.seeds),
    blocks: q ? 1024 : 2048,
    loads: q ? [50, 150, 250, 350, 450, 550] : [25, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 550, 600],
    opsPerPoint: q ? 800 : 4000,
    minS: q ? 4 : 10,
    maxS: q ? 12 : 60,
    rhos: q ? [0.3, 0.5, 0.7, 0.85] : [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9],
    mg1Requests: q ? 100_000 : 400_000,
    restoreLoadS: q ? 32 : 150,
  };
}

/** A simulated point: its scenario (as written beside the report) and one job per seed. */
export interface PointPlan {
  readonly id: string;
  readonly point: LatencyPoint;
  readonly input: Record<string, unknown>;
  readonly jobIndexes: number[];
}

export function planLatency(options: ReportOptions): ReportPlan {
  const p = latencyParams(options);
  const jobs: PlannedJob[] = [];
  const points = new Map<string, PointPlan>();
  const add = (id: string, point: LatencyPoint, extra: { breakdown?: boolean; ops?: boolean } = {}): PointPlan => {
    const input = latencyScenario(id, point);
    const scenario = resolveInput(input);
    const plan: PointPlan = { id, point, input, jobIndexes: [] };
    for (const seed of p.seeds) {
      plan.jobIndexes.push(jobs.length);
      jobs.push({ job: runPointJob({ id, scenario, seed, ...extra }), cost: point.offeredIops * point.durationS * 20 + point.primaries * point.blocks * 6 });
    }
    points.set(id, plan);
    return plan;
  };
  const loadId = (n: number, load: number) => `load-n${n}-${load}`;
  for (const n of PRIMARY_COUNTS) {
    for (const load of p.loads) {
      add(loadId(n, load), { primaries: n, blocks: p.blocks, offeredIops: load, durationS: durationFor(load, p.opsPerPoint, p.minS, p.maxS) }, { breakdown: load === FIXED_LOAD });
    }
  }
  const fixed = (extra: Partial<LatencyPoint>): LatencyPoint => ({ primaries: 4, blocks: p.blocks, offeredIops: FIXED_LOAD, durationS: durationFor(FIXED_LOAD, p.opsPerPoint, p.minS, p.maxS), ...extra });
  add('ack-local-write-n4', fixed({ ackPolicy: 'local-write' }));
  for (const loss of [0, 0.01, 0.05]) {
    for (const rt of [5, 100]) {
      if (loss === 0 && rt === 5) continue; // the fixed-load sweep point
      add(`loss-${loss * 100}pct-rt${rt}ms-n4`, fixed({ loss, retransmitInitialMs: rt }));
    }
  }
  add('restore-n4', fixed({ durationS: p.restoreLoadS, failAtS: 3, replaceAfterMs: 500 }), { ops: true });
  const mg1Indexes: number[] = [];
  for (const rho of p.rhos) {
    for (const seed of p.seeds) {
      mg1Indexes.push(jobs.length);
      jobs.push({ job: mg1Job({ rho, requests: p.mg1Requests, seed }), cost: p.mg1Requests * 2 });
    }
  }
  return {
    jobs,
    build: (results) => {
      const of = (id: string): RunPointResult[] => points.get(id)!.jobIndexes.map((i) => results[i] as RunPointResult);
      const ctx: LatencyContext = { params: p, of, loadId, points };
      const mg1 = mg1Indexes.map((i) => results[i] as Mg1Result);
      const sections: Section[] = [loadSection(ctx), cdfSection(ctx), breakdownSection(ctx), policySection(ctx), lossSection(ctx), restoreSection(ctx), mg1Section(mg1, p)];
      const runs: RunRecord[] = [];
      for (const plan of points.values()) for (const r of of(plan.id)) runs.push({ id: r.id, seed: r.seed, verdict: r.verdict, traceHash: r.traceHash, events: r.events, simTimeUs: r.simTimeUs });
      const failed = runs.filter((r) => r.verdict !== 'pass');
      return {
        name: 'latency',
        title: 'xorsim latency report',
        intro: [
          `Host latency of cross-array XOR parity on simulated 7200 rpm drives, in fio's terms (IOPS, MB/s, p50/p90/p99/p99.9/max), from ${runs.length} runs of the real primary and parity controllers (hardened protocol) and ${mg1.length} single-drive runs. Each point's scenario is in \`scenarios/\` beside this report; \`npx xorsim run scenarios/<id>.json --seed <seed>\` repeats it event for event (the traceHash in the run list below).`,
          `Base configuration: N primaries and one parity array, each ${4} drives (20 TB, 7.4/8.2 ms average seek, SPTF queue) holding ${p.blocks} blocks of ${BLOCK_BYTES / 1024} KiB spread over the whole surface; a 10 GbE-like network (50 µs, 1.25 GB/s per direction); open-loop Poisson arrivals, ${READ_FRACTION * 100} % reads, at most ${IODEPTH} operations in service per host, latency counted from arrival (so waiting at the host counts). Load is given as operations per second offered by all hosts together. ${seedsText(p.seeds)} per point${p.seeds.length > 1 ? '; figures are means over seeds, error bars the range over seeds' : ''}.`,
          failed.length === 0 ? `Every run passed every check (parity, durability, honesty, liveness).` : `**${failed.length} run(s) did not pass their checks**: ${failed.map((r) => `${r.id} seed ${r.seed} (${r.verdict})`).join(', ')}.`,
        ],
        sections,
        checks: mg1Check(mg1),
        scenarios: Object.fromEntries([...points.values()].map((x) => [x.id, x.input])),
        runs,
        runsNote: 'Every simulated number above comes from these runs. Repeat one with `npx xorsim run scenarios/<id>.json --seed <seed>` from this directory: the same seed gives the same traceHash.',
        parameters: { quick: p.quick, seeds: p.seeds, blocksPerArray: p.blocks, offeredLoads: p.loads, fixedLoad: FIXED_LOAD, mg1Rhos: p.rhos, mg1Requests: p.mg1Requests },
      } satisfies Report;
    },
  };
}

export interface LatencyContext {
  readonly params: LatencyParams;
  readonly of: (id: string) => RunPointResult[];
  readonly loadId: (n: number, load: number) => string;
  readonly points: ReadonlyMap<string, PointPlan>;
}

/** Mean over seeds of `pick`, with the range over seeds when there are several. */
export function overSeeds(results: readonly RunPointResult[], pick: (r: RunPointResult) => number): { y: number; lo?: number; hi?: number } {
  const values = results.map(pick);
  const y = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length < 2) return { y };
  return { y, lo: Math.min(...values), hi: Math.max(...values) };
}

/** Caption fragment naming the runs of a point. */
export function runsText(ctx: LatencyContext, ids: readonly string[]): string {
  const shown = ids.length > 4 ? `${ids.slice(0, 2).join(', ')}, …, ${ids[ids.length - 1]}` : ids.join(', ');
  return `scenarios ${shown} · ${seedsText(ctx.params.seeds)}`;
}

export const ms = (us: number): number => us / 1000;
export { formatUs, sig };
