// Fault `fail-drive`: one drive of an HDD array fails (MediaFaults.failDrive):
// exactly the blocks it holds are lost, the rest of the array serves on; the
// controller rebuilds them from parity onto a replacement drive.
//
// Parameters: `array`; `drive` (index, 0 … disk.drives − 1); `replaceAfter`
// (µs, default none: it stays failed until a `replace-drive`) — an empty
// drive replaces it that long after (replace-drive.ts).
// Needs disk.model "hdd". Budget: suppressed whole if any of its blocks is
// damaged on another array (or another array is down).
// Records: damage `drive` on each of its blocks (sim/world/damage.ts) until
// rebuilt; the drive failed (MediaFaults.failedDrives); trigger event
// `drive-failed`. Random drive failures (faults.random.driveFailures) strike
// through it. Coverage family fail-drive; swarm family drive-failure.
import { z } from 'zod';
import { duration } from '../../scenario/unit-types.js';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';
import { checkDrive } from './replace-drive.js';

export const failDrive = defineKind({
  schema: z
    .strictObject({
      at,
      after,
      do: z.literal('fail-drive'),
      array,
      drive: z.int().min(0).describe('drive index, 0 … disk.drives − 1'),
      replaceAfter: duration('100ms').optional().describe('install an empty replacement drive this long after'),
    })
    .describe('one drive of an HDD array fails: exactly its blocks are lost, until rebuilt from parity on a replacement (needs disk.model "hdd")'),
  code: 11,
  family: 'fail-drive',
  swarm: 'drive-failure',
  needs: 'hdd',
  check: (f, installation) => checkDrive(f.drive, installation),
  overBudget: (f, ctx) => ctx.budget.over(f.array, ctx.world.media.blocksOnDrive(f.array, f.drive)),
  inject(f, ctx) {
    const media = ctx.world.media;
    media.failDrive(f.array, f.drive);
    ctx.event('drive-failed', f.array);
    if (f.replaceAfter !== undefined) ctx.after(f.replaceAfter, () => media.replaceDrive(f.array, f.drive));
  },
});
