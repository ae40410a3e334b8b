// Flag values of every command, checked in one place: whole numbers (one
// parser, with bounds), shards, durations and shares. Numeric flags are typed
// as numbers for yargs (its --help says [number]), so yargs converts the text
// before we see it; to name what was typed when the text was not a number at
// all, main() hands the raw arguments here first.
import { type Shard, parseShard } from '../sim/explore/seeds.js';
import { parseDuration, parseFraction } from '../sim/scenario/units.js';
import { UsageError } from './usage-error.js';

let rawArgs: readonly string[] = [];

/** The command line being parsed (main calls this before yargs runs). */
export function useRawArgs(args: readonly string[]): void {
  rawArgs = args;
}

/** What was typed for --`name` (last occurrence), for messages. */
function typed(name: string, parsed: unknown): string {
  for (let i = rawArgs.length - 1; i >= 0; i--) {
    const arg = rawArgs[i]!;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    if (arg === `--${name}` && i + 1 < rawArgs.length) return rawArgs[i + 1]!;
  }
  return String(parsed);
}

export interface Bounds {
  readonly min: number;
  readonly max?: number;
}

/** A whole-number flag within bounds; anything else is a one-line UsageError naming the flag and the value typed. */
export function parseWhole(name: string, value: unknown, { min, max = Number.MAX_SAFE_INTEGER }: Bounds): number {
  if (Array.isArray(value)) throw new UsageError(`--${name}: given ${value.length} times; give it once`);
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  const expected = max !== Number.MAX_SAFE_INTEGER ? `a whole number from ${min} to ${max}` : min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `a whole number of at least ${min}`;
  throw new UsageError(`--${name}: expected ${expected}, got ${JSON.stringify(typed(name, value))}`);
}

/** A yargs option for a whole-number flag: typed as a number, checked as yargs parses it. */
export function intOption(name: string, describe: string, bounds: Bounds) {
  return { type: 'number' as const, describe, coerce: (value: unknown): number => parseWhole(name, value, bounds) };
}

/** The same, with a default value. */
export function intOptionOr(name: string, describe: string, bounds: Bounds, defaultValue: number) {
  return { ...intOption(name, describe, bounds), default: defaultValue };
}

export function parseShardFlag(text: string): Shard {
  const shard = parseShard(text);
  if (typeof shard === 'string') throw new UsageError(`--shard: ${shard}`);
  return shard;
}

/** A wall-time flag (e.g. --time-budget 10m), in milliseconds. */
export function parseWallTime(name: string, text: string): number {
  const us = parseDuration(text);
  if (us === undefined || us <= 0) throw new UsageError(`--${name}: expected a duration like "10m" or "2h", got ${JSON.stringify(text)}`);
  return us / 1000;
}

/** A share: "5%" or 0.05. */
export function parseShare(name: string, text: string): number {
  const share = parseFraction(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (share === undefined) throw new UsageError(`--${name}: expected a share like "5%" or 0.05, got ${JSON.stringify(text)}`);
  return share;
}
