// xorsim merge <result.json…> [--out F]: combines `explore --out` files (e.g.
// the shards of one exploration) and prints the same summary as explore.
import { withHelp } from '../help.js';
import type { Argv } from 'yargs';
import { formatExploration } from '../../sim/explore/format.js';
import { type MergeInput, mergeExplorations } from '../../sim/explore/merge.js';
import { clean } from '../../sim/explore/result.js';
import { checkWritable, readText, writeTextAtomic } from '../io.js';
import { EXIT_CLEAN, EXIT_VIOLATION, UsageError } from '../usage-error.js';

export function mergeCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'merge <results..>',
    'combine exploration results (explore --out files, e.g. from shards) and summarise them',
    (y) =>
      withHelp(

      y
        .positional('results', { type: 'string', array: true, demandOption: true, describe: 'result files written by explore --out' })
        .option('out', { type: 'string', describe: 'write the merged results as JSON to this file' })
        .option('allow-partial', { type: 'boolean', default: false, describe: 'accept shards missing from an exploration (exit 0 if the runs present passed; the summary still names what is missing)' }),
        [['$0 merge s0.json s1.json s2.json s3.json --out all.json', 'combine the shards of one exploration'], ['$0 merge s0.json s1.json --allow-partial', 'summarise before every shard is in']],
      ),
    (argv) => {
      if (argv.out !== undefined) checkWritable(argv.out);
      const inputs: MergeInput[] = (argv.results as string[]).map((file) => {
        try {
          return { file, data: JSON.parse(readText(file)) as unknown };
        } catch (error) {
          if (error instanceof UsageError) throw error;
          throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
        }
      });
      const outcome = mergeExplorations(inputs);
      if (!outcome.ok) throw new UsageError(outcome.problem);
      if (argv.out !== undefined) writeTextAtomic(argv.out, `${JSON.stringify(outcome.merged)}\n`);
      console.log(formatExploration(outcome.merged, argv.allowPartial));
      if (argv.out !== undefined) console.log(`results: ${argv.out}`);
      done(clean(outcome.merged, argv.allowPartial) ? EXIT_CLEAN : EXIT_VIOLATION);
    },
  );
}
