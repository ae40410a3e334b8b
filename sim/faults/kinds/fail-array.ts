// Fault `fail-array`: the whole array is lost — its media, its journal and its
// controller (World.failArray). A primary's data survives only in parity; a
// lost parity array is rebuilt from every member once replaced.
//
// Parameters: `array` (a primary or the parity array); `replaceAfter` (µs,
// default none: it stays failed until a `replace-array`) — an empty array
// takes its place that long after (replace-array.ts).
// Budget: suppressed whole if another array is failed and not yet whole again,
// or holds any damaged block (fault-budget.ts).
// Records: an outage in World.outages (failed now, restored when its restore
// or rebuild completes); the array counts as damaged for the budget until
// then; its open block damage is forgotten (the outage covers it); trigger
// event `failed`. Coverage family fail-array, or fail-parity on the parity
// array; swarm family array-failure.
import { z } from 'zod';
import { duration } from '../../scenario/unit-types.js';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';
import { installReplacement } from './replace-array.js';

export const failArray = defineKind({
  schema: z
    .strictObject({ at, after, do: z.literal('fail-array'), array, replaceAfter: duration('100ms').optional().describe('install an empty replacement this long after') })
    .describe('the whole array is lost: its media and its controller'),
  code: 3,
  family: 'fail-array',
  onParity: 'fail-parity',
  swarm: 'array-failure',
  lasts: (f) => f.replaceAfter ?? 0,
  // Failing an array already down again damages nothing more.
  overBudget: (f, ctx) => !ctx.budget.damaged.has(f.array) && ctx.budget.over(f.array, undefined),
  inject(f, ctx) {
    ctx.budget.failed(f.array);
    ctx.world.failArray(f.array);
    ctx.event('failed', f.array);
    if (f.replaceAfter !== undefined) ctx.after(f.replaceAfter, () => installReplacement(ctx, f.array));
  },
});
