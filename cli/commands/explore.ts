// xorsim explore <scenario…> [--seeds N] [--from S] [--workers W] [--shard i/n] [--time-budget T]
//                [--swarm] [--quick] [--protocol P] [--controllers F] [--recheck F] [--out F]
// xorsim explore --generate [--budget recoverable|unlimited] [--batch B] [--save-failures DIR] [the same seed options]
import { withHelp } from '../help.js';
import type { Argv } from 'yargs';
import { PROTOCOL_VARIANTS, type ProtocolVariant } from '../../src/protocol/variant.js';
import { type ExploreTarget, explore } from '../../sim/explore/explore.js';
import { exploreGenerated } from '../../sim/explore/generated.js';
import type { ExploreProgress } from '../../sim/explore/explore.js';
import type { Exploration } from '../../sim/explore/result.js';
import { DEFAULT_BATCH } from '../../sim/generate/steering.js';
import { shellWord } from '../../sim/scenario/prepare/replay-command.js';
import { formatExploration } from '../../sim/explore/format.js';
import { clean } from '../../sim/explore/result.js';
import { defaultWorkers } from '../../sim/parallel/pool.js';
import { checkWritable, scenarioFiles, writeTextAtomic } from '../io.js';
import { Progress } from '../progress.js';
import { controllersOption, loadControllersFlag } from '../controllers-flag.js';
import { intOption, intOptionOr, parseShardFlag, parseShare, parseWallTime } from '../flags.js';
import { loadScenarioFile } from '../scenario-file.js';
import { EXIT_CLEAN, EXIT_VIOLATION, UsageError } from '../usage-error.js';

export function exploreCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'explore [scenario..]',
    'run many seeds of scenarios (or of generated worlds) on worker threads, check determinism, summarise',
    (y) =>
      withHelp(

      y
        .positional('scenario', { type: 'string', array: true, describe: 'scenario files, or directories of them (e.g. scenarios/); none with --generate' })
        .option('generate', { type: 'boolean', default: false, describe: 'each seed draws a whole world (topology, hardware, network, load, faults of every family) instead of running scenario files' })
        .option('budget', { choices: ['recoverable', 'unlimited'] as const, describe: 'with --generate: the fault budget of the worlds (default recoverable: every seed must fully recover)' })
        .option('batch', { ...intOption('batch', '', { min: 1 }), describe: `with --generate: seeds per steering batch (default ${DEFAULT_BATCH}); each batch aims at the coverage cells earlier ones reached least` })
        .option('save-failures', { type: 'string', describe: 'with --generate: write each failing world here as a scenario file (default generated-failures/)' })
        .option('seeds', intOptionOr('seeds', 'how many seeds (before sharding)', { min: 1 }, 20))
        .option('from', intOptionOr('from', 'the first seed', { min: 0 }, 1))
        .option('workers', intOption('workers', `worker threads (default: every core, ${defaultWorkers()} here; 1 runs in this thread)`, { min: 1 }))
        .option('shard', { type: 'string', describe: 'run only shard i of n (0-based, e.g. 0/4): every n-th seed from the i-th' })
        .option('time-budget', { type: 'string', describe: 'stop starting seeds after this much wall time (e.g. 10m)' })
        .option('swarm', { type: 'boolean', default: false, describe: "each seed draws its configuration from the scenario's swarm section" })
        .option('quick', { type: 'boolean', default: false, describe: 'cut each load short past its last scheduled fault (the CI gate)' })
        .option('protocol', { choices: PROTOCOL_VARIANTS, describe: "protocol variant (default: each scenario's)" })
        .option('controllers', controllersOption)
        .option('recheck', { type: 'string', default: '5%', describe: 'share of seeds re-run to check determinism (at least one per scenario; 0 turns it off)' })
        .option('out', { type: 'string', describe: 'write every result as JSON to this file (input of xorsim merge)' }),
        [['$0 explore scenarios/ --seeds 20 --quick', 'the CI gate: 20 short seeds of every scenario'], ['$0 explore scenarios/lossy-network.json --seeds 200 --swarm --out r.json', '200 seeds, each drawing its own knobs; results for merge'], ['$0 explore scenarios/ --shard 0/4 --out s0.json', 'a quarter of the seeds (shards on several machines)'], ['$0 explore --generate --seeds 100', '100 generated worlds'], ['$0 explore scenarios/ --seeds 20 --quick --controllers examples/claims-controllers.ts', 'your own controllers, every scenario']],
      ),
    async (argv) => {
      const given = (argv.scenario as string[] | undefined) ?? [];
      if (argv.generate && given.length > 0) throw new UsageError(`--generate draws its own worlds: give no scenario files (got ${given.join(', ')})`);
      if (!argv.generate && given.length === 0) throw new UsageError('missing the scenario files to explore (e.g. xorsim explore scenarios/), or --generate');
      if (!argv.generate) {
        for (const flag of ['budget', 'batch', 'saveFailures'] as const) {
          if (argv[flag] !== undefined) throw new UsageError(`--${flag === 'saveFailures' ? 'save-failures' : flag}: only with --generate`);
        }
      } else if (argv.swarm || argv.quick) throw new UsageError(`--${argv.swarm ? 'swarm' : 'quick'}: not with --generate (each generated world is already short and draws its own configuration)`);
      const seeds = argv.seeds;
      const from = argv.from;
      if (!Number.isSafeInteger(from + seeds)) throw new UsageError(`--from: ${from} + ${seeds} seeds is past the largest seed`);
      const workers = argv.workers ?? defaultWorkers();
      const shard = argv.shard === undefined ? undefined : parseShardFlag(argv.shard);
      const timeBudgetMs = argv.timeBudget === undefined ? undefined : parseWallTime('time-budget', argv.timeBudget);
      const recheck = parseShare('recheck', argv.recheck);
      // Loaded here once, so a bad module is one line before any worker starts; each worker imports it again.
      await loadControllersFlag(argv.controllers);
      const shared: Shared = { from, seeds, workers, recheck, ...(shard !== undefined && { shard }), ...(timeBudgetMs !== undefined && { timeBudgetMs }), ...(argv.controllers !== undefined && { controllers: argv.controllers }), ...(argv.protocol !== undefined && { protocol: argv.protocol as ProtocolVariant }), ...(argv.out !== undefined && { out: argv.out }) };
      if (argv.generate) done(await exploreWorlds(shared, argv.budget ?? 'recoverable', argv.batch ?? DEFAULT_BATCH, argv.saveFailures));
      else done(await exploreFiles(shared, given, argv.swarm, argv.quick));
    },
  );
}

/** The flags both modes take, parsed. */
interface Shared {
  readonly from: number;
  readonly seeds: number;
  readonly workers: number;
  readonly recheck: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly timeBudgetMs?: number;
  readonly controllers?: string;
  readonly protocol?: ProtocolVariant;
  readonly out?: string;
}

/** Generated worlds: explore, print, save the failing ones as scenario files; the exit code. */
async function exploreWorlds(s: Shared, budget: 'recoverable' | 'unlimited', batch: number, saveFailuresTo: string | undefined): Promise<number> {
  const saveDir = (saveFailuresTo ?? 'generated-failures').replace(/\/+$/, '') || '.';
  if (s.out !== undefined) checkWritable(s.out);
  const progress = new Progress();
  const { out, ...options } = s;
  const result = await exploreGenerated({ ...options, budget, batch, saveDir, onProgress: showOn(progress) });
  progress.stop();
  const command = ['npx xorsim explore --generate', `--budget ${budget}`, `--from ${s.from}`, `--seeds ${s.seeds}`, `--batch ${batch}`, ...(s.shard !== undefined ? [`--shard ${s.shard.index}/${s.shard.count}`] : []), ...(s.protocol !== undefined ? [`--protocol ${s.protocol}`] : []), ...(s.controllers !== undefined ? [`--controllers ${shellWord(s.controllers)}`] : [])].join(' ');
  const saved = saveFailures(result, saveDir, command);
  if (out !== undefined) writeTextAtomic(out, `${JSON.stringify(result)}\n`);
  console.log(formatExploration(result));
  if (saved.length > 0) {
    const shown = saved.slice(0, 5).map(shellWord).join(' ');
    console.log(`\nwrote ${saved.length} failing world${saved.length === 1 ? '' : 's'} as scenario files in ${shellWord(saveDir)}/: ${shown}${saved.length > 5 ? ' …' : ''}`);
  }
  if (out !== undefined) console.log(`results: ${out}`);
  return clean(result) ? EXIT_CLEAN : EXIT_VIOLATION;
}

/** Scenario files: load each once, explore, print; the exit code. */
async function exploreFiles(s: Shared, given: readonly string[], swarm: boolean, quick: boolean): Promise<number> {
  const seen = new Set<string>();
  const targets: ExploreTarget[] = [];
  for (const file of given.flatMap(scenarioFiles)) {
    if (seen.has(file)) throw new UsageError(`${file}: given twice`);
    seen.add(file);
    targets.push({ file, scenario: loadScenarioFile(file) });
  }
  if (s.out !== undefined) checkWritable(s.out);
  const progress = new Progress();
  const { out, protocol, controllers, ...options } = s;
  const variant = { swarm, quick, ...(protocol !== undefined && { protocol }), ...(controllers !== undefined && { controllers }) };
  const result = await explore(targets, { ...options, variant, onProgress: showOn(progress) });
  progress.stop();
  if (out !== undefined) writeTextAtomic(out, `${JSON.stringify(result)}\n`);
  console.log(formatExploration(result));
  if (out !== undefined) console.log(`results: ${out}`);
  return clean(result) ? EXIT_CLEAN : EXIT_VIOLATION;
}

const LABEL: Record<ExploreProgress['phase'], string> = { explore: 'seeds', recheck: 're-runs (determinism)', diagnose: 'diagnosing a mismatch' };

function showOn(progress: Progress): (p: ExploreProgress) => void {
  return (p) => progress.show(LABEL[p.phase], p.done, p.total, `${p.done}/${p.total}, ${p.failed} failed`);
}

/** Writes every failing generated world where its replay command points; returns the files written. */
function saveFailures(result: Exploration, dir: string, command: string): string[] {
  const out: string[] = [];
  for (const s of result.scenarios) {
    for (const r of s.runs) {
      const world = r.generated;
      if (r.verdict === 'pass' || world?.scenario === undefined) continue;
      const file = `${dir}/${world.name}.json`;
      const json = { ...world.scenario, generated: { ...(world.scenario['generated'] as object), command } };
      writeTextAtomic(file, `${JSON.stringify(json, null, 2)}\n`);
      out.push(file);
    }
  }
  return out;
}
