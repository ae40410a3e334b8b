// The `generated` section of a scenario file: where a generated world came
// from (`xorsim explore --generate`, sim/generate/). A run ignores it — the
// rest of the file is the whole scenario — but it records everything needed
// to draw the same world again: the generator's version and seed, the fault
// budget, and the steering weights of the batch the seed was drawn in (they
// depend on what earlier batches reached, so a seed alone does not fix them).
import { z } from 'zod';

export const GeneratedSchema = z
  .strictObject({
    generator: z.string().describe('the generator version that drew this world (sim/generate/generator.ts GENERATOR_VERSION)'),
    seed: z.int().min(0).describe('the seed it was drawn from, and the seed its run uses'),
    budget: z.enum(['recoverable', 'unlimited']).describe('the fault budget it was drawn for'),
    batch: z.int().min(0).describe('the steering batch the seed was drawn in (0-based, within its exploration)'),
    weights: z.record(z.string(), z.number()).describe('the steering weight of every coverage cell in that batch (cells not listed: 1)'),
    plan: z.array(z.string()).default([]).describe('what the generator meant each fault to hit, for people'),
    command: z.string().optional().describe('the exploration that generated it'),
  })
  .optional()
  .describe('set by `xorsim explore --generate` on the scenarios it writes: where this world came from (ignored by a run)');

export type GeneratedInfo = z.output<typeof GeneratedSchema>;
