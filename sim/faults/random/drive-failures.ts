// Random fault `faults.random.driveFailures`: drives of HDD arrays fail at
// random, each struck through the `fail-drive` kind (../kinds/fail-drive.ts,
// the fault budget included) and replaced after an exponential delay. Every
// drive of every array fails at its annual rate × acceleration: one Poisson
// process over the drives still running, the drive drawn uniformly among
// them. Every draw comes from stream faults/drive-failure.
//
// Parameters: `afr` (annual failure rate per drive, e.g. "1.5%/year" —
// field data: 1.4–1.7 %/year, Backblaze 2023–2025); `acceleration` (time
// compression, ≥ 1, default 1: the rate is multiplied by it so failures happen
// within a short run); `replaceAfter` (µs, mean of the exponential
// replacement delay, default 100 ms).
// Needs disk.model "hdd".
// Records: what a scheduled fail-drive records. Swarm family drive-failure.
import { z } from 'zod';
import { duration, meanInterval } from '../../scenario/unit-types.js';
import { defineRandom } from '../fault-kind.js';
import { failDrive } from '../kinds/fail-drive.js';

export const randomDriveFailures = defineRandom({
  key: 'driveFailures',
  schema: z
    .strictObject({
      afr: meanInterval('1.5%/year').describe('annual failure rate of each drive (field data: 1.4–1.7 %/year, Backblaze 2023–2025)'),
      acceleration: z.number().min(1).default(1).describe('time compression: the rate is multiplied by this, so failures happen within a short run'),
      replaceAfter: duration('100ms').default(100_000).describe('mean time until a failed drive is replaced (exponential)'),
    })
    .optional()
    .describe('drives of HDD arrays fail at random (a Poisson process over every drive, stream faults/drive-failure), each replaced after a drawn delay; the fault budget applies'),
  called: 'drive failures',
  swarm: 'drive-failure',
  needs: 'hdd',
  start(options, end, ctx) {
    if (options.afr === Infinity) return;
    const rng = ctx.engine.random.stream('faults/drive-failure');
    const w = ctx.world;
    const drivesPer = w.scenario.disk.model === 'hdd' ? w.scenario.disk.drives : 0;
    const all = w.nodes().flatMap((n) => Array.from({ length: drivesPer }, (_, drive) => ({ array: n.name, drive })));
    // afr is a mean interval per drive; the whole fleet fails `all.length` times as often.
    const mean = options.afr / options.acceleration / all.length;
    const next = () => {
      const at = ctx.engine.now + Math.max(1, Math.round(rng.exponential(mean)));
      if (at >= end) return;
      ctx.at(at, () => {
        const running = all.filter(({ array, drive }) => !w.media.driveFailed(array, drive));
        if (running.length > 0) {
          const { array, drive } = rng.pick(running);
          ctx.strike(failDrive, { at: 0, do: 'fail-drive', array, drive, replaceAfter: Math.max(1, Math.round(rng.exponential(options.replaceAfter))) });
        }
        next();
      });
    };
    next();
  },
});
