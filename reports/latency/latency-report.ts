// The latency report (issue #6 item 2): fio-style host latency and
// IOPS vs offered load up to saturation for 2, 4 and 8 primaries; the CDF at
// one load; where a write's time goes; ack after parity durable vs after the
// local write; the cost of network loss; latency during a restore; and one
// drive against M/G/1. Every figure comes from the runs listed in the report.
import { type RunPointResult, runPointJob } from '../jobs/run-point.js';
import { seedsText } from '../model/format.js';
import { type PlannedJob, type ReportOptions, type ReportPlan, resolveInput } from '../model/plan.js';
import type { Report, RunRecord, Section } from '../model/report.js';
import { FIXED_LOAD, type LatencyContext, type PointPlan, PRIMARY_COUNTS, latencyParams } from './latency-context.js';
import { type Mg1Result, mg1Job } from './mg1.js';
import { BLOCK_BYTES, IODEPTH, type LatencyPoint, READ_FRACTION, durationFor, latencyScenario } from './latency-scenarios.js';
import { lossSection, policySection, restoreSection } from './latency-sections.js';
import { breakdownSection, cdfSection, loadSection, mg1Check, mg1Section } from './load-sections.js';



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
