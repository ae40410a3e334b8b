// Fault `flap`: the link between two arrays goes down and up again, `count`
// times (LossyNetwork.flap): down for `down`, up for `up`, starting down.
//
// Parameters: `between` (two array names); `down` (µs, each outage); `up`
// (µs, between outages); `count` (outages, 1 … 10 000). No defaults.
// Needs network.model "lossy".
// Records: nothing in the world; the network's link state. Coverage family
// flap; swarm family flap.
import { z } from 'zod';
import { duration } from '../../scenario/unit-types.js';
import { after, array, at } from '../entry-fields.js';
import { defineKind, lossyNetwork } from '../fault-kind.js';

export const flap = defineKind({
  schema: z
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
  code: 9,
  family: 'flap',
  swarm: 'flap',
  needs: 'lossy',
  lasts: (f) => f.count * (f.down + f.up),
  inject(f, ctx) {
    const [a, b] = f.between;
    lossyNetwork(ctx, f.do).flap(a, b, { downUs: f.down, upUs: f.up, count: f.count });
  },
});
