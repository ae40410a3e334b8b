// The `faults` section of a scenario file: the budget, `faults.schedule` (a
// list of { at, do, … } entries) and the rate-driven faults of
// `faults.random`, one schema per kind (registry.ts). `at` counts from the
// start of the load phase.
import { z } from 'zod';
import { RANDOM_SHAPE, ScheduledFault } from './registry.js';

export const FaultsSchema = z
  .strictObject({
    budget: z
      .enum(['recoverable', 'unlimited'])
      .default('recoverable')
      .describe('recoverable: never more damage in one block group than single parity can repair (full recovery demanded); unlimited: anything goes (loss must be reported, never wrong data)'),
    schedule: z.array(ScheduledFault).default([]).describe('faults at fixed times'),
    random: z.strictObject(RANDOM_SHAPE).default({}).describe('faults drawn from rates during the load phase (stream faults/<kind>)'),
  })
  .default({ budget: 'recoverable', schedule: [], random: {} })
  .describe('fault injection');
