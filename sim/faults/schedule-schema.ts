// Scheduled faults in a scenario file: `faults.schedule`, a list of
// { at, do, … } entries. `at` counts from the start of the load phase.
import { z } from 'zod';
import { duration, meanInterval } from '../scenario/unit-types.js';

const at = duration('1.5s').describe('when, counted from the start of the load phase (with `after`: from when the trigger is armed)');
const array = z.string().describe('an array name from primaries or parity');

/**
 * What a triggered fault waits for (fault-triggers.ts). A restore's or a
 * join's duration is not known in advance, so "just after the restore" or
 * "right after a loss report" cannot be written as a time: the fault happens
 * `delay` after the first such event at or after `at`, if that is within the
 * load phase (else it never happens).
 */
export const TRIGGER_EVENTS = ['failed', 'replaced', 'restored', 'joining', 'joined', 'rebuilt', 'leaving', 'left', 'lost', 'drive-failed', 'crashed', 'restarted', 'power-restored'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

const after = z
  .strictObject({
    event: z
      .enum(TRIGGER_EVENTS)
      .describe('failed: an array was lost; replaced: its replacement installed; restored: a primary restore completed; joining: a join was ordered; joined: a join completed (every member, at a parity rebuild); rebuilt: a parity rebuild completed; leaving: a leave was ordered; left: a leave completed; lost: a primary reported a block lost; drive-failed: a drive of the array failed; crashed / restarted: a controller died / started again; power-restored: power came back'),
    array: array.optional().describe('only this array\'s event (default: any array)'),
    delay: duration('1ms').default(0).describe('how long after the event the fault happens'),
  })
  .optional()
  .describe('event-triggered: the fault happens `delay` after the first such event at or after `at` (within the load phase)');

export const ScheduledFault = z.discriminatedUnion('do', [
  z
    .strictObject({ at, after, do: z.literal('crash'), array, restartAfter: duration('50ms').optional().describe('restart the controller this long after the crash') })
    .describe("the array's controller crashes: volatile state lost, media kept"),
  z.strictObject({ at, after, do: z.literal('restart'), array }).describe('a crashed controller restarts'),
  z
    .strictObject({ at, after, do: z.literal('fail-array'), array, replaceAfter: duration('100ms').optional().describe('install an empty replacement this long after') })
    .describe('the whole array is lost: its media and its controller'),
  z.strictObject({ at, after, do: z.literal('replace-array'), array }).describe('an empty array replaces a failed one'),
  z.strictObject({ at, after, do: z.literal('join'), array }).describe('a primary outside the parity group joins it (claims 3, 4)'),
  z.strictObject({ at, after, do: z.literal('leave'), array }).describe('a primary is decommissioned: it refuses writes and is XORed out of parity'),
  z
    .strictObject({
      at,
      after,
      do: z.literal('partition'),
      between: z.tuple([array, array]).describe('the two arrays'),
      oneWay: z.boolean().default(false).describe('cut only between[0] → between[1]'),
      for: duration('100ms').optional().describe('heal after this long'),
    })
    .describe('cut the link between two arrays (needs the lossy network)'),
  z.strictObject({ at, after, do: z.literal('heal'), between: z.tuple([array, array]) }).describe('heal a cut link (both directions)'),
  z
    .strictObject({ at, after, do: z.literal('latent-errors'), array, count: z.int().min(1).max(1_000_000).describe('how many blocks (drawn from stream faults/latent/<array>)') })
    .describe('sectors of an HDD array become unreadable (media-error) until rewritten (needs disk.model "hdd")'),
  z
    .strictObject({
      at,
      after,
      do: z.literal('power-fail'),
      arrays: z.array(array).min(1).optional().describe('the arrays that lose power (default: every array)'),
      restoreAfter: duration('100ms').default(100_000).describe('power returns this long after; each controller then restarts and recovers from its journal'),
    })
    .describe("power is lost at once on the arrays: controllers die, writes in service tear, writes only in a drive's write cache are lost; journals (NVRAM) survive"),
  z
    .strictObject({
      at,
      after,
      do: z.literal('fail-drive'),
      array,
      drive: z.int().min(0).describe('drive index, 0 … disk.drives − 1'),
      replaceAfter: duration('100ms').optional().describe('install an empty replacement drive this long after'),
    })
    .describe('one drive of an HDD array fails: exactly its blocks are lost, until rebuilt from parity on a replacement (needs disk.model "hdd")'),
  z
    .strictObject({ at, after, do: z.literal('replace-drive'), array, drive: z.int().min(0).describe('drive index') })
    .describe("an empty drive replaces a failed one; the array's controller rebuilds its blocks from parity"),
  z
    .strictObject({ at, after, do: z.literal('corrupt'), array, count: z.int().min(1).max(1_000_000).describe('how many blocks (drawn from stream faults/corrupt/<array>)') })
    .describe('silent corruption: one byte of each of `count` random blocks changes on the media; no error, and the stored checksum stays as it was'),
  z
    .strictObject({ at, after, do: z.literal('misdirect'), array, count: z.int().min(1).max(1_000_000).describe('how many writes') })
    .describe('the next `count` writes to the array land on a wrong block (stream faults/misdirect/<array>): the block written keeps stale data, the block hit gets data meant elsewhere'),
  z
    .strictObject({ at, after, do: z.literal('misdirect-read'), array, count: z.int().min(1).max(1_000_000).describe('how many blocks (drawn from stream faults/misread/<array>)') })
    .describe("the next read of each of `count` random blocks comes from a wrong block: its data and checksum, as the block asked for; the media is untouched and the read after it is right"),
  z
    .strictObject({
      at,
      after,
      do: z.literal('rogue-messages'),
      array: array.describe('the array whose controller receives them'),
      count: z.int().min(1).max(100_000).describe('how many frames (drawn from stream faults/rogue/<array>), one every 50us'),
      from: z.string().optional().describe('the sender: an array of the installation (frames invalid in its name) or, by default, a stranger outside it'),
    })
    .describe('a confused or faulty peer: malformed frames, fields out of range, message types the receiver never takes, answers to no request, and (from a stranger) well-formed requests — each must be refused or dropped, never acted on'),
  z
    .strictObject({
      at,
      after,
      do: z.literal('flap'),
      between: z.tuple([array, array]),
      down: duration('10ms').describe('each outage'),
      up: duration('40ms').describe('between outages'),
      count: z.int().min(1).max(10_000).describe('number of outages'),
    })
    .describe('the link goes down and up again, count times (needs the lossy network)'),
]);

export type ScheduledFault = z.output<typeof ScheduledFault>;

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
