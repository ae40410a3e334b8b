// The command that reproduces a run, ready to paste into a POSIX shell: the
// scenario file is quoted when it holds anything a shell would interpret.
import type { ProtocolVariant } from '../../../src/protocol/variant.js';

export function replayCommand(file: string, seed: number, protocol: ProtocolVariant, flags: readonly string[] = []): string {
  return `npx xorsim replay ${shellWord(file)} --seed ${seed} --protocol ${protocol}${flags.map((f) => ` ${f}`).join('')}`;
}

export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
