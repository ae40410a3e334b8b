// xorsim run <scenario> --seed N [--protocol literal|hardened] [--json] [--trace F]
import type { Argv } from 'yargs';
import { PROTOCOL_VARIANTS, type ProtocolVariant } from '../../../src/protocol/variant.js';
import { runScenario } from '../../runner/run-scenario.js';
import { formatConfig, formatRun } from '../format-run.js';
import { LineFile } from '../io.js';
import { loadScenarioFile, parseSeed } from '../scenario-file.js';
import { EXIT_CLEAN, EXIT_VIOLATION } from '../usage-error.js';

export function runCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'run <scenario>',
    'run one scenario with one seed and check every invariant',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (JSON)' })
        .option('seed', { type: 'string', demandOption: true, describe: 'PRNG seed (non-negative integer)' })
        .option('protocol', { choices: PROTOCOL_VARIANTS, describe: "protocol variant (default: the scenario's, else hardened)" })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON summary object' })
        .option('trace', { type: 'string', describe: 'write every trace record to this JSONL file' }),
    async (argv) => {
      const seed = parseSeed(argv.seed);
      const loaded = loadScenarioFile(argv.scenario);
      const scenario = argv.protocol === undefined ? loaded : { ...loaded, protocol: argv.protocol as ProtocolVariant };
      const trace = argv.trace === undefined ? undefined : new LineFile(argv.trace);
      if (!argv.json) console.log(formatConfig(scenario, seed));
      const report = await runScenario(scenario, { seed, file: argv.scenario, ...(trace ? { traceSink: trace.push } : {}) });
      trace?.close();
      console.log(argv.json ? JSON.stringify(report) : formatRun(report));
      done(report.verdict === 'pass' ? EXIT_CLEAN : EXIT_VIOLATION);
    },
  );
}
