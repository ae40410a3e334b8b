// Latent sector errors drawn from a rate (faults.random.latentErrors).
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
import type { Engine } from '../engine/engine.js';
import type { Time } from '../engine/time.js';
import type { DiskArray } from '../disk/disk-array.js';
import type { World } from '../world/world.js';

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
  world: World,
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
