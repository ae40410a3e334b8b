// Fault `corrupt`: silent corruption (MediaFaults.corrupt) — one byte of each
// of `count` random blocks changes on the media; no error, and the stored
// checksum stays as it was, so only a checksum or parity comparison finds it.
// A lost drive's block is skipped. Any disk model.
//
// Parameters: `array`; `count` (blocks, 1 … 1 000 000; block, byte and XOR
// mask drawn from stream faults/corrupt/<array>). No defaults.
// Budget: each block is vetted; the suppressed count.
// Records: damage `corrupt` on each block (sim/world/damage.ts) and a
// `fault.block` trace record, until rewritten. Coverage family corrupt; swarm
// family corruption.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';

export const corrupt = defineKind({
  schema: z
    .strictObject({ at, after, do: z.literal('corrupt'), array, count: z.int().min(1).max(1_000_000).describe('how many blocks (drawn from stream faults/corrupt/<array>)') })
    .describe('silent corruption: one byte of each of `count` random blocks changes on the media; no error, and the stored checksum stays as it was'),
  code: 13,
  family: 'corrupt',
  swarm: 'corruption',
  inject(f, ctx) {
    ctx.stats.suppressed += f.count - ctx.world.media.corrupt(f.array, f.count, ctx.budget.allows(f.array));
  },
});
