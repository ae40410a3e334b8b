// The work of `xorsim report`: plan every requested report, run all their jobs
// on one worker pool (a progress bar on stderr), build each report from its
// results, render the charts and write DIR/<report>/ (PNG, report.md,
// report.html, data.json, CSV, scenarios/); `all` adds DIR/index.md and
// index.html. Returns 0 when every run passed its checks and every theory
// check agreed, else 1.
import { cpus } from 'node:os';
import { EXIT_CLEAN, EXIT_VIOLATION } from './usage-error.js';
import { defaultWorkers, runJobs } from '../sim/parallel/pool.js';
import { cpuNowMs, wallNowMs } from '../sim/wall-clock.js';
import { checkOutDir, readText, shippedFile, writeDirAtomic, writeTextAtomic } from './io.js';
import type { ReportOptions, ReportPlan } from '../reports/model/plan.js';
import type { Report, ReportName } from '../reports/model/report.js';
import { PLANNERS } from '../reports/plans.js';
import { indexFiles, reportFiles } from '../reports/render/report-files.js';
import { Progress } from './progress.js';

const REAL_SCALE_FILE = 'scenarios/large/real-scale.json';

export interface ReportRequest {
  readonly names: readonly ReportName[];
  /** As typed: a report name or "all". */
  readonly which: string;
  readonly out: string;
  readonly quick: boolean;
  readonly seeds: number;
  readonly seedsGiven: boolean;
  /** Default: every core. */
  readonly workers: number | undefined;
  readonly progress: boolean;
  /** capacity: also run the shipped scenarios/large/real-scale.json. */
  readonly realScale?: boolean;
}

export async function runReports(req: ReportRequest): Promise<number> {
  checkOutDir('--out', req.out);
  const workers = req.workers ?? defaultWorkers();
  const started = wallNowMs();
  const cpuStarted = cpuNowMs();
  const realScale = req.realScale ? (JSON.parse(readText(shippedFile(REAL_SCALE_FILE))) as Record<string, unknown>) : undefined;
  const reports = await buildReports(req.names, { quick: req.quick, seeds: req.seeds, ...(realScale === undefined ? {} : { realScale }) }, workers, req.progress);
  const wallSeconds = (wallNowMs() - started) / 1000;
  const cpuSeconds = (cpuNowMs() - cpuStarted) / 1000;
  const command = ['npx xorsim report', req.which, ...(req.quick ? ['--quick'] : []), ...(req.seedsGiven ? [`--seeds ${req.seeds}`] : []), ...(req.realScale ? ['--real-scale'] : []), `--out ${req.out}`].join(' ');
  const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
  const provenance = { command, machine, wallSeconds, cpuSeconds };
  for (const report of reports) writeDirAtomic(`${req.out}/${report.name}`, await reportFiles(report, provenance));
  if (req.which === 'all') for (const [name, text] of indexFiles(reports, provenance)) writeTextAtomic(`${req.out}/${name}`, text);
  let clean = true;
  for (const r of reports) {
    const failedChecks = r.checks.filter((c) => !c.pass).length;
    const failedRuns = r.runs.filter((x) => x.verdict !== (x.expected ?? 'pass')).length;
    clean &&= failedChecks === 0 && failedRuns === 0;
    console.log(`${r.name.padEnd(11)} ${req.out}/${r.name}/report.html · ${r.sections.reduce((s, x) => s + x.charts.length, 0)} charts · theory checks ${r.checks.length - failedChecks}/${r.checks.length} agree · runs ${r.runs.length - failedRuns}/${r.runs.length} as expected`);
  }
  console.log(`done in ${wallSeconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU (${workers} worker${workers > 1 ? 's' : ''})`);
  return clean ? EXIT_CLEAN : EXIT_VIOLATION;
}

/** Plans the reports, runs every job on one pool, builds the reports. */
export async function buildReports(names: readonly ReportName[], options: ReportOptions, workers: number, progress: boolean): Promise<Report[]> {
  const plans: ReportPlan[] = names.map((name) => PLANNERS[name](options));
  const all = plans.flatMap((plan, p) => plan.jobs.map((job, j) => ({ ...job, p, j })));
  // Heaviest first: long runs start early and short ones fill the gaps.
  const order = all.map((_, i) => i).sort((a, b) => all[b]!.cost - all[a]!.cost || a - b);
  // Progress is weighted by each job's estimated cost, so the ETA means something when a few long runs sit among many short ones.
  const bar = new Progress(progress);
  const label = `report ${names.join(', ')}`;
  const totalCost = all.reduce((s, j) => s + j.cost, 0);
  let finished = 0;
  let cost = 0;
  bar.show(label, 0, totalCost, `0/${all.length} runs`);
  let results: unknown[];
  try {
    results = await runJobs(order.map((i) => all[i]!.job), {
      workers,
      onResult: (k) => {
        cost += all[order[k]!]!.cost;
        bar.show(label, cost, totalCost, `${++finished}/${all.length} runs`);
      },
    });
  } finally {
    bar.stop();
  }
  const byPlan = plans.map((plan) => new Array<unknown>(plan.jobs.length));
  order.forEach((i, k) => (byPlan[all[i]!.p]![all[i]!.j] = results[k]));
  return plans.map((plan, p) => plan.build(byPlan[p]!));
}

