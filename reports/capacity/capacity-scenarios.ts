// The scenarios of the capacity report, built in code and written beside the
// report (scenarios/<id>.json).
//
// Saturation: closed loop, writes only, 16 outstanding per host with no think
// time, so each run finds the most the group can do; N primaries of 4 drives,
// a parity array of `parityDrives`, 4 KiB blocks spread over 20 TB drives.
// Restore and rebuild: 1 MiB blocks on drives just big enough to hold them
// (the layout is dense, so copies stream as on a full array), one array lost
// 1 s into a light open-loop host load and replaced 100 ms later.
//
// Both start the retransmission timer at 250 ms rather than the 5 ms default:
// on drives a delta's round trip takes tens of ms, and with 1 MiB blocks on
// 1 GbE a copy takes longer than 5 ms to cross the link; the timer adapts to
// the round trips either way, but starts closer to them (the report shows a
// restore started at 5 ms too).

export const DRIVES = 4;
export const SAT_BLOCKS = 2048;
export const RESTORE_BLOCK = 2 ** 20;
export const RETRANSMIT = '250ms';
/** Host load during restores: operations/s per host (1 MiB each, 30 % reads). */
export const RESTORE_HOST_RATE = 5;

export function saturationScenario(id: string, primaries: number, parityDrives: number, durationS: number): Record<string, unknown> {
  return {
    name: id,
    description: `Capacity report: the most ${primaries} primaries can write with a ${parityDrives}-drive parity array (closed loop, writes only).`,
    blockSize: '4KiB',
    primaries: { count: primaries, blocks: SAT_BLOCKS },
    disk: { model: 'hdd', drives: DRIVES, parityDrives, queue: 'sptf' },
    network: { model: 'lossy', latency: '50us', bandwidth: '1.25GB/s' },
    retransmit: { initial: RETRANSMIT },
    workload: { duration: `${durationS}s`, iodepth: 16, thinkTime: '0us', readFraction: 0 },
    settle: '10m',
  };
}

export interface RepairPoint {
  readonly what: 'restore' | 'rebuild';
  /** Bytes per array. */
  readonly capacity: number;
  readonly bandwidthMBs: number;
  readonly durationS: number;
  /** Host operations/s per host (0: no host load). */
  readonly hostRate: number;
  readonly retransmit?: string;
  readonly settle?: string;
}

export function repairScenario(id: string, p: RepairPoint): Record<string, unknown> {
  const blocks = p.capacity / RESTORE_BLOCK;
  return {
    name: id,
    description: `Capacity report: ${p.what === 'restore' ? 'primary p2 lost and restored from parity' : 'the parity array lost and rebuilt from every primary'}, ${blocks} blocks of 1 MiB per array, ${p.bandwidthMBs} MB/s links, host load ${p.hostRate}/s per host.`,
    blockSize: '1MiB',
    primaries: { count: 4, blocks },
    disk: { model: 'hdd', drives: DRIVES, queue: 'sptf', drive: { capacity: `${p.capacity / DRIVES / 2 ** 20}MiB` } },
    network: { model: 'lossy', latency: '50us', bandwidth: `${p.bandwidthMBs}MB/s` },
    retransmit: { initial: p.retransmit ?? RETRANSMIT },
    // A zero rate: no host operations at all (the rate's mean gap is infinite).
    workload: { duration: `${p.durationS}s`, rate: `${p.hostRate}/s`, iodepth: 16, readFraction: 0.3 },
    faults: { schedule: [{ at: '1s', do: 'fail-array', array: p.what === 'restore' ? 'p2' : 'parity', replaceAfter: '100ms' }] },
    settle: p.settle ?? '10m',
  };
}
