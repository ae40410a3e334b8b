// Fault `partition`: the link between two arrays is cut (LossyNetwork.partition):
// messages sent while it is cut, and those on the wire when it is cut, are
// dropped on arrival. The network's own faults (loss, duplication, reordering)
// are the network model's (sim/network/lossy-network.ts), not a kind's.
//
// Parameters: `between` (two array names); `oneWay` (default false: both
// directions; true: only between[0] → between[1]); `for` (µs, default none:
// it stays cut until a `heal`) — the same cut heals that long after.
// Needs network.model "lossy".
// Records: nothing in the world; the network's link state. Coverage family
// partition; swarm family partition (with `heal`).
import { z } from 'zod';
import { duration } from '../../scenario/unit-types.js';
import { after, array, at } from '../entry-fields.js';
import { defineKind, lossyNetwork } from '../fault-kind.js';

export const partition = defineKind({
  schema: z
    .strictObject({
      at,
      after,
      do: z.literal('partition'),
      between: z.tuple([array, array]).describe('the two arrays'),
      oneWay: z.boolean().default(false).describe('cut only between[0] → between[1]'),
      for: duration('100ms').optional().describe('heal after this long'),
    })
    .describe('cut the link between two arrays (needs the lossy network)'),
  code: 7,
  family: 'partition',
  swarm: 'partition',
  needs: 'lossy',
  lasts: (f) => f.for ?? 0,
  inject(f, ctx) {
    const net = lossyNetwork(ctx, f.do);
    const [a, b] = f.between;
    if (f.oneWay) net.partitionOneWay(a, b);
    else net.partition(a, b);
    if (f.for !== undefined) ctx.after(f.for, () => (f.oneWay ? net.healOneWay(a, b) : net.heal(a, b)));
  },
});
