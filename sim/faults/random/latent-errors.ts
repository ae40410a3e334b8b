// Random fault `faults.random.latentErrors`: latent sector errors drawn from a
// rate — sectors of HDD arrays become unreadable (reads answer media-error
// until the block is rewritten), in bursts clustered in space and time. A
// fixed count of them at one moment is the scheduled kind `latent-errors`
// (../kinds/latent-errors.ts).
//
// Bairavasundaram et al. ("An Analysis of Latent Sector Errors in Disk
// Drives", SIGMETRICS 2007; 1.53 million drives over 32 months) found these
// errors are not independent: a drive that develops one tends to develop
// more, close by on the surface and close together in time. So errors arrive
// in bursts: bursts form a Poisson process on every drive (`rate` per drive);
// a burst strikes one drive, its first error on a uniformly drawn block, its
// size geometric with mean `burstSize`, every further error on a block within
// `burstSpan` blocks of the first (uniform over that window, clipped to the
// drive), at a time uniform within `burstWithin` after the first. The burst
// shape is this model's choice, not a fitted distribution.
//
// Every draw comes from the stream faults/latent-errors, in a fixed order per
// burst, so a seed replays the same errors. Errors stop with the load phase.
//
// Parameters: `rate` (bursts per drive per unit time, e.g. "0.5/s" or the
// field figure "3.45%/32months"); `arrays` (default every primary); `burstSize`
// (mean errors per burst, ≥ 1, default 4); `burstSpan` (blocks, default 16);
// `burstWithin` (µs, default 50 ms).
// Needs disk.model "hdd". Budget: each error is vetted; the suppressed count.
// Records: damage `latent` on each block (sim/world/damage.ts), the probe
// latent-error, a `fault` trace record (code BURST_CODE) per burst and a
// `fault.latent-error` one per later error. Coverage family latent-error;
// swarm family latent-errors.
import { z } from 'zod';
import type { DiskArray } from '../../disk/disk-array.js';
import type { Engine } from '../../engine/engine.js';
import type { Time } from '../../engine/time.js';
import { duration, meanInterval } from '../../scenario/unit-types.js';
import type { FaultWorld } from '../fault-world.js';
import { array } from '../entry-fields.js';
import { defineRandom } from '../fault-kind.js';

/** Trace code of a burst's `fault` record (above every scheduled kind's). */
const BURST_CODE = 100;

export const randomLatentErrors = defineRandom({
  key: 'latentErrors',
  schema: z
    .strictObject({
      rate: meanInterval('0.5/s').describe('bursts of latent sector errors per drive per unit time (a Poisson process on every drive), e.g. "0.5/s" or "3.45%/32months"'),
      arrays: z.array(array).min(1).optional().describe('the HDD arrays whose drives develop them (default: every primary)'),
      burstSize: z.number().min(1).max(10_000).default(4).describe('mean errors per burst (geometric, at least 1)'),
      burstSpan: z.int().min(0).max(1_000_000).default(16).describe("a burst's errors fall within this many blocks of its first, on the same drive"),
      burstWithin: duration('50ms').default(50_000).describe("a burst's errors appear within this long after its first"),
    })
    .optional()
    .describe('sectors become unreadable at random, in bursts clustered in space and time on one drive (stream faults/latent-errors; needs disk.model "hdd")'),
  called: 'latent sector errors',
  swarm: 'latent-errors',
  needs: 'hdd',
  start(options, end, ctx) {
    const allowed = (array: string, block: number) => {
      const ok = !ctx.budget.over(array, [block]);
      if (!ok) ctx.stats.suppressed++;
      return ok;
    };
    startLatentErrors(ctx.engine, ctx.world, options, end, (burst) => ctx.struck(BURST_CODE, 'latent-error', burst.array), allowed);
  },
});

export interface LatentErrorOptions {
  /** Mean µs between bursts on one drive. */
  readonly rate: number;
  readonly arrays?: readonly string[] | undefined;
  readonly burstSize: number;
  readonly burstSpan: number;
  readonly burstWithin: Time;
}

/** One drive the process may strike. */
interface Target {
  readonly array: string;
  readonly device: DiskArray;
  readonly drive: number;
  /** Its local blocks are 0 … blocks − 1. */
  readonly blocks: number;
}

/** A burst that struck: which drive, and the logical blocks in the order their errors appear. */
export interface LatentBurst {
  readonly array: string;
  readonly drive: number;
  readonly blocks: readonly number[];
}

/**
 * Starts the process now; it draws no burst at or after `end`. `onBurst` hears
 * each burst as it starts; `allowed` vets each error (the fault budget).
 */
export function startLatentErrors(
  engine: Engine,
  world: FaultWorld,
  options: LatentErrorOptions,
  end: Time,
  onBurst: (burst: LatentBurst) => void,
  allowed: (array: string, block: number) => boolean = () => true,
): void {
  const rng = engine.random.stream('faults/latent-errors');
  const kind = engine.trace.kind('fault.latent-error', ['block']);
  const targets: Target[] = [];
  for (const array of options.arrays ?? world.primaries.map((p) => p.name)) {
    const device = world.media.diskArray(array);
    for (let drive = 0; drive < device.drives.length; drive++) {
      const blocks = device.blocksOnDrive(drive);
      if (blocks > 0) targets.push({ array, device, drive, blocks });
    }
  }
  if (targets.length === 0 || options.rate === Infinity) return;
  // Independent Poisson processes on every drive add up to one with their summed rate.
  const meanGap = options.rate / targets.length;
  // Geometric on 1, 2, …: each further error with probability 1 − 1/burstSize.
  const more = 1 - 1 / options.burstSize;

  const burst = () => {
    const t = rng.pick(targets);
    const first = rng.int(t.blocks);
    const locals = [first];
    while (rng.chance(more)) locals.push(rng.range(Math.max(0, first - options.burstSpan), Math.min(t.blocks - 1, first + options.burstSpan)));
    const blocks = locals.map((local) => t.device.logicalOf(t.drive, local));
    onBurst({ array: t.array, drive: t.drive, blocks });
    for (const [i, block] of blocks.entries()) {
      const delay = i === 0 ? 0 : Math.round(rng.float() * options.burstWithin);
      if (delay === 0) world.media.addLatentError(t.array, block, (b) => allowed(t.array, b));
      else if (engine.now + delay < end) engine.after(delay, kind, () => world.media.addLatentError(t.array, block, (b) => allowed(t.array, b)));
    }
  };
  const next = () => {
    const at = engine.now + Math.max(1, Math.round(rng.exponential(meanGap)));
    if (at >= end) return;
    engine.at(at, kind, () => {
      burst();
      next();
    });
  };
  next();
}
