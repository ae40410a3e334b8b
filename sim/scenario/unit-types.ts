// zod types for the human units of scenario files (units.ts does the parsing):
// each turns text into a number, or reports what it expected and what it got.
import { z } from 'zod';
import { YEAR } from '../engine/time.js';
import { durationTooLong, parseBytes, parseDuration, parseFraction, parseRatePerYear } from './units.js';

/**
 * Every duration's schema definition: a printer tells a duration (µs) from a
 * count by its field's schema (isDuration). Held by definition, which a
 * `.describe()` copy of the schema shares.
 */
const DURATIONS = new WeakSet<object>();

/** Is `schema` (optional or with a default, or not) a duration? */
export function isDuration(schema: z.ZodType | undefined): boolean {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s !== undefined && DURATIONS.has(s.def);
}

/** "250us", "5ms", "2s", "1h", "2y" → integer µs. */
export const duration = (example: string) => {
  const schema = z.string().transform((text, ctx) => {
    const us = parseDuration(text);
    if (us === undefined) {
      const message = durationTooLong(text)
        ? `longer than the simulator's clock counts (integer µs up to 2^53, about ${Math.floor(Number.MAX_SAFE_INTEGER / YEAR)} years), got ${JSON.stringify(text)}`
        : `expected a duration like "${example}" (units us, ms, s, m, h, d, y), got ${JSON.stringify(text)}`;
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return us;
  });
  DURATIONS.add(schema.def);
  return schema;
};

/** 4096, "64KiB", "16TB" → bytes (positive). */
export const size = (example: string) =>
  z.union([z.string(), z.number()]).transform((text, ctx) => {
    const n = parseBytes(text);
    if (n === undefined || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a size like ${example}, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return n;
  });

/** "285MB/s" → bytes per second; with `unlimited`, the word "unlimited" → Infinity. */
export const bytesPerSecond = (example: string, unlimited = false) =>
  z.string().transform((text, ctx) => {
    if (unlimited && text === 'unlimited') return Infinity;
    const m = /^(.*)\/s$/.exec(text.trim());
    const n = m === null ? undefined : parseBytes(m[1]!.trim());
    if (n === undefined || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a rate like "${example}"${unlimited ? ' or "unlimited"' : ''}, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return n;
  });

/** "1%" or 0.01 → a probability. */
export const probability = z.union([z.string(), z.number()]).transform((text, ctx) => {
  const p = parseFraction(text);
  if (p === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a probability like "1%" or 0.01, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return p;
});

/** "5/s", "2/hour", "1.5%/year", "3.45%/32months" → mean µs between events (Infinity for a zero rate). */
export const meanInterval = (example: string) =>
  z.string().transform((text, ctx) => {
    const perYear = parseRatePerYear(text);
    if (perYear === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a rate like "${example}" (per s, min, hour, day, month or year, or per N of them), got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return perYear === 0 ? Infinity : YEAR / perYear;
  });
