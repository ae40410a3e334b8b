// xorsim run <scenario> --seed N [--protocol literal|hardened] [--swarm] [--quick] [--controllers F] [--json] [--trace F] [--dump-images DIR]
import { withHelp } from '../help.js';
import type { Argv } from 'yargs';
import { runScenario } from '../../sim/runner/run-scenario.js';
import { loadControllersFlag } from '../controllers-flag.js';
import { formatConfig, formatRun } from '../format-run.js';
import { prepareSeedRun, seedRunOptions } from '../seed-run.js';
import type { Images } from '../../sim/runner/images.js';
import { LineFile, writeDirAtomic } from '../io.js';
import { EXIT_CLEAN, EXIT_VIOLATION } from '../usage-error.js';

export function runCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'run <scenario>',
    'run one scenario with one seed and check every invariant',
    (y) =>
      withHelp(

      seedRunOptions(y)
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON summary object' })
        .option('trace', { type: 'string', describe: 'write every trace record to this JSONL file' })
        .option('dump-images', { type: 'string', describe: 'write every array\'s logical image and manifest.json to this directory' }),
        [['$0 run scenarios/quickstart.json --seed 1', 'one run with every check'], ['$0 run scenarios/quickstart.json --seed 1 --protocol literal', 'the claims as written (fails)'], ['$0 run scenarios/parity-rebuild.json --seed 10 --swarm --json', 'a swarm seed of explore, as one JSON object'], ['$0 run scenarios/quickstart.json --seed 1 --controllers examples/claims-controllers.ts', 'your own controllers, judged by the same checks']],
      ),
    async (argv) => {
      const controllers = await loadControllersFlag(argv.controllers);
      const prepared = prepareSeedRun(argv, argv.json, 'run');
      const seed = prepared.seed;
      const scenario = prepared.scenario;
      const trace = argv.trace === undefined ? undefined : new LineFile(argv.trace);
      if (!argv.json) console.log(formatConfig(scenario, seed, argv.controllers));
      let images: Images | undefined;
      const ran = await runScenario(scenario, {
        seed,
        file: argv.scenario,
        replay: prepared.replay,
        ...(controllers !== undefined ? { controllers } : {}),
        ...(trace ? { traceSink: trace.push } : {}),
        ...(argv.dumpImages !== undefined ? { onImages: (i: Images) => void (images = i) } : {}),
      });
      const report = { ...ran, ...(argv.swarm ? { swarm: prepared.swarm } : {}) };
      trace?.close();
      if (argv.dumpImages !== undefined && images !== undefined) {
        const files = new Map<string, Uint8Array | string>(images.files);
        files.set('manifest.json', `${JSON.stringify(images.manifest, null, 2)}\n`);
        writeDirAtomic(argv.dumpImages, files);
      }
      console.log(argv.json ? JSON.stringify(report) : formatRun(report));
      done(report.verdict === 'pass' ? EXIT_CLEAN : EXIT_VIOLATION);
    },
  );
}
