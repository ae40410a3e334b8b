// Fault `leave`: a primary is decommissioned (World.leave): it refuses host
// writes and is XORed out of parity, block by block.
//
// Parameters: `array` — a primary.
// Records: its membership `leaving`, then `outside` when parity has removed
// it; trigger event `leaving` (then `left`). Coverage family leave; no swarm
// family.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';

export const leave = defineKind({
  schema: z.strictObject({ at, after, do: z.literal('leave'), array }).describe('a primary is decommissioned: it refuses writes and is XORed out of parity'),
  code: 6,
  family: 'leave',
  check(f, installation) {
    if (!installation.primaries.some((p) => p.name === f.array)) return { path: 'array', message: `only a primary can leave; "${f.array}" is the parity array` };
    return undefined;
  },
  inject(f, ctx) {
    ctx.world.leave(f.array);
    ctx.event('leaving', f.array);
  },
});
