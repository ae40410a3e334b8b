// Virtual time: integer microseconds held in a JS number.
//
// Why microseconds: the fastest things modelled (a 4 KiB frame on a 10 Gb/s link,
// a single-track seek) are a few µs; Number.MAX_SAFE_INTEGER µs is ~285 years, so
// multi-year reliability runs stay exact with plain arithmetic (no BigInt).

export type Time = number;

export const US = 1;
export const MS = 1_000;
export const SECOND = 1_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const YEAR = 365.25 * DAY; // Julian year, exact in µs

/** Largest representable virtual time (~285 years). */
export const TIME_MAX: Time = Number.MAX_SAFE_INTEGER;

export function isTime(t: number): boolean {
  return Number.isSafeInteger(t) && t >= 0;
}

/** Human form for summaries and messages: 1.25s, 340us, 2.5ms, 3.2h, 4.1y. */
export function formatTime(t: Time): string {
  if (t < MS) return `${t}us`;
  if (t < SECOND) return `${trim(t / MS)}ms`;
  if (t < 10 * MINUTE) return `${trim(t / SECOND)}s`;
  if (t < 2 * DAY) return `${trim(t / HOUR)}h`;
  if (t < YEAR) return `${trim(t / DAY)}d`;
  return `${trim(t / YEAR)}y`;
}

function trim(x: number): string {
  return Number(x.toFixed(3)).toString();
}
