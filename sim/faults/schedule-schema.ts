// The `faults` section of a scenario file: the budget, `faults.schedule` (a
// list of { at, do, … } entries, one schema per kind: registry.ts) and the
// rate-driven faults of `faults.random`. `at` counts from the start of the
// load phase.
import { z } from 'zod';
import { duration, meanInterval } from '../scenario/unit-types.js';
import { array } from './entry-fields.js';
import { ScheduledFault } from './registry.js';

export const RandomFaults = z
  .strictObject({
    controllerCrash: z
      .strictObject({
        rate: meanInterval('5/s').describe('crashes per unit time, over all controllers together (a Poisson process)'),
        restartAfter: duration('10ms').default(10_000).describe('mean time to restart (exponential)'),
        include: z.enum(['all', 'primaries', 'parity']).default('all').describe('which controllers may crash'),
      })
      .optional()
      .describe('controllers crash at random moments drawn from the seed, and restart'),
    latentErrors: z
      .strictObject({
        rate: meanInterval('0.5/s').describe('bursts of latent sector errors per drive per unit time (a Poisson process on every drive), e.g. "0.5/s" or "3.45%/32months"'),
        arrays: z.array(array).min(1).optional().describe('the HDD arrays whose drives develop them (default: every primary)'),
        burstSize: z.number().min(1).max(10_000).default(4).describe('mean errors per burst (geometric, at least 1)'),
        burstSpan: z.int().min(0).max(1_000_000).default(16).describe("a burst's errors fall within this many blocks of its first, on the same drive"),
        burstWithin: duration('50ms').default(50_000).describe("a burst's errors appear within this long after its first"),
      })
      .optional()
      .describe('sectors become unreadable at random, in bursts clustered in space and time on one drive (stream faults/latent-errors; needs disk.model "hdd")'),
    driveFailures: z
      .strictObject({
        afr: meanInterval('1.5%/year').describe('annual failure rate of each drive (field data: 1.4–1.7 %/year, Backblaze 2023–2025)'),
        acceleration: z.number().min(1).default(1).describe('time compression: the rate is multiplied by this, so failures happen within a short run'),
        replaceAfter: duration('100ms').default(100_000).describe('mean time until a failed drive is replaced (exponential)'),
      })
      .optional()
      .describe('drives of HDD arrays fail at random (a Poisson process over every drive, stream faults/drive-failure), each replaced after a drawn delay; the fault budget applies'),
  })
  .default({})
  .describe('faults drawn from rates during the load phase (stream faults/<kind>)');

export const FaultsSchema = z
  .strictObject({
    budget: z
      .enum(['recoverable', 'unlimited'])
      .default('recoverable')
      .describe('recoverable: never more damage in one block group than single parity can repair (full recovery demanded); unlimited: anything goes (loss must be reported, never wrong data)'),
    schedule: z.array(ScheduledFault).default([]).describe('faults at fixed times'),
    random: RandomFaults,
  })
  .default({ budget: 'recoverable', schedule: [], random: {} })
  .describe('fault injection');
