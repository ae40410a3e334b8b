// Fault `power-fail`: power is lost at once on the arrays (PowerSupply.fail,
// sim/world/power-supply.ts). Each controller dies as in a crash; on HDD
// arrays each drive's write in service tears (a prefix of its sectors lands),
// queued requests are lost, and with disk.writeCache every write only in a
// drive's cache is lost; on the ideal disk each write in flight lands whole or
// not at all. Journals are NVRAM and survive. When power returns each
// controller restarts (restart.ts) and recovers from its journal.
//
// Parameters: `arrays` (default every array); `restoreAfter` (µs, default
// 100 ms). Outages of one array may overlap: its power returns with the last.
// Records: damage `torn` on each block whose media no longer matches its
// checksum (sim/world/damage.ts), the probes torn-write and
// cached-writes-lost; trigger events `crashed`, then `power-restored` and
// `restarted`. Coverage family power-fail; swarm family power-failure.
import { z } from 'zod';
import { duration } from '../../scenario/unit-types.js';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';
import { restartWhenQuiet } from './restart.js';

export const powerFail = defineKind({
  schema: z
    .strictObject({
      at,
      after,
      do: z.literal('power-fail'),
      arrays: z.array(array).min(1).optional().describe('the arrays that lose power (default: every array)'),
      restoreAfter: duration('100ms').default(100_000).describe('power returns this long after; each controller then restarts and recovers from its journal'),
    })
    .describe("power is lost at once on the arrays: controllers die, writes in service tear, writes only in a drive's write cache are lost; journals (NVRAM) survive"),
  code: 15,
  family: 'power-fail',
  swarm: 'power-failure',
  inject(f, ctx) {
    const w = ctx.world;
    const arrays = f.arrays ?? w.nodes().map((n) => n.name);
    w.power.fail(arrays);
    for (const a of arrays) ctx.event('crashed', a);
    ctx.after(f.restoreAfter, () => {
      for (const a of arrays) {
        if (!w.power.restore(a)) continue;
        ctx.event('power-restored', a);
        // Whichever controller the last outage left dead boots: one started meanwhile (an array
        // replaced during the outage) may have died in another outage, which ended first.
        const node = w.node(a);
        if (!node.incarnation.alive) restartWhenQuiet(ctx, a, node.incarnation.number);
      }
    });
  },
});
