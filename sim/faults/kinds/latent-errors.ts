// Fault `latent-errors`: `count` random blocks of an HDD array become
// unreadable — reads answer media-error until the block is rewritten
// (MediaFaults.addLatentErrors; the drive model's latent sector errors,
// sim/disk/hdd.ts). Rate-driven bursts of them are faults.random.latentErrors
// (../latent-error-process.ts).
//
// Parameters: `array`; `count` (blocks, 1 … 1 000 000, drawn from stream
// faults/latent/<array>; a block may be drawn twice). No defaults.
// Needs disk.model "hdd". Budget: each block is vetted; the suppressed count.
// Records: damage `latent` on each block (sim/world/damage.ts, until
// rewritten); the probe latent-error. Coverage family latent-error; swarm
// family latent-errors.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';

export const latentErrors = defineKind({
  schema: z
    .strictObject({ at, after, do: z.literal('latent-errors'), array, count: z.int().min(1).max(1_000_000).describe('how many blocks (drawn from stream faults/latent/<array>)') })
    .describe('sectors of an HDD array become unreadable (media-error) until rewritten (needs disk.model "hdd")'),
  code: 10,
  family: 'latent-error',
  swarm: 'latent-errors',
  needs: 'hdd',
  inject(f, ctx) {
    ctx.stats.suppressed += f.count - ctx.world.media.addLatentErrors(f.array, f.count, ctx.budget.allows(f.array));
  },
});
