// Human units in scenario files: "5s", "250us", "64KiB", "16TB", "1.5%/year".
// Each parser returns undefined on malformed input; the schema turns that into
// a message naming the field.
import { DAY, HOUR, MINUTE, MS, SECOND, YEAR } from '../engine/time.js';

const DURATION_UNITS: Record<string, number> = {
  us: 1,
  µs: 1,
  ms: MS,
  s: SECOND,
  m: MINUTE,
  min: MINUTE,
  h: HOUR,
  d: DAY,
  y: YEAR,
  year: YEAR,
  years: YEAR,
};

const BYTE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};

const NUMBER_UNIT = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([A-Za-zµ%/]*)\s*$/;

/** "250us" | "2.5ms" | "5s" | "1h" | "2y" → integer µs (rounded). */
export function parseDuration(text: string): number | undefined {
  const m = NUMBER_UNIT.exec(text);
  if (m === null) return undefined;
  const unit = DURATION_UNITS[m[2]!];
  if (unit === undefined) return undefined;
  const us = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(us) ? us : undefined;
}

/** A duration well formed but longer than the simulator's clock counts (integer µs up to 2^53, ~285 years). */
export function durationTooLong(text: string): boolean {
  const m = NUMBER_UNIT.exec(text);
  const unit = m === null ? undefined : DURATION_UNITS[m[2]!];
  return unit !== undefined && !Number.isSafeInteger(Math.round(Number(m![1]) * unit));
}

/** "4096" | "64KiB" | "16TB" → integer bytes. */
export function parseBytes(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : undefined;
  const m = NUMBER_UNIT.exec(text);
  if (m === null) return undefined;
  const unit = m[2] === '' ? 1 : BYTE_UNITS[m[2]!];
  if (unit === undefined) return undefined;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Units per year. */
const PER: Record<string, number> = { year: 1, y: 1, month: 12, day: 365.25, d: 365.25, hour: 365.25 * 24, h: 365.25 * 24, min: 365.25 * 24 * 60, s: 365.25 * 24 * 3600 };
const PER_UNIT = /^(?:(year|month|day|hour|min)s?|(y|d|h|s))$/;

/**
 * "1.5%/year" → 0.015 (events per unit per year); "2/year", "0.1/day", "5/s"
 * also accepted, and a span of several units, as field studies state them:
 * "3.45%/32months" (Bairavasundaram et al. 2007) → 0.0345 / (32/12).
 */
export function parseRatePerYear(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(%?)\s*\/\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = PER_UNIT.exec(m[4]!);
  const span = m[3] === undefined ? 1 : Number(m[3]);
  if (unit === null || !(span > 0)) return undefined;
  const value = Number(m[1]) * (m[2] === '%' ? 0.01 : 1);
  return (value * PER[(unit[1] ?? unit[2])!]!) / span;
}

/** "1%" | "0.01" (a fraction) → 0.01. */
export function parseFraction(text: string | number): number | undefined {
  if (typeof text === 'number') return text >= 0 && text <= 1 ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (m === null) return undefined;
  const v = Number(m[1]) / 100;
  return v <= 1 ? v : undefined;
}

/** µs as a duration a person writes, exactly: "3s", "1.5s", "187.5ms", "70.312ms", "125us" (parseDuration reads it back). */
export function humanDuration(us: number): string {
  if (us >= 1_000_000 && us % 1000 === 0) return `${us / 1_000_000}s`;
  if (us >= 1000) return `${us / 1000}ms`;
  return `${us}us`;
}
