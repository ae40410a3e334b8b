// The scenarios of the latency report, built in code and written beside the
// report (scenarios/<id>.json), so any point can be re-run with `xorsim run`.
//
// Base: N primaries and a parity array, each 4 drives of the datasheet
// 7200 rpm model (20 TB, SPTF queues, blocks spread over the whole surface so
// every seek is a real one), 4 KiB blocks, a 10 GbE-like network (50 µs,
// 1.25 GB/s per direction), hardened protocol with its default ack policy
// (after parity is durable) and retransmission (starting at 5 ms, adapted to
// the round trips measured, at most 500 ms). Open
// loop: each host's operations arrive as a Poisson process, 30 % reads, at
// most 16 in service per host; latency counts from arrival.

export interface LatencyPoint {
  readonly primaries: number;
  readonly blocks: number;
  /** Offered operations per second, all hosts together. */
  readonly offeredIops: number;
  readonly durationS: number;
  readonly ackPolicy?: 'parity-durable' | 'local-write';
  /** Network loss during the load, as a fraction. */
  readonly loss?: number;
  readonly retransmitInitialMs?: number;
  /** Fail primary p2 this long into the load, and replace it this much later (its restore runs under load). */
  readonly failAtS?: number;
  readonly replaceAfterMs?: number;
}

export const BLOCK_BYTES = 4096;
export const READ_FRACTION = 0.3;
export const IODEPTH = 16;
export const DRIVES = 4;

export function latencyScenario(id: string, p: LatencyPoint): Record<string, unknown> {
  const perHost = p.offeredIops / p.primaries;
  const network: Record<string, unknown> = { model: 'lossy', latency: '50us', bandwidth: '1.25GB/s' };
  if (p.loss !== undefined && p.loss > 0) network['loss'] = `${p.loss * 100}%`;
  const s: Record<string, unknown> = {
    name: id,
    description: `Latency report point: ${p.primaries} primaries, ${p.offeredIops} operations/s offered in all (open loop, ${READ_FRACTION * 100} % reads)${p.failAtS !== undefined ? `, p2 lost at ${p.failAtS}s and restored under load` : ''}.`,
    blockSize: '4KiB',
    primaries: { count: p.primaries, blocks: p.blocks },
    disk: { model: 'hdd', drives: DRIVES, queue: 'sptf' },
    network,
    workload: { duration: `${p.durationS}s`, rate: `${Number(perHost.toPrecision(6))}/s`, iodepth: IODEPTH, readFraction: READ_FRACTION },
    settle: '10m',
  };
  if (p.ackPolicy !== undefined) s['ackPolicy'] = p.ackPolicy;
  if (p.retransmitInitialMs !== undefined) s['retransmit'] = { initial: `${p.retransmitInitialMs}ms` };
  if (p.failAtS !== undefined) {
    s['faults'] = { schedule: [{ at: `${p.failAtS}s`, do: 'fail-array', array: 'p2', replaceAfter: `${p.replaceAfterMs ?? 500}ms` }] };
  }
  return s;
}

/** Enough load time for about `ops` operations at the offered rate, within bounds. */
export function durationFor(offeredIops: number, ops: number, minS: number, maxS: number): number {
  return Math.min(maxS, Math.max(minS, Math.ceil(ops / offeredIops)));
}
