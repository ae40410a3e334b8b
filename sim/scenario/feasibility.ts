// Can the world a scenario describes be simulated at all? The schema checks
// each field on its own; this checks what only the fields together (with the
// drive model's defaults) decide, so that `validate` refuses what `run` would
// otherwise crash on: drives too small for their share of an array's blocks,
// inner tracks faster than outer ones, a zero seek time, a link so slow one
// block takes longer to send than the simulator's clock can count.
import { type HddParams, DEFAULT_HDD_PARAMS, resolveHddParams } from '../disk/hdd-params.js';
import { SECOND, TIME_MAX, YEAR, formatTime } from '../engine/time.js';
import { DRIVE_FIELDS, driveParams } from './drive-params.js';
import type { ParsedScenario } from './schema.js';

export interface Infeasible {
  readonly path: string;
  readonly message: string;
}

/** The simulator's clock: integer µs up to 2^53 (sim/engine/time.ts). */
export const CLOCK_LIMIT = `the simulator's clock (2^53 µs, about ${Math.floor(TIME_MAX / YEAR)} years)`;

export function checkFeasible(s: ParsedScenario, arrays: readonly { name: string; blocks: number }[], parity: string): Infeasible | undefined {
  return driveProblem(s, arrays, parity) ?? linkProblem(s) ?? horizonProblem(s);
}

/** Field `f` of disk.drive as the user sees it: "disk.drive.innerRate (300 MB/s)". */
const at = (f: keyof typeof DRIVE_FIELDS) => `disk.drive.${f}`;

function driveProblem(s: ParsedScenario, arrays: readonly { name: string; blocks: number }[], parity: string): Infeasible | undefined {
  const d = s.disk;
  if (d.model !== 'hdd') return undefined;
  const p: HddParams = { ...DEFAULT_HDD_PARAMS, ...driveParams(d.drive) };
  const given = (f: keyof typeof DRIVE_FIELDS) => (d.drive[f] !== undefined ? '' : ' (the default)');
  for (const f of ['avgSeekRead', 'avgSeekWrite', 'trackToTrack'] as const) {
    if (!(p[DRIVE_FIELDS[f]] > 0)) return { path: at(f), message: `a seek takes time: expected more than 0us, got ${formatTime(p[DRIVE_FIELDS[f]])}` };
  }
  if (p.innerRateBytesPerSec > p.outerRateBytesPerSec) {
    return { path: at('innerRate'), message: `${rate(p.innerRateBytesPerSec)} is above outerRate ${rate(p.outerRateBytesPerSec)}${given('outerRate')}: inner tracks are shorter, so they transfer slower` };
  }
  for (const f of ['avgSeekRead', 'avgSeekWrite'] as const) {
    if (p[DRIVE_FIELDS[f]] <= p.trackToTrackUs) {
      return { path: at(f), message: `${formatTime(p[DRIVE_FIELDS[f]])} is not above trackToTrack ${formatTime(p.trackToTrackUs)}${given('trackToTrack')}: an average seek crosses many tracks` };
    }
  }
  for (const a of arrays) {
    const drives = a.name === parity ? (d.parityDrives ?? d.drives) : d.drives;
    // As the array lays blocks out (sim/disk/disk-array.ts): whole stripe units per drive.
    const perDrive = Math.ceil(a.blocks / (drives * d.stripeUnit)) * d.stripeUnit;
    if (perDrive * s.blockSize > p.capacityBytes) {
      return { path: at('capacity'), message: `${bytes(p.capacityBytes)}${given('capacity')} per drive is too small: ${a.name}'s ${a.blocks} blocks of ${bytes(s.blockSize)} over ${drives} drives put ${perDrive} blocks (${bytes(perDrive * s.blockSize)}) on each` };
    }
  }
  try {
    resolveHddParams(driveParams(d.drive), 'disk.drive');
  } catch (error) {
    return { path: 'disk.drive', message: (error as Error).message.replace(/^disk\.drive: /, '') };
  }
  return undefined;
}

function linkProblem(s: ParsedScenario): Infeasible | undefined {
  const n = s.network;
  if (n.model !== 'lossy') return undefined;
  const links: [string, number | undefined][] = [['network.bandwidth', n.bandwidth], ...n.links.map((l, i): [string, number | undefined] => [`network.links[${i}].bandwidth`, l.bandwidth])];
  for (const [path, bw] of links) {
    if (bw === undefined || bw === Infinity) continue;
    const us = (s.blockSize / bw) * SECOND;
    if (us >= TIME_MAX) return { path, message: `at ${rate(bw)} one ${bytes(s.blockSize)} block takes ${formatTime(Math.min(us, Number.MAX_VALUE))} to send, past ${CLOCK_LIMIT}` };
  }
  return undefined;
}

function horizonProblem(s: ParsedScenario): Infeasible | undefined {
  if (s.workload.duration + s.settle >= TIME_MAX) {
    return { path: 'settle', message: `the load (${formatTime(s.workload.duration)}) and the settle bound (${formatTime(s.settle)}) together pass ${CLOCK_LIMIT}` };
  }
  return undefined;
}

/** Bytes as a scenario would write them: binary units for powers-of-two sizes (blocks), decimal ones otherwise (drives, rates). */
function bytes(n: number): string {
  const binary = ([['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const).find(([, size]) => n >= size);
  if (binary !== undefined && n % binary[1] === 0) return `${n / binary[1]} ${binary[0]}`;
  for (const [unit, size] of [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['KB', 1e3]] as const) if (n >= size) return `${Number((n / size).toPrecision(4))} ${unit}`;
  return `${n} B`;
}

function rate(bytesPerSecond: number): string {
  return `${bytes(bytesPerSecond)}/s`;
}
