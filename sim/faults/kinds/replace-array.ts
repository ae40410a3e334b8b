// Fault `replace-array`: an empty array takes a failed one's place, with a
// fresh controller (World.replaceArray): a primary restores its data from
// parity (claim 5); a new parity array is rebuilt from every member, each
// counting as joining it until its blocks are merged.
//
// Parameters: `array`.
// Records: trigger event `replaced` (then `restored`, or `joined` per member
// and `rebuilt`, as the product completes the work). No coverage family of its
// own; swarm family array-failure.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { type FaultContext, defineKind } from '../fault-kind.js';

export const replaceArray = defineKind({
  schema: z.strictObject({ at, after, do: z.literal('replace-array'), array }).describe('an empty array replaces a failed one'),
  code: 4,
  swarm: 'array-failure',
  inject: (f, ctx) => installReplacement(ctx, f.array),
});

/** An empty array takes failed `array`'s place (also how a fail-array's `replaceAfter` ends). */
export function installReplacement(ctx: FaultContext, array: string): void {
  ctx.world.replaceArray(array);
  ctx.event('replaced', array);
}
