// xorsim replay <scenario> --seed N [--protocol P] [--swarm] [--quick] [--controllers F] [--jsonl F] [--perfetto F] [--array A] [--block K] [--events N] [--json]
//
// The same run as `run` (same traceHash; the same --protocol, --swarm and
// --quick, so any replay command explore or run prints works), with its trace: written as JSON lines
// and as a Chrome/Perfetto timeline, restricted by --array/--block, and on a
// violation the last --events records that touched the broken block.
import { withHelp } from '../help.js';
import type { Argv } from 'yargs';
import type { TraceRecord } from '../../sim/engine/trace.js';
import { toChromeTrace } from '../../sim/replay/perfetto.js';
import { type RecordFilter, formatRecord, lastAbout } from '../../sim/replay/records.js';
import { replay } from '../../sim/replay/replay.js';
import { shellWord } from '../../sim/scenario/prepare/replay-command.js';
import type { RunReport } from '../../sim/runner/run-report.js';
import type { ResolvedScenario } from '../../sim/scenario/resolve.js';
import { loadControllersFlag } from '../controllers-flag.js';
import { formatConfig, formatRun } from '../format-run.js';
import { prepareSeedRun, seedRunOptions } from '../seed-run.js';
import { writeTextAtomic } from '../io.js';
import { intOption, intOptionOr } from '../flags.js';
import { EXIT_CLEAN, EXIT_VIOLATION, UsageError } from '../usage-error.js';

export function replayCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'replay <scenario>',
    'run one seed again, event for event, and show or write its trace (JSONL, Perfetto timeline)',
    (y) =>
      withHelp(

      seedRunOptions(y)
        .option('jsonl', { type: 'string', describe: 'write the trace records as JSON lines to this file' })
        .option('perfetto', { type: 'string', describe: 'write a Chrome/Perfetto timeline (trace-event JSON) to this file: open it in https://ui.perfetto.dev' })
        .option('array', { type: 'string', describe: 'only records about this array (its I/O, host, drives, messages to and from it)' })
        .option('block', intOption('block', 'only records about this block number', { min: 0 }))
        .option('events', intOptionOr('events', 'how many of the last matching events to print', { min: 0 }, 40))
        .option('json', { type: 'boolean', default: false, describe: 'print the run summary as one JSON object' }),
        [['$0 replay scenarios/quickstart.json --seed 1 --protocol literal', 'the failing run again, with the events around its violation'], ['$0 replay scenarios/quickstart.json --seed 1 --perfetto t.json', 'a timeline for ui.perfetto.dev'], ['$0 replay scenarios/quickstart.json --seed 1 --block 762 --jsonl b.jsonl', 'every record about one block']],
      ),
    async (argv) => {
      const controllers = await loadControllersFlag(argv.controllers);
      const prepared = prepareSeedRun(argv, argv.json, 'replayed');
      const seed = prepared.seed;
      const scenario = prepared.scenario;
      const filter = parseFilter(scenario, argv.array, argv.block);
      const limit = argv.events;
      if (!argv.json) console.log(formatConfig(scenario, seed, argv.controllers));
      const replayed = await replay(scenario, { seed, file: argv.scenario, replay: prepared.replay, filter, controllers });
      const report = { ...replayed.report, ...(argv.swarm ? { swarm: prepared.swarm } : {}) };
      const records = replayed.records;
      const shown = withRecent(report, records, limit);
      const notes: string[] = [];
      if (argv.jsonl !== undefined) {
        writeTextAtomic(argv.jsonl, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
        notes.push(`  wrote ${argv.jsonl}: ${records.length.toLocaleString('en-US')} trace records (JSON lines)`);
      }
      if (argv.perfetto !== undefined) {
        const trace = toChromeTrace(records, scenario, { scenario: scenario.name, seed, protocol: scenario.protocol, traceHash: report.traceHash, replay: report.replay });
        writeTextAtomic(argv.perfetto, JSON.stringify(trace));
        const slices = trace.traceEvents.filter((e) => e.ph === 'X').length;
        const tracks = trace.traceEvents.filter((e) => e.name === 'thread_name').length;
        notes.push(`  wrote ${argv.perfetto}: ${slices.toLocaleString('en-US')} slices on ${tracks} tracks — open it in https://ui.perfetto.dev`);
      }
      if (argv.json) {
        console.log(JSON.stringify(shown));
      } else {
        console.log(formatRun(shown));
        const about = describeFilter(filter);
        if (report.violations.every((v) => v.block === null) && about !== '') {
          const last = records.slice(-limit);
          console.log(['', `  last ${last.length} events ${about}:`, ...last.map((r) => `    ${formatRecord(r)}`)].join('\n'));
        }
        if (report.verdict !== 'pass') console.log(hints(argv.scenario, seed, scenario, report, argv.perfetto === undefined, !argv.swarm && !argv.quick, argv.controllers));
        if (notes.length > 0) console.log(['', ...notes].join('\n'));
      }
      done(report.verdict === 'pass' ? EXIT_CLEAN : EXIT_VIOLATION);
    },
  );
}

function parseFilter(scenario: ResolvedScenario, array: string | undefined, k: number | undefined): RecordFilter {
  const names = [...scenario.primaries.map((p) => p.name), scenario.parity.name];
  if (array !== undefined && !names.includes(array)) throw new UsageError(`--array: no array named ${JSON.stringify(array)} (arrays: ${names.join(', ')})`);
  if (k !== undefined && k >= scenario.parity.blocks) throw new UsageError(`--block: ${k} is beyond the arrays (blocks 0…${scenario.parity.blocks - 1})`);
  return { ...(array !== undefined && { array }), ...(k !== undefined && { block: k }) };
}

function describeFilter(f: RecordFilter): string {
  return [f.array === undefined ? '' : `of ${f.array}`, f.block === undefined ? '' : `touching block ${f.block}`].filter((s) => s !== '').join(' ');
}

/** The report with each violation's recent events taken from the whole trace (the run's ring keeps only 12). */
function withRecent(report: RunReport, records: readonly TraceRecord[], limit: number): RunReport {
  const violations = report.violations.map((v) => (v.block === null ? v : { ...v, recent: lastAbout(records, v.block, limit).map(formatRecord) }));
  return { ...report, violations };
}

/** What to do next with a failing run: see it as a timeline, shrink it. */
function hints(file: string, seed: number, scenario: ResolvedScenario, report: RunReport, timeline: boolean, asWritten: boolean, controllers: string | undefined): string {
  const base = `${scenario.name}-seed${seed}`;
  const lines: string[] = [];
  if (timeline) lines.push(`  timeline: ${report.replay} --perfetto ${base}.perfetto.json`);
  // shrink cuts the scenario as written (a swarm draw or quick cut is not a file to cut).
  const mine = controllers !== undefined ? ` --controllers ${shellWord(controllers)}` : '';
  if (asWritten) lines.push(`  shrink: npx xorsim shrink ${shellWord(file)} --seed ${seed} --protocol ${scenario.protocol}${mine} --out ${base}.shrunk.json`);
  return lines.join('\n');
}
