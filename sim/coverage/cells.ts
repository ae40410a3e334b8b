// The coverage map's cells: which kind of fault (family) struck in which
// protocol phase, e.g. `power-fail@after-restore` — a power failure within
// PHASE_WINDOW of a completed restore. Shipped scenarios each keep their
// fault families apart; the bugs hide where they meet, so every run records
// the cells its faults landed in (phase-tracker.ts decides the phases from the
// world's god's-eye state at the moment each fault strikes), `explore` counts
// them over seeds, and the world generator (sim/generate/) steers toward the
// cells reached least.
import { MS } from '../engine/time.js';

/** Each scheduled fault kind names the family it counts as (sim/faults/kinds/); this order is the generator's (sim/generate/universe.ts). */
export const FAMILIES = ['crash', 'power-fail', 'fail-array', 'fail-parity', 'fail-drive', 'latent-error', 'corrupt', 'misdirect', 'misread', 'partition', 'flap', 'join', 'leave', 'rogue'] as const;
export type Family = (typeof FAMILIES)[number];

/** What each phase means; a fault may strike in several at once (`steady`: none of the others). */
export const PHASES = {
  steady: 'nothing below was under way',
  restoring: 'a replaced primary was being restored from parity',
  'after-restore': 'a restore had completed within the phase window',
  joining: 'a primary was joining the group (not a parity rebuild)',
  'after-join': 'a join had completed within the phase window',
  leaving: 'a primary was leaving the group',
  'after-leave': 'a leave had completed within the phase window',
  'parity-rebuild': 'a replaced parity array was being rebuilt from every member',
  'after-parity-rebuild': 'a parity rebuild had completed within the phase window',
  'array-down': 'an array had failed and was not replaced yet',
  'drive-down': 'a drive had failed and its blocks were not rebuilt yet',
  scrub: 'the background scrub was running',
  'after-loss': 'the array struck had reported a block lost earlier',
  'non-member': 'the primary struck was outside the parity group',
  'delta-disorder': "the primary struck had deltas parity had not acknowledged, and its link with parity had lost, reordered, duplicated or cut a message within the phase window (or was down)",
} as const;
export type Phase = keyof typeof PHASES;
export const PHASE_NAMES = Object.keys(PHASES) as Phase[];

/** "Just after" an operation means within this long of its end. */
export const PHASE_WINDOW = 10 * MS;

export type Cell = `${Family}@${Phase}`;

export function cellOf(family: Family, phase: Phase): Cell {
  return `${family}@${phase}`;
}

export function splitCell(cell: string): { family: string; phase: string } {
  const at = cell.indexOf('@');
  return { family: cell.slice(0, at), phase: cell.slice(at + 1) };
}
