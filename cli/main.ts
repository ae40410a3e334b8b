// The xorsim command line. Exit codes: 0 clean, 1 an invariant was violated,
// 2 bad input (one line naming the file/field/flag and the problem, no stack).
import yargs from 'yargs';
import { benchCommand } from './commands/bench.js';
import { exploreCommand } from './commands/explore.js';
import { mergeCommand } from './commands/merge.js';
import { replayCommand } from './commands/replay.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { selftestCommand } from './commands/selftest.js';
import { shrinkCommand } from './commands/shrink.js';
import { validateCommand } from './commands/validate.js';
import { useRawArgs } from './flags.js';
import { EXIT_BAD_INPUT, UsageError } from './usage-error.js';

export async function main(args: readonly string[]): Promise<number> {
  const commands = ['run', 'replay', 'explore', 'merge', 'shrink', 'selftest', 'validate', 'bench', 'report'];
  useRawArgs(args);
  let code = 0;
  const done = (c: number) => void (code = c);
  let parser = yargs([...args])
    .scriptName('xorsim')
    .usage('$0 <command> [options]\n\nDeterministic simulation and fault injection for cross-array XOR parity.')
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // yargs' own complaints (YError: a flag's check, a coerce) are bad input; anything else is a real failure.
      if (error === undefined || error.name === 'YError') throw new UsageError(oneLine(error?.message ?? message, args, commands));
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

/** yargs' failure text as one line that names the flag or command. */
function oneLine(message: string, args: readonly string[], commands: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown !== null) {
    const names = unknown[1]!.split(', ');
    const flags = names.filter((n) => args.includes(`--${n}`) || args.includes(`-${n}`) || args.some((a) => a.startsWith(`--${n}=`)));
    if (flags.length > 0) return `unknown flag ${flags.map((f) => (f.length === 1 ? `-${f}` : `--${f}`)).join(', ')}`;
    return `unknown command or argument "${names[0]}" (commands: ${commands.join(', ')}; see --help)`;
  }
  const choice = /Argument: (\S+), Given: (.+), Choices: (.+)$/.exec(message.replace(/\s*\n\s*/g, ' '));
  if (choice !== null) return `--${choice[1]}: expected one of ${choice[3]}, got ${choice[2]}`;
  const missing = /^Missing required arguments?: (.+)$/.exec(message);
  if (missing !== null) return `missing ${missing[1]!.split(', ').map((a) => (args.length > 0 && a !== 'scenario' ? `--${a}` : a)).join(', ')}`;
  if (/^Not enough non-option arguments/.test(message)) return `missing the scenario file argument (e.g. xorsim ${args[0] ?? 'run'} scenarios/quickstart.json)`;
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
