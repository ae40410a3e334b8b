// Fault `crash`: the array's controller dies — its volatile state is lost,
// its media and journal are kept, and host I/O in flight fails back to the
// host (World.crash). A controller crash as seen by the array: power stays on,
// the disks keep serving what was already submitted.
//
// Parameters: `array`; `restartAfter` (µs, default none: it stays down until
// a `restart`) — the controller restarts that long after, once the I/O its
// dead predecessor submitted has drained (restart.ts).
// Records: a `node.life` trace record; trigger event `crashed` (and
// `restarted`). Coverage family crash; swarm family controller-crash (with
// the random crashes of faults.random.controllerCrash).
import { z } from 'zod';
import { duration } from '../../scenario/unit-types.js';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';
import { restartWhenQuiet } from './restart.js';

export const crash = defineKind({
  schema: z
    .strictObject({ at, after, do: z.literal('crash'), array, restartAfter: duration('50ms').optional().describe('restart the controller this long after the crash') })
    .describe("the array's controller crashes: volatile state lost, media kept"),
  code: 1,
  family: 'crash',
  swarm: 'controller-crash',
  lasts: (f) => f.restartAfter ?? 0,
  inject(f, ctx) {
    ctx.world.crash(f.array);
    ctx.event('crashed', f.array);
    const dead = ctx.world.node(f.array).incarnation.number;
    if (f.restartAfter !== undefined) ctx.after(f.restartAfter, () => restartWhenQuiet(ctx, f.array, dead));
  },
});
