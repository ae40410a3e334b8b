// yargs' complaints as the one line a bad-input error prints: which flag or
// command, what is wrong, and — for a mistyped flag — the flag meant. yargs
// runs in English whatever the locale (main.ts), so its messages can be read
// here by their wording.
import { closest } from '../sim/scenario/suggest.js';

/** The parser's view needed here: the flags the command being parsed knows. */
export interface KnownFlags {
  readonly names: readonly string[];
}

/** Flags on the command line that the command does not know (with --no- and =value stripped). */
export function unknownFlags(args: readonly string[], known: KnownFlags): string[] {
  const names = new Set(known.names.flatMap((n) => [n, kebab(n)]));
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '--') break;
    const m = /^--?([^=]+)/.exec(arg);
    if (m === null || /^-\d/.test(arg)) continue;
    const name = m[1]!.replace(/^no-/, '');
    if (!names.has(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

/** "unknown flag --sed (did you mean --seed?)" */
export function unknownFlagLine(flags: readonly string[], known: KnownFlags): string {
  const dash = (f: string) => (f.length === 1 ? `-${f}` : `--${f}`);
  const guess = flags.length === 1 ? closest(flags[0]!, known.names.filter((n) => n.length > 1 && !/[A-Z]/.test(n))) : undefined;
  return `unknown flag ${flags.map(dash).join(', ')}${guess !== undefined ? ` (did you mean ${dash(guess)}?)` : ''}`;
}

/** yargs' failure text as one line that names the flag or command. */
export function oneLine(message: string, args: readonly string[], commands: readonly string[], known: KnownFlags): string {
  const flags = unknownFlags(args, known);
  // A mistyped flag first: it is often why a required one is "missing".
  if (flags.length > 0) return unknownFlagLine(flags, known);
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown !== null) {
    const word = unknown[1]!.split(', ')[0]!;
    const guess = closest(word, commands);
    return `unknown command or argument "${word}" (${guess !== undefined ? `did you mean ${guess}? ` : ''}commands: ${commands.join(', ')}; see --help)`;
  }
  const choice = /Argument: (\S+), Given: (.+), Choices: (.+)$/.exec(message.replace(/\s*\n\s*/g, ' '));
  if (choice !== null) return `--${choice[1]}: expected one of ${choice[3]}, got ${choice[2]}`;
  const missing = /^Missing required arguments?: (.+)$/.exec(message);
  if (missing !== null) return `missing ${missing[1]!.split(', ').map((a) => (args.length > 0 && a !== 'scenario' ? `--${a}` : a)).join(', ')}`;
  if (/^Not enough non-option arguments/.test(message) && args[0] === 'cluster') return 'missing the action or the cluster file (e.g. xorsim cluster up docs/examples/cluster.json)';
  if (/^Not enough non-option arguments/.test(message) && args[0] === 'node') return 'missing the cluster file argument (e.g. xorsim node docs/examples/cluster.json --name p1)';
  if (/^Not enough non-option arguments/.test(message)) return `missing the scenario file argument (e.g. xorsim ${args[0] ?? 'run'} scenarios/quickstart.json)`;
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
