// xorsim selftest [--bug NAME…] [--scenario F] [--seeds N] [--workers W] [--json]:
// plants each known bug in the hardened controllers, alone, and hunts it; exit
// 1 if any survives. The only command that can switch a planted bug on.
import { withHelp } from '../help.js';
import type { Argv } from 'yargs';
import { PLANTED_BUGS, type PlantedBug } from '../../src/protocol/planted-bugs.js';
import { defaultWorkers } from '../../sim/parallel/pool.js';
import { formatSelftest } from '../../sim/selftest/format.js';
import { HUNTS } from '../../sim/selftest/hunts.js';
import { selftest } from '../../sim/selftest/selftest.js';
import { wallNowMs } from '../../sim/wall-clock.js';
import { intOption, intOptionOr } from '../flags.js';
import { loadScenarioFile } from '../scenario-file.js';
import { EXIT_CLEAN, EXIT_VIOLATION } from '../usage-error.js';

export function selftestCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'selftest',
    'plant each known bug in the controllers, one at a time, and show the checker catches it',
    (y) =>
      withHelp(

      y
        .option('bug', { type: 'string', array: true, choices: PLANTED_BUGS, describe: 'hunt only these planted bugs (default: all)' })
        .option('scenario', { type: 'string', describe: "hunt every bug in this scenario file instead of each bug's own (does my scenario catch them?)" })
        .option('seeds', intOptionOr('seeds', 'seeds tried per bug at most', { min: 1 }, 20))
        .option('workers', intOption('workers', `worker threads (default: every core, ${defaultWorkers()} here)`, { min: 1 }))
        .option('json', { type: 'boolean', default: false, describe: 'print the results as one JSON object' }),
        [['$0 selftest', 'hunt every planted bug in its own scenario'], ['$0 selftest --scenario my.json --seeds 50', 'does my scenario catch them?']],
      ),
    async (argv) => {
      const maxSeeds = argv.seeds;
      const workers = argv.workers ?? defaultWorkers();
      const only = new Set((argv.bug ?? []) as PlantedBug[]);
      const hunts = HUNTS.filter((h) => only.size === 0 || only.has(h.bug)).map((h) => ({ bug: h.bug, file: argv.scenario ?? h.scenario }));
      const targets = hunts.map((h) => ({ ...h, scenario: loadScenarioFile(h.file) }));
      const startedMs = wallNowMs();
      if (!argv.json) console.log(`selftest: ${targets.length} planted bug${targets.length === 1 ? '' : 's'}, each alone in the hardened controllers, hunted over seeds 1…${maxSeeds} (${workers} worker${workers === 1 ? '' : 's'})\n`);
      const results = await selftest(targets, { maxSeeds, workers });
      const wallMs = Math.round(wallNowMs() - startedMs);
      const survived = results.filter((r) => !r.caught).length;
      if (argv.json) console.log(JSON.stringify({ maxSeeds, workers, wallMs, results }));
      else console.log(`${formatSelftest(results, maxSeeds)} (${(wallMs / 1000).toFixed(1)} s)`);
      done(survived === 0 ? EXIT_CLEAN : EXIT_VIOLATION);
    },
  );
}
