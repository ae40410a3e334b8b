// Fault `misdirect-read`: the next read of each of `count` random blocks comes
// from another block (MediaFaults.misread): that block's data and checksum,
// returned as the block asked for. The media is untouched and the read after
// it is right, so it damages nothing — but two on one block defeat the
// controllers' second read, so within the budget it goes only where any
// damage could (a block whose other copies are sound). Any disk model.
//
// Parameters: `array`; `count` (blocks, 1 … 1 000 000; blocks and sources
// drawn from stream faults/misread/<array>). No defaults.
// Records: nothing in the world (reads only). Coverage family misread; swarm
// family corruption.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';

export const misdirectRead = defineKind({
  schema: z
    .strictObject({ at, after, do: z.literal('misdirect-read'), array, count: z.int().min(1).max(1_000_000).describe('how many blocks (drawn from stream faults/misread/<array>)') })
    .describe("the next read of each of `count` random blocks comes from a wrong block: its data and checksum, as the block asked for; the media is untouched and the read after it is right"),
  code: 17,
  family: 'misread',
  swarm: 'corruption',
  inject(f, ctx) {
    ctx.stats.suppressed += f.count - ctx.world.media.misread(f.array, f.count, ctx.budget.allows(f.array));
  },
});
