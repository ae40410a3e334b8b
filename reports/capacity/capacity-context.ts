// What the capacity report's plan and its sections share: the parameters a
// run of the report takes and the context a section reads its results from.
// Its own file, so the sections and the report that lists them do not import
// each other.
import type { RunPointResult } from '../jobs/run-point.js';
import { type ReportOptions, seedList } from '../model/plan.js';
import type { RepairPoint } from './capacity-scenarios.js';

export interface CapacityParams {
  readonly quick: boolean;
  readonly seeds: readonly number[];
  readonly primaryCounts: readonly number[];
  readonly parityDrives: readonly number[];
  readonly saturationS: number;
  /** Array capacities (bytes) of the restore and rebuild runs. */
  readonly capacities: readonly number[];
  readonly bandwidthsMBs: readonly number[];
  /** The link-bound restores without host load that the theory check uses. */
  readonly checkCapacities: readonly number[];
  readonly checkBandwidthMBs: number;
  /** The restore started at the default 5 ms retransmission timeout, 1 MiB blocks on 1 GbE: the timer must adapt. */
  readonly shortTimerCapacity: number;
  readonly shortTimerSettle: string;
}

export function capacityParams(options: ReportOptions): CapacityParams {
  const q = options.quick;
  const GiB = 2 ** 30;
  if (options.tiny) {
    const MiB = 2 ** 20;
    return { quick: q, seeds: seedList(options.seeds), primaryCounts: [1, 2], parityDrives: [4], saturationS: 1, capacities: [64 * MiB], bandwidthsMBs: [125, 1250], checkCapacities: [256 * MiB], checkBandwidthMBs: 125, shortTimerCapacity: 256 * MiB, shortTimerSettle: '10s' };
  }
  return {
    quick: q,
    seeds: seedList(options.seeds),
    primaryCounts: q ? [1, 2, 4, 8] : [1, 2, 3, 4, 6, 8, 12, 16],
    parityDrives: q ? [4, 16] : [4, 8, 16, 32],
    saturationS: q ? 3 : 10,
    capacities: q ? [GiB / 2, GiB] : [GiB / 2, GiB, 2 * GiB, 4 * GiB],
    bandwidthsMBs: q ? [125, 1250] : [125, 300, 1250],
    checkCapacities: q ? [GiB] : [GiB, 4 * GiB],
    checkBandwidthMBs: 125,
    shortTimerCapacity: GiB,
    shortTimerSettle: '60s',
  };
}

export interface CapacityContext {
  readonly params: CapacityParams;
  readonly of: (id: string) => RunPointResult[];
  readonly satId: (n: number, dp: number) => string;
  readonly repairId: (p: Pick<RepairPoint, 'what' | 'capacity' | 'bandwidthMBs' | 'hostRate'>) => string;
  readonly repairs: ReadonlyMap<string, RepairPoint>;
  readonly shortTimerId: string;
}
