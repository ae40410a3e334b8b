// xorsim shrink <scenario> --seed N [--protocol P] [--controllers F] --out F [--tries T]
//
// Minimises a failing run into a smaller scenario file that still fails on its
// own, and says how much it shrank and how to run it.
import { withHelp } from '../help.js';
import { dirname, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { PROTOCOL_VARIANTS, type ProtocolVariant } from '../../src/protocol/variant.js';
import { formatTime } from '../../sim/engine/time.js';
import { shellWord } from '../../sim/scenario/prepare/replay-command.js';
import { parseScenarioValue } from '../../sim/scenario/load.js';
import type { ResolvedScenario } from '../../sim/scenario/resolve.js';
import type { Json } from '../../sim/shrink/candidates.js';
import { shrink } from '../../sim/shrink/shrink.js';
import type { Outcome } from '../../sim/shrink/attempt.js';
import { wallNowMs } from '../../sim/wall-clock.js';
import { readText, writeTextAtomic } from '../io.js';
import { controllersOption, loadControllersFlag } from '../controllers-flag.js';
import { intOption, intOptionOr } from '../flags.js';
import { loadScenarioFile } from '../scenario-file.js';
import { EXIT_CLEAN, UsageError } from '../usage-error.js';

export function shrinkCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'shrink <scenario>',
    'minimise a failing run into a smaller scenario file that still fails',
    (y) =>
      withHelp(

      y
        .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (JSON)' })
        .option('seed', { ...intOption('seed', 'the failing seed', { min: 0 }), demandOption: true })
        .option('protocol', { choices: PROTOCOL_VARIANTS, describe: "protocol variant (default: the scenario's, else hardened)" })
        .option('controllers', controllersOption)
        .option('out', { type: 'string', demandOption: true, describe: 'write the shrunk scenario to this file' })
        .option('tries', intOptionOr('tries', 'seeds tried per candidate scenario', { min: 1 }, 4)),
        [
          ['$0 shrink scenarios/quickstart.json --seed 1 --protocol literal --out small.json', 'a smaller scenario that fails the same way'],
          ['$0 shrink scenarios/lossy-network.json --seed 1 --controllers examples/claims-controllers.ts --out small.json', 'the same for your own controllers'],
        ],
      ),
    async (argv) => {
      const seed = argv.seed;
      const tries = argv.tries;
      const module = await loadControllersFlag(argv.controllers);
      const controllers = module !== undefined ? { file: argv.controllers!, module } : undefined;
      const mine = controllers !== undefined ? ` --controllers ${shellWord(controllers.file)}` : '';
      const loaded = loadScenarioFile(argv.scenario); // validates, with the usual one-line messages
      const protocol = (argv.protocol ?? loaded.protocol) as ProtocolVariant;
      const json = JSON.parse(readText(argv.scenario)) as Json;
      const startedMs = wallNowMs();
      const result = await shrink(json, {
        file: argv.scenario,
        seed,
        protocol,
        tries,
        ...(controllers !== undefined ? { controllers } : {}),
        onOriginal: (o) =>
          console.log(`shrink: ${argv.scenario} seed ${seed} (${controllers !== undefined ? `controllers ${controllers.file}, ` : ''}${protocol}) fails: ${o.verdict} (${o.kind} violation) after ${o.hostOps.toLocaleString('en-US')} host ops; cutting, ${tries} seed${tries === 1 ? '' : 's'} per candidate`),
        onStep: (s) => console.log(`  kept   ${s.what}  (seed ${s.outcome.seed} fails after ${s.outcome.hostOps.toLocaleString('en-US')} host ops)`),
      });
      if (!result.failing) throw new UsageError(`${argv.scenario}: seed ${seed} passes under ${controllers !== undefined ? `controllers ${controllers.file}, ` : ''}${protocol}: nothing to shrink`);
      // The original's $schema, pointed at from where the output lands (editors complete and check it).
      const schema = typeof json['$schema'] === 'string' ? relative(dirname(resolve(argv.out)), resolve(dirname(argv.scenario), json['$schema'])) : undefined;
      const out: Json = schema === undefined ? result.scenario : { $schema: schema, ...result.scenario };
      const text = `${JSON.stringify(out, null, 2)}\n`;
      const check = parseScenarioValue(argv.out, JSON.parse(text));
      if (!check.ok) throw new Error(`shrink produced an invalid scenario: ${check.problems[0]!.path}: ${check.problems[0]!.message}`);
      writeTextAtomic(argv.out, text);
      const wallS = ((wallNowMs() - startedMs) / 1000).toFixed(1);
      console.log('', table(loaded, result.original, check.scenario, result.outcome));
      console.log(`\n  ${result.steps.length} cuts kept, ${result.candidatesTried} candidate scenarios tried (${result.runs} runs, ${wallS} s)`);
      console.log(`  wrote ${argv.out}: fails with seed ${result.outcome.seed} (${result.outcome.verdict}: ${result.outcome.kind} violation)`);
      console.log(`  run it: npx xorsim run ${shellWord(argv.out)} --seed ${result.outcome.seed}${mine}`);
      console.log(`  replay: npx xorsim replay ${shellWord(argv.out)} --seed ${result.outcome.seed}${mine} --perfetto ${shellWord(`${check.scenario.name}-seed${result.outcome.seed}.perfetto.json`)}`);
      done(EXIT_CLEAN);
    },
  );
}

/** Original against shrunk: the size of the system, of the load, and of the failing run. */
function table(a: ResolvedScenario, ra: Outcome, b: ResolvedScenario, rb: Outcome): string {
  const faults = (s: ResolvedScenario) => {
    const crash = s.faults.random.controllerCrash;
    const n = s.faults.schedule.length;
    return `${n} scheduled${crash !== undefined && crash.rate !== Infinity ? ', random crashes' : ''}${s.network.model === 'lossy' ? ', lossy network' : ''}`;
  };
  const blocks = (s: ResolvedScenario) => [...new Set(s.primaries.map((p) => p.blocks))].join('/');
  const rows: [string, string, string][] = [
    ['', 'original', 'shrunk'],
    ['primaries', String(a.primaries.length), String(b.primaries.length)],
    ['blocks', blocks(a), blocks(b)],
    ['load', formatTime(a.workload.duration), formatTime(b.workload.duration)],
    ['iodepth', String(a.workload.iodepth), String(b.workload.iodepth)],
    ['faults', faults(a), faults(b)],
    ['seed', String(ra.seed), String(rb.seed)],
    ['host ops', `${ra.hostOps.toLocaleString('en-US')}`, `${rb.hostOps.toLocaleString('en-US')} (${percent(rb.hostOps, ra.hostOps)} of the original)`],
    ['fails at', formatTime(ra.simTimeUs), formatTime(rb.simTimeUs)],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([k, x, y]) => `  ${k.padEnd(w0)}  ${x.padEnd(w1)}  ${y}`.trimEnd()).join('\n');
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(part * 1000 < whole ? 2 : 1)}%`;
}
