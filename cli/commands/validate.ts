// xorsim validate <scenario>: checks a scenario file and explains every problem.
import { withHelp } from '../help.js';
import type { Argv } from 'yargs';
import { formatProblem, parseScenarioText } from '../../sim/scenario/load.js';
import { formatConfig } from '../format-run.js';
import { readText, scenarioFiles } from '../io.js';
import { EXIT_BAD_INPUT, EXIT_CLEAN } from '../usage-error.js';

export function validateCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'validate <scenario..>',
    'check scenario files and explain what is wrong',
    (y) =>
      withHelp(
 y.positional('scenario', { type: 'string', array: true, demandOption: true, describe: 'scenario files, or directories of them' }),
        [['$0 validate scenarios/', 'check every scenario file'], ['$0 validate my.json', 'one file: every problem, each naming its field']],
      ),
    (argv) => {
      let bad = 0;
      for (const file of (argv.scenario as string[]).flatMap(scenarioFiles)) {
        const result = parseScenarioText(file, readText(file));
        if (result.ok) {
          console.log(`${file}: ok — ${formatConfig(result.scenario, 0).replace(/^seed 0 · /, '')}`);
        } else {
          bad++;
          for (const p of result.problems) console.error(formatProblem(p));
        }
      }
      done(bad === 0 ? EXIT_CLEAN : EXIT_BAD_INPUT);
    },
  );
}
