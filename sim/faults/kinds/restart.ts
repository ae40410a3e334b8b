// Fault `restart`: a crashed controller starts again over the same media and
// recovers from its journal (World.restart: a new incarnation). It boots only
// once its disks have power and the I/O its dead predecessor submitted has
// drained, looking again every millisecond until then.
//
// Parameters: `array`.
// Records: a `node.life` trace record; trigger event `restarted`. No coverage
// family of its own (it undoes a crash); swarm family controller-crash.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { type FaultContext, defineKind } from '../fault-kind.js';

/** How long a restart waiting for quiet disks waits before it looks again. */
const QUIET_POLL_US = 1000;

export const restart = defineKind({
  schema: z.strictObject({ at, after, do: z.literal('restart'), array }).describe('a crashed controller restarts'),
  code: 2,
  swarm: 'controller-crash',
  inject: (f, ctx) => restartWhenQuiet(ctx, f.array),
});

/**
 * Restarts `array`'s controller once its disks are quiet — unless another
 * restart (a crash's and a power return's may both wait) got there first past
 * incarnation `dead`, or its array has failed meanwhile (the replacement starts
 * a controller of its own). Also how a crash's `restartAfter` and a power
 * return restart a controller.
 */
export function restartWhenQuiet(ctx: FaultContext, array: string, dead = ctx.world.node(array).incarnation.number): void {
  const node = ctx.world.node(array);
  if (node.incarnation.number !== dead || node.device.failed) return;
  if (node.device.inFlight > 0 || node.device.down) {
    ctx.after(QUIET_POLL_US, () => restartWhenQuiet(ctx, array, dead));
    return;
  }
  ctx.world.restart(array);
  ctx.event('restarted', array);
}
