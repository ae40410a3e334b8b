// What the reliability report's plan and its sections share: the group
// configurations, the parameters a run of the report takes, the model of a
// group, and the context a section reads its results from. Its own file, so
// the sections and the report that lists them do not import each other.
import { DEFAULT_HDD_PARAMS } from '../../sim/disk/hdd-params.js';
import { type ReportOptions, seedList } from '../model/plan.js';
import type { GroupModel, MonteCarloResult } from './monte-carlo.js';

export const DRIVES_PER_ARRAY = 4;
export type RestoreUnit = 'drive' | 'array';

export interface Config {
  readonly id: string;
  /** Primaries; the group has primaries + 1 arrays. */
  readonly primaries: number;
  readonly restoreMBs: number;
  readonly unit: RestoreUnit;
  readonly ure: boolean;
  /** The model the Monte Carlo runs: for `array`, one unit per array (its drives fail and restore together). */
  readonly model: GroupModel;
}

export interface ReliabilityParams {
  readonly quick: boolean;
  readonly seeds: readonly number[];
  readonly trialsPerSeed: number;
  readonly primaryCounts: readonly number[];
  readonly restoreMBs: readonly number[];
}

export function reliabilityParams(options: ReportOptions): ReliabilityParams {
  if (options.tiny) return { quick: options.quick, seeds: seedList(options.seeds), trialsPerSeed: 30, primaryCounts: [2, 4], restoreMBs: [50, 200] };
  return {
    quick: options.quick,
    seeds: seedList(options.seeds),
    trialsPerSeed: options.quick ? 200 : 1000,
    primaryCounts: [2, 4, 8],
    restoreMBs: options.quick ? [50, 200] : [50, 100, 200],
  };
}

/** Drive-level restore: a failed drive's blocks are rebuilt from its slot. Array-level: any drive failure takes the whole array, which is restored whole (what replace-array does today). */
export function groupModel(primaries: number, restoreMBs: number, unit: RestoreUnit, ure: boolean): GroupModel {
  const p = DEFAULT_HDD_PARAMS;
  const drive: GroupModel = {
    arrays: primaries + 1,
    drivesPerArray: DRIVES_PER_ARRAY,
    driveBytes: p.capacityBytes,
    restoreBytesPerSec: restoreMBs * 1e6,
    annualFailureRate: p.annualFailureRate,
    uer: ure ? p.unrecoverableBitErrorRate : 0,
    sectorBytes: p.sectorBytes,
  };
  if (unit === 'drive') return drive;
  return { ...drive, drivesPerArray: 1, driveBytes: DRIVES_PER_ARRAY * p.capacityBytes, annualFailureRate: 1 - (1 - p.annualFailureRate) ** DRIVES_PER_ARRAY };
}

export interface ReliabilityContext {
  readonly params: ReliabilityParams;
  readonly configs: readonly Config[];
  readonly of: (c: Config) => MonteCarloResult[];
}
