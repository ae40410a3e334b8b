// The xorsim command line: every command, registered here. Exit codes: 0
// clean, 1 an invariant was violated, 2 bad input (one line naming the
// file/field/flag and the problem, no stack).
import yargs from 'yargs';
import { benchCommand } from './commands/bench.js';
import { clusterCommand } from './commands/cluster.js';
import { exploreCommand } from './commands/explore.js';
import { mergeCommand } from './commands/merge.js';
import { nodeCommand } from './commands/node.js';
import { replayCommand } from './commands/replay.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { selftestCommand } from './commands/selftest.js';
import { shrinkCommand } from './commands/shrink.js';
import { validateCommand } from './commands/validate.js';
import { useRawArgs } from './flags.js';
import { oneLine } from './usage-line.js';
import { EXIT_BAD_INPUT, EXIT_CODES, UsageError } from './usage-error.js';

const COMMANDS = ['run', 'replay', 'explore', 'merge', 'shrink', 'selftest', 'validate', 'bench', 'report', 'node', 'cluster'];

export async function main(args: readonly string[]): Promise<number> {
  useRawArgs(args);
  let code = 0;
  const done = (c: number) => void (code = c);
  let parser = yargs([...args])
    .scriptName('xorsim')
    // English whatever the locale: oneLine() reads yargs' messages by their wording.
    .locale('en')
    .usage('$0 <command> [options]\n\nDeterministic simulation and fault injection for cross-array XOR parity.')
    .example('$0 run scenarios/quickstart.json --seed 1', 'one run with every check')
    .example('$0 explore scenarios/ --seeds 20 --quick', 'many seeds of every scenario on every core')
    .example('$0 <command> --help', "a command's flags and examples")
    .epilogue(EXIT_CODES)
    .strict()
    .demandCommand(1, 'name a command')
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // yargs' own complaints (YError: a flag's check, a coerce) are bad input; anything else is a real failure.
      const known = { names: Object.keys((parser as unknown as { getOptions(): { key: object } }).getOptions().key) };
      if (error === undefined || error.name === 'YError') throw new UsageError(oneLine(error?.message ?? message, args, COMMANDS, known));
      throw error;
    });
  parser = runCommand(parser, done);
  parser = replayCommand(parser, done);
  parser = exploreCommand(parser, done);
  parser = mergeCommand(parser, done);
  parser = shrinkCommand(parser, done);
  parser = selftestCommand(parser, done);
  parser = validateCommand(parser, done);
  parser = benchCommand(parser, done);
  parser = reportCommand(parser, done);
  parser = nodeCommand(parser, done);
  parser = clusterCommand(parser, done);
  if (args.length === 0) {
    // Bare `xorsim`: the command list, and exit 2 (no command was given).
    console.log(await parser.getHelp());
    return EXIT_BAD_INPUT;
  }
  try {
    await parser.parseAsync();
    return code;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`xorsim: ${error.message}`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}
