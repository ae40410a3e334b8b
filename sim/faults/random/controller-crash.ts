// Random fault `faults.random.controllerCrash`: controllers crash at random
// moments and restart — one Poisson process over the chosen controllers, each
// crash striking one of them (drawn uniformly) through the `crash` kind
// (../kinds/crash.ts) with an exponential restart delay. A controller already
// down is passed over. Every draw comes from stream faults/controller-crash.
//
// Parameters: `rate` (crashes per unit time over all chosen controllers
// together, e.g. "5/s"; "0/s" is off); `restartAfter` (µs, mean of the
// exponential restart delay, default 10 ms); `include` (`all`, `primaries` or
// `parity`, default all).
// Records: what a scheduled crash records. Swarm family controller-crash (its
// knobs `faults.random.controllerCrash.rate` and `.restartAfter` are
// sim/scenario/prepare/swarm.ts's).
import { z } from 'zod';
import { duration, meanInterval } from '../../scenario/unit-types.js';
import { defineRandom } from '../fault-kind.js';
import { crash } from '../kinds/crash.js';

export const randomCrashes = defineRandom({
  key: 'controllerCrash',
  schema: z
    .strictObject({
      rate: meanInterval('5/s').describe('crashes per unit time, over all controllers together (a Poisson process)'),
      restartAfter: duration('10ms').default(10_000).describe('mean time to restart (exponential)'),
      include: z.enum(['all', 'primaries', 'parity']).default('all').describe('which controllers may crash'),
    })
    .optional()
    .describe('controllers crash at random moments drawn from the seed, and restart'),
  called: 'random controller crashes',
  swarm: 'controller-crash',
  start(options, end, ctx) {
    if (options.rate === Infinity) return;
    const rng = ctx.engine.random.stream('faults/controller-crash');
    const w = ctx.world;
    const candidates = options.include === 'parity' ? [w.parity.name] : options.include === 'primaries' ? w.primaries.map((p) => p.name) : w.nodes().map((n) => n.name);
    const next = () => {
      const at = ctx.engine.now + Math.max(1, Math.round(rng.exponential(options.rate)));
      if (at >= end) return;
      ctx.at(at, () => {
        const array = rng.pick(candidates);
        if (w.node(array).incarnation.alive) {
          ctx.strike(crash, { at: 0, do: 'crash', array, restartAfter: Math.max(1, Math.round(rng.exponential(options.restartAfter))) });
        }
        next();
      });
    };
    next();
  },
});
