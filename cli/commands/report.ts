// xorsim report <latency|capacity|reliability|all> [--out DIR] [--quick] [--seeds N] [--workers W]
//
// Argument checking only: the work (and the chart libraries) load once a
// report is asked for (run-reports.ts), so other commands start as fast as
// before. Bad input exits 2 before anything is simulated or written.
import { withHelp } from '../help.js';
import type { Argv } from 'yargs';
import { intOption } from '../flags.js';
import { UsageError } from '../usage-error.js';
import { REPORT_NAMES, type ReportName } from '../../reports/model/report.js';

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
      withHelp(

      y
        .positional('which', { type: 'string', demandOption: true, describe: `${REPORT_NAMES.join(' | ')} | all` })
        .option('out', { type: 'string', default: 'xorsim-report', describe: 'output directory (DIR/<report>/ is replaced)' })
        .option('quick', { type: 'boolean', default: false, describe: 'about a minute on 2 cores: fewer points, seeds and trials' })
        .option('seeds', intOption('seeds', 'seeds per simulated point (default 1 with --quick, else 3)', { min: 1, max: 100 }))
        .option('workers', intOption('workers', 'worker threads (default: every core)', { min: 1, max: 256 }))
        .option('progress', { type: 'boolean', default: true, describe: 'progress bar on stderr (--no-progress: none)' })
        .option('real-scale', { type: 'boolean', default: false, describe: 'capacity: also restore at real size (scenarios/large/real-scale.json, seed 1: about half an hour of CPU and several GB)' }),
        [['$0 report all --quick', 'every report in about a minute'], ['$0 report latency --seeds 5 --out docs/reports', 'one report, more seeds per point'], ['$0 report capacity --real-scale', 'with a restore of a 16 TiB primary']],
      ),
    async (argv) => {
      const names = parseWhich(argv.which);
      if (argv.realScale && !names.includes('capacity')) throw new UsageError('report: --real-scale belongs to the capacity report (report capacity or report all)');
      const seeds = argv.seeds ?? (argv.quick ? 1 : 3);
      const workers = argv.workers;
      const { runReports } = await import('../run-reports.js');
      done(await runReports({ names, which: String(argv.which), out: argv.out, quick: argv.quick, seeds, seedsGiven: argv.seeds !== undefined, workers, progress: argv.progress, realScale: argv.realScale }));
    },
  );
}
