// A node's boot counter, kept in a small file beside its journal. Request ids
// carry the boot number (src/protocol/rpc.ts), so a restarted node must never
// reuse one: the new number is durable — written to a temporary file, synced,
// renamed over the old, the directory synced — before the controller starts.
//
// The file is one line of text, `boot <n>`. Numbers start at 1 on a node's
// first start, as the simulator numbers incarnations; 0 stays the default of
// a controller started without a counter. A file that is there but does not
// parse is refused: starting again from 1 could repeat a request id a late
// answer to an earlier life still matches.
import { readFile } from 'node:fs/promises';
import { removeLeftover, replaceFile } from './atomic-file.js';

/** Boot numbers stay below this: a request id is boot × 2^32 + a counter, and must be a safe integer. */
export const BOOT_LIMIT = 2 ** 21;

/** The boot number recorded at `path`, or 0 if this node never booted (no file). */
export async function lastBoot(path: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return 0;
    throw error;
  }
  const match = /^boot (\d{1,16})\n$/.exec(text);
  const boot = match === null ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(boot) || boot < 1 || boot >= BOOT_LIMIT) throw new Error(`boot counter ${path}: unreadable (${JSON.stringify(text.slice(0, 40))})`);
  return boot;
}

/** Counts this start: records the next boot number at `path`, durably, and returns it. */
export async function nextBoot(path: string): Promise<number> {
  await removeLeftover(path); // a count interrupted by a crash: the old file is whole
  const boot = (await lastBoot(path)) + 1;
  if (boot >= BOOT_LIMIT) throw new Error(`boot counter ${path}: ${BOOT_LIMIT} boots used up`);
  await replaceFile(path, new TextEncoder().encode(`boot ${boot}\n`));
  return boot;
}
