// Fault `replace-drive`: an empty drive replaces a failed one
// (MediaFaults.replaceDrive); the array's controller rebuilds its blocks from
// parity (a crashed controller does when it restarts). A drive not failed is
// left as it is.
//
// Parameters: `array`; `drive` (index, 0 … disk.drives − 1).
// Needs disk.model "hdd".
// Records: the drive running again; its blocks' `drive` damage ends as the
// rebuild rewrites them. No coverage family (it undoes a fail-drive); swarm
// family drive-failure.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { type EntryProblem, type Installation, defineKind } from '../fault-kind.js';

export const replaceDrive = defineKind({
  schema: z
    .strictObject({ at, after, do: z.literal('replace-drive'), array, drive: z.int().min(0).describe('drive index') })
    .describe("an empty drive replaces a failed one; the array's controller rebuilds its blocks from parity"),
  code: 12,
  swarm: 'drive-failure',
  needs: 'hdd',
  check: (f, installation) => checkDrive(f.drive, installation),
  inject: (f, ctx) => ctx.world.media.replaceDrive(f.array, f.drive),
});

/** A drive index past the arrays' drives (fail-drive's and replace-drive's `drive`). */
export function checkDrive(drive: number, installation: Installation): EntryProblem | undefined {
  const drives = installation.drives;
  if (drives !== undefined && drive >= drives) return { path: 'drive', message: `drive ${drive} does not exist: the arrays have ${drives} drives (0 … ${drives - 1})` };
  return undefined;
}
