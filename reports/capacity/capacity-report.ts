// The capacity report (issue #6 item 3): usable vs raw capacity as
// N grows; the aggregate write rate at which the parity array saturates and
// how many parity drives keep up; restore and parity-rebuild durations vs
// array capacity and link bandwidth under host load, with the restore checked
// against capacity ÷ bottleneck bandwidth; network bytes per host write.
import { type RunPointResult, runPointJob } from '../jobs/run-point.js';
import { seedsText } from '../model/format.js';
import { type PlannedJob, type ReportOptions, type ReportPlan, resolveInput } from '../model/plan.js';
import type { Report, RunRecord } from '../model/report.js';
import { RESTORE_BLOCK, type RepairPoint, repairScenario, saturationScenario } from './capacity-scenarios.js';
import { type CapacityContext, capacityParams } from './capacity-context.js';
import { bytesSection, capacitySection, repairChecks, repairSection, saturationSection, smallRestore } from './capacity-sections.js';
import { REAL_SCALE_ID, realScalePoint, realScaleSection } from './real-scale-section.js';

/** Load time long enough for the repair to finish under it (a guess from its slowest plausible rate). */
function repairLoadS(p: Omit<RepairPoint, 'durationS'>): number {
  const rate = Math.min(p.bandwidthMBs * 1e6, (p.what === 'restore' ? 150 : 60) * 1e6);
  return Math.ceil(1.1 + (1.5 * p.capacity) / rate + 2);
}

export function planCapacity(options: ReportOptions): ReportPlan {
  const p = capacityParams(options);
  const jobs: PlannedJob[] = [];
  const index = new Map<string, number[]>();
  const inputs: Record<string, Record<string, unknown>> = {};
  const add = (id: string, input: Record<string, unknown>, cost: number) => {
    const scenario = resolveInput(input);
    inputs[id] = input;
    index.set(id, []);
    for (const seed of p.seeds) {
      index.get(id)!.push(jobs.length);
      jobs.push({ job: runPointJob({ id, scenario, seed }), cost });
    }
  };
  const satId = (n: number, dp: number) => `saturate-n${n}-parity${dp}`;
  for (const n of p.primaryCounts) for (const dp of p.parityDrives) add(satId(n, dp), saturationScenario(satId(n, dp), n, dp, p.saturationS), n * 2048 * 6 + p.saturationS * 400 * 20);
  const repairId = (r: Pick<RepairPoint, 'what' | 'capacity' | 'bandwidthMBs' | 'hostRate'>) => `${r.what}-${r.capacity / RESTORE_BLOCK}mib-${r.bandwidthMBs}mbs${r.hostRate === 0 ? '-idle' : ''}`;
  const repairs = new Map<string, RepairPoint>();
  const addRepair = (r: Omit<RepairPoint, 'durationS'>, id = repairId(r)) => {
    const point = { ...r, durationS: repairLoadS(r) };
    repairs.set(id, point);
    add(id, repairScenario(id, point), (r.capacity / RESTORE_BLOCK) * 50 * (r.what === 'rebuild' ? 2 : 1));
  };
  for (const what of ['restore', 'rebuild'] as const) {
    for (const capacity of p.capacities) for (const bandwidthMBs of p.bandwidthsMBs) addRepair({ what, capacity, bandwidthMBs, hostRate: 5 });
  }
  for (const capacity of p.checkCapacities) addRepair({ what: 'restore', capacity, bandwidthMBs: p.checkBandwidthMBs, hostRate: 0 });
  // The default 5 ms initial retransmission timeout with 1 MiB blocks on 1 GbE: the timer must adapt to the long round trips.
  const shortTimerId = `restore-${p.shortTimerCapacity / RESTORE_BLOCK}mib-125mbs-rt5ms`;
  addRepair({ what: 'restore', capacity: p.shortTimerCapacity, bandwidthMBs: 125, hostRate: 5, retransmit: '5ms', settle: p.shortTimerSettle }, shortTimerId);
  // One seed only: the run costs about half an hour of CPU.
  // Written beside the report as scenarios/real-scale.json, where the shipped file's $schema path does not lead.
  const realInput = options.realScale === undefined ? undefined : Object.fromEntries(Object.entries(options.realScale).filter(([k]) => k !== '$schema'));
  const real = realInput === undefined ? undefined : { input: realInput, scenario: resolveInput(realInput), job: jobs.length };
  if (real !== undefined) {
    inputs[REAL_SCALE_ID] = real.input;
    jobs.push({ job: runPointJob({ id: REAL_SCALE_ID, scenario: real.scenario, seed: p.seeds[0]! }), cost: real.scenario.primaries.reduce((s, a) => s + a.blocks, 0) * 40 });
  }
  return {
    jobs,
    build: (results) => {
      const of = (id: string) => index.get(id)!.map((i) => results[i] as RunPointResult);
      const ctx: CapacityContext = { params: p, of, satId, repairId, repairs, shortTimerId };
      const realRun = real === undefined ? undefined : (results[real.job] as RunPointResult);
      const record = (id: string, r: RunPointResult): RunRecord => ({ id, seed: r.seed, verdict: r.verdict, traceHash: r.traceHash, events: r.events, simTimeUs: r.simTimeUs });
      const runs: RunRecord[] = [...index.keys()].flatMap((id) => of(id).map((r) => record(id, r))).concat(realRun === undefined ? [] : [record(REAL_SCALE_ID, realRun)]);
      const unexpected = runs.filter((r) => r.verdict !== (r.expected ?? 'pass'));
      return {
        name: 'capacity',
        title: 'xorsim capacity report',
        intro: [
          `What a cross-array XOR parity group holds and sustains: capacity, the write rate at which the parity array saturates, how long restores and parity rebuilds take, and what a write costs on the network. From ${runs.length} runs of the real controllers on simulated 7200 rpm drives (${seedsText(p.seeds)} per point); each point's scenario is in \`scenarios/\` beside this report, and \`npx xorsim run scenarios/<id>.json --seed <seed>\` repeats it event for event.`,
          unexpected.length === 0 ? `Every run passed every check (parity, durability, honesty, liveness).` : `**${unexpected.length} run(s) ended unexpectedly**: ${unexpected.map((r) => `${r.id} seed ${r.seed} (${r.verdict})`).join(', ')}.`,
        ],
        sections: [capacitySection(), saturationSection(ctx), repairSection(ctx), ...(realRun === undefined ? [] : [realScaleSection(realScalePoint(real!.input, real!.scenario), realRun, smallRestore(ctx))]), bytesSection(ctx)],
        checks: repairChecks(ctx),
        scenarios: inputs,
        runs,
        runsNote: 'Every simulated number above comes from these runs. Repeat one with `npx xorsim run scenarios/<id>.json --seed <seed>` from this directory: the same seed gives the same traceHash.',
        parameters: { quick: p.quick, seeds: p.seeds, primaryCounts: p.primaryCounts, parityDrives: p.parityDrives, saturationSeconds: p.saturationS, repairCapacitiesBytes: p.capacities, linkBandwidthsMBs: p.bandwidthsMBs },
      } satisfies Report;
    },
  };
}
