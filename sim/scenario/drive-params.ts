// A scenario's `disk.drive` fields as the drive model's parameters: one
// mapping, used to build the drives (sim/world/hardware.ts) and to check,
// before a run, that they can be built (feasibility.ts).
import type { HddParams } from '../disk/hdd-params.js';
import type { ParsedScenario } from './schema.js';

type Drive = Extract<ParsedScenario['disk'], { model: 'hdd' }>['drive'];

/** Each scenario field and the drive parameter it sets. */
export const DRIVE_FIELDS = {
  capacity: 'capacityBytes',
  rpm: 'rpm',
  avgSeekRead: 'avgSeekReadUs',
  avgSeekWrite: 'avgSeekWriteUs',
  trackToTrack: 'trackToTrackUs',
  outerRate: 'outerRateBytesPerSec',
  innerRate: 'innerRateBytesPerSec',
} as const satisfies Record<keyof Drive, keyof HddParams>;

export function driveParams(drive: Drive): Partial<HddParams> {
  const out: { -readonly [K in keyof HddParams]?: HddParams[K] } = {};
  for (const [field, param] of Object.entries(DRIVE_FIELDS) as [keyof Drive, keyof HddParams][]) {
    const v = drive[field];
    if (v !== undefined) out[param] = v;
  }
  return out;
}
