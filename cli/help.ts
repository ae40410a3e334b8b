// What every command's --help ends with: examples to copy, and the exit codes.
import type { Argv } from 'yargs';
import { EXIT_CODES } from './usage-error.js';

export function withHelp<T>(y: Argv<T>, examples: readonly (readonly [string, string])[]): Argv<T> {
  let out = y;
  for (const [command, what] of examples) out = out.example(command, what);
  return out.epilogue(EXIT_CODES);
}
