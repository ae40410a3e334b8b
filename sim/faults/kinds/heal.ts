// Fault `heal`: a cut link between two arrays carries messages again, both
// ways (LossyNetwork.heal); a flap on it keeps its schedule.
//
// Parameters: `between` (two array names).
// Needs network.model "lossy".
// Records: nothing in the world. No coverage family (it undoes a
// partition); swarm family partition.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { defineKind, lossyNetwork } from '../fault-kind.js';

export const heal = defineKind({
  schema: z.strictObject({ at, after, do: z.literal('heal'), between: z.tuple([array, array]) }).describe('heal a cut link (both directions)'),
  code: 8,
  swarm: 'partition',
  needs: 'lossy',
  inject(f, ctx) {
    const [a, b] = f.between;
    lossyNetwork(ctx, f.do).heal(a, b);
  },
});
