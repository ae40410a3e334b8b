// The fields every entry of `faults.schedule` shares, whatever its kind
// (kinds/): `at`, an optional event trigger `after`, and the fields that name
// arrays (`array`, `from`, `between`, `arrays`). Each kind's schema puts them
// first, in this order, so every entry reads alike.
import { z } from 'zod';
import { duration } from '../scenario/unit-types.js';

export const at = duration('1.5s').describe('when, counted from the start of the load phase (with `after`: from when the trigger is armed)');
export const array = z.string().describe('an array name from primaries or parity');

/**
 * What a triggered fault waits for (fault-triggers.ts). A restore's or a
 * join's duration is not known in advance, so "just after the restore" or
 * "right after a loss report" cannot be written as a time: the fault happens
 * `delay` after the first such event at or after `at`, if that is within the
 * load phase (else it never happens).
 */
export const TRIGGER_EVENTS = ['failed', 'replaced', 'restored', 'joining', 'joined', 'rebuilt', 'leaving', 'left', 'lost', 'drive-failed', 'crashed', 'restarted', 'power-restored'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export const after = z
  .strictObject({
    event: z
      .enum(TRIGGER_EVENTS)
      .describe('failed: an array was lost; replaced: its replacement installed; restored: a primary restore completed; joining: a join was ordered; joined: a join completed (every member, at a parity rebuild); rebuilt: a parity rebuild completed; leaving: a leave was ordered; left: a leave completed; lost: a primary reported a block lost; drive-failed: a drive of the array failed; crashed / restarted: a controller died / started again; power-restored: power came back'),
    array: array.optional().describe('only this array\'s event (default: any array)'),
    delay: duration('1ms').default(0).describe('how long after the event the fault happens'),
  })
  .optional()
  .describe('event-triggered: the fault happens `delay` after the first such event at or after `at` (within the load phase)');

/** The fields that name arrays, in any kind's entry or a rate-driven fault's options. */
export interface NamingFields {
  readonly array?: string;
  readonly from?: string | undefined;
  readonly between?: readonly [string, string];
  readonly arrays?: readonly string[] | undefined;
}

/** The arrays an entry names, each with its field ("array", "from", "between[1]", "arrays[0]"), in field order. */
export function namedArrays(entry: NamingFields): [string, string][] {
  const named: [string, string][] = [];
  if (entry.array !== undefined) named.push([entry.array, 'array']);
  if (entry.from !== undefined) named.push([entry.from, 'from']);
  for (const [j, a] of (entry.between ?? []).entries()) named.push([a, `between[${j}]`]);
  for (const [j, a] of (entry.arrays ?? []).entries()) named.push([a, `arrays[${j}]`]);
  return named;
}
