// xorsim report <latency|capacity|reliability|all> [--out DIR] [--quick] [--seeds N] [--workers W]
//
// Argument checking only: the work (and the chart libraries) load once a
// report is asked for (run-reports.ts), so other commands start as fast as
// before. Bad input exits 2 before anything is simulated or written.
import type { Argv } from 'yargs';
import { UsageError } from '../usage-error.js';
import { REPORT_NAMES, type ReportName } from '../../reports/model/report.js';

/** A positive integer flag, at most `max`. */
export function parseCount(flag: string, value: unknown, max: number): number {
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new UsageError(`${flag}: expected a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  return Number(text);
}

export function parseWhich(value: unknown): ReportName[] {
  if (value === 'all') return [...REPORT_NAMES];
  if (REPORT_NAMES.includes(value as ReportName)) return [value as ReportName];
  throw new UsageError(`report: unknown report ${JSON.stringify(value)} (expected ${REPORT_NAMES.join(', ')} or all)`);
}

export function reportCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'report <which>',
    'latency, capacity and reliability reports: charts (PNG), Markdown/HTML, data (JSON/CSV)',
    (y) =>
      y
        .positional('which', { type: 'string', demandOption: true, describe: `${REPORT_NAMES.join(' | ')} | all` })
        .option('out', { type: 'string', default: 'xorsim-report', describe: 'output directory (DIR/<report>/ is replaced)' })
        .option('quick', { type: 'boolean', default: false, describe: 'about a minute on 2 cores: fewer points, seeds and trials' })
        .option('seeds', { type: 'string', describe: 'seeds per simulated point (default 1 with --quick, else 3)' })
        .option('workers', { type: 'string', describe: 'worker threads (default: every core)' })
        .option('progress', { type: 'boolean', default: true, describe: 'progress bar on stderr (--no-progress: none)' }),
    async (argv) => {
      const names = parseWhich(argv.which);
      const seeds = argv.seeds === undefined ? (argv.quick ? 1 : 3) : parseCount('--seeds', argv.seeds, 100);
      const workers = argv.workers === undefined ? undefined : parseCount('--workers', argv.workers, 256);
      const { runReports } = await import('../report/run-reports.js');
      done(await runReports({ names, which: String(argv.which), out: argv.out, quick: argv.quick, seeds, seedsGiven: argv.seeds !== undefined, workers, progress: argv.progress }));
    },
  );
}
