// Fault `misdirect`: the next `count` writes to the array land on a wrong
// block (MediaFaults.misdirect, sim/disk/array-port.ts): the block written
// keeps its stale data, the block hit gets data meant elsewhere. Any disk model.
//
// Parameters: `array`; `count` (writes, 1 … 1 000 000; targets drawn from
// stream faults/misdirect/<array>). No defaults.
// Budget: each write is vetted (both blocks); a refused one lands where meant
// and does not count.
// Records: damage `stale` on the block meant and `misdirected` on the block
// hit (sim/world/damage.ts), each with a `fault.block` trace record, until
// rewritten. Coverage family misdirect; swarm family corruption.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';

export const misdirect = defineKind({
  schema: z
    .strictObject({ at, after, do: z.literal('misdirect'), array, count: z.int().min(1).max(1_000_000).describe('how many writes') })
    .describe('the next `count` writes to the array land on a wrong block (stream faults/misdirect/<array>): the block written keeps stale data, the block hit gets data meant elsewhere'),
  code: 14,
  family: 'misdirect',
  swarm: 'corruption',
  inject: (f, ctx) => ctx.world.media.misdirect(f.array, f.count, ctx.budget.allows(f.array)),
});
