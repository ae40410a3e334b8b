// The reliability report (issue #6 item 4): mean time to data loss
// from Monte Carlo runs of drive failures, restores and unrecoverable read
// errors (monte-carlo.ts) beside the analytic single-parity formula
// MTTF²/(N·(N−1)·MTTR), for several group sizes and restore rates, with
// confidence intervals; and the expected bytes lost per year, which shows
// what the formula leaves out.
import { DEFAULT_HDD_PARAMS } from '../../sim/disk/hdd-params.js';
import { YEAR } from '../../sim/engine/time.js';
import type { PlannedJob, ReportOptions, ReportPlan } from '../model/plan.js';
import type { Report } from '../model/report.js';
import { type GroupModel, type MonteCarloResult, formulaMttdlYears, monteCarloJob, mttrYears } from './monte-carlo.js';
import { type Config, DRIVES_PER_ARRAY, groupModel, reliabilityParams } from './reliability-context.js';
import { reliabilityChecks, reliabilitySections } from './reliability-sections.js';

/** Compresses time so the expected loss falls well inside the µs clock, keeping restores ≥ 0.1 s of virtual time. */
function timeScale(m: GroupModel): number {
  const yearsTarget = 1;
  const mttrUs = mttrYears(m) * 365.25 * 86400e6;
  return Math.max(1, Math.min(formulaMttdlYears(m) / yearsTarget, mttrUs / 1e5));
}

export function planReliability(options: ReportOptions): ReportPlan {
  const p = reliabilityParams(options);
  const configs: Config[] = [];
  for (const unit of ['drive', 'array'] as const) {
    for (const ure of [false, true]) {
      for (const primaries of p.primaryCounts) {
        for (const restoreMBs of p.restoreMBs) {
          configs.push({ id: `${unit}-n${primaries}-${restoreMBs}mbs${ure ? '-ure' : ''}`, primaries, restoreMBs, unit, ure, model: groupModel(primaries, restoreMBs, unit, ure) });
        }
      }
    }
  }
  const jobs: PlannedJob[] = [];
  const index = new Map<string, number[]>();
  for (const c of configs) {
    index.set(c.id, []);
    // Events per trial ≈ 2 per failure, 1/((N−1)·λ·MTTR) failures per loss (far fewer with UREs).
    const perTrial = c.ure ? 20 : 2 / ((c.model.arrays - 1) * -Math.log(1 - c.model.annualFailureRate) * mttrYears(c.model));
    for (const seed of p.seeds) {
      index.get(c.id)!.push(jobs.length);
      jobs.push({ job: monteCarloJob({ model: c.model, trials: p.trialsPerSeed, seed, stream: c.id, timeScale: timeScale(c.model) }), cost: perTrial * p.trialsPerSeed * 0.2 });
    }
  }
  return {
    jobs,
    build: (results) => {
      const of = (c: Config) => index.get(c.id)!.map((i) => results[i] as MonteCarloResult);
      const ctx = { params: p, configs, of };
      return {
        name: 'reliability',
        title: 'xorsim reliability report',
        intro: [
          `How long a cross-array parity group keeps all its data, and how much it loses per year, from Monte Carlo runs of drive failures, restores and unrecoverable read errors on the simulator's engine (seeded: the same seeds give the same numbers), beside the classic single-parity formula. ${p.trialsPerSeed * p.seeds.length} trials per configuration (${p.seeds.length} seed${p.seeds.length > 1 ? 's' : ''} × ${p.trialsPerSeed}); intervals are 95 % unless stated.`,
          `Every configuration: N primaries and one parity array of ${DRIVES_PER_ARRAY} drives each, ${DEFAULT_HDD_PARAMS.capacityBytes / 1e12} TB per drive, annual failure rate ${DEFAULT_HDD_PARAMS.annualFailureRate * 100} % (Backblaze fleet figures), unrecoverable read errors 1 per 10^${Math.round(-Math.log10(DEFAULT_HDD_PARAMS.unrecoverableBitErrorRate))} bits read (nearline datasheets), ${DEFAULT_HDD_PARAMS.sectorBytes}-byte sectors; the drive model's defaults (sim/disk/hdd-params.ts). Restore rates: ${p.restoreMBs.join(', ')} MB/s per restore (the capacity report measures what the product's restore reaches).`,
        ],
        sections: reliabilitySections(ctx),
        checks: reliabilityChecks(ctx),
        scenarios: {},
        runs: configs.flatMap((c) => of(c).map((r) => ({ id: `${c.id} · ${r.trials} trials`, seed: r.seed, verdict: '—', expected: '—', traceHash: '', events: r.events, simTimeUs: r.sumCycleYears * YEAR }))),
        runsNote: 'The Monte Carlo batches behind every number: configuration, seed and trials (no invariant checks run here, hence no verdict); simulated time is real-equivalent (after undoing the time compression). The report command above repeats them: the same seeds give the same numbers.',
        parameters: { quick: p.quick, seeds: p.seeds, trialsPerSeed: p.trialsPerSeed, primaryCounts: p.primaryCounts, restoreMBs: p.restoreMBs, configs: Object.fromEntries(configs.map((c) => [c.id, { ...c.model, timeScale: timeScale(c.model) }])) },
      } satisfies Report;
    },
  };
}
