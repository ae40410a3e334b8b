// Where a hardened write's time goes, read from the run's trace records (no
// hook in the controllers): the drive records (hdd.read/hdd.write: completion
// time, queue wait, service) and the messages (net.send/net.deliver) about the
// write's block, between the host operation's arrival and its acknowledgement.
//
// A write to block k of primary p (ack after parity durable) is the chain
//   arrival → [host queue, block lock] → read old (drive queue + service)
//   → [intent journal] → write new (queue + service) → [retransmissions]
//   → delta on the wire → [parity lock] → parity read Q[k] (queue + service)
//   → [parity journal] → write Q[k] (queue + service) → [retransmissions]
//   → ack on the wire → acknowledged.
// Each link is the gap between two timestamps, so the components add up to the
// write's latency exactly. Only writes with no other host operation on block k
// (any array) overlapping them are analysed: their records are unambiguous.
// The others are counted as excluded.
import type { ResolvedScenario } from '../../sim/scenario/resolve.js';
import type { HostOp } from '../../sim/workload/host-workload.js';
import { rank, sortedCopy } from '../stats/percentiles.js';

export const COMPONENTS = [
  'host queue and block lock',
  'primary drive queue',
  'primary drive service',
  'journals and parity lock',
  'network transit',
  'retransmission wait',
  'parity drive queue',
  'parity drive service',
] as const;

export interface BreakdownSummary {
  readonly components: readonly string[];
  /** Mean µs per analysed write, per component. */
  readonly meanUs: readonly number[];
  /** The same over the slowest 1 % of analysed writes (latency ≥ their p99). */
  readonly tailMeanUs: readonly number[];
  readonly analysed: number;
  readonly excluded: number;
  readonly meanLatencyUs: number;
  readonly p99LatencyUs: number;
}

interface DiskRecord {
  readonly t: number;
  readonly array: string;
  readonly write: boolean;
  readonly wait: number;
  readonly service: number;
}

interface NetRecord {
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly deliver: boolean;
}

export class WriteBreakdown {
  readonly #parity: string;
  /** Drives per array and stripe unit: to map a drive's local block to the logical one. */
  readonly #drives = new Map<string, number>();
  readonly #unit: number;
  readonly #disk = new Map<number, DiskRecord[]>();
  readonly #net = new Map<number, NetRecord[]>();
  #on = false;

  constructor(scenario: ResolvedScenario) {
    this.#parity = scenario.parity.name;
    const d = scenario.disk;
    if (d.model !== 'hdd') throw new RangeError('write breakdown: needs disk.model "hdd" (drive queue and service come from the drive records)');
    for (const p of scenario.primaries) this.#drives.set(p.name, d.drives);
    this.#drives.set(scenario.parity.name, d.parityDrives ?? d.drives);
    this.#unit = d.stripeUnit;
  }

  /** Records before the load (the parity build) are not wanted. */
  start(_atUs: number): void {
    this.#on = true;
  }

  take(line: string): void {
    if (!this.#on) return;
    if (line.includes('"kind":"hdd.read"') || line.includes('"kind":"hdd.write"')) {
      const r = JSON.parse(line) as { t: number; kind: string; actor: string; lba: number; serviceUs: number; waitUs: number; error: number };
      const slash = r.actor.lastIndexOf('/d');
      const array = r.actor.slice(0, slash);
      const drive = Number(r.actor.slice(slash + 2));
      const n = this.#drives.get(array) ?? 1;
      const u = this.#unit;
      const block = (Math.floor(r.lba / u) * n + drive) * u + (r.lba % u);
      push(this.#disk, block, { t: r.t, array, write: r.kind === 'hdd.write', wait: r.waitUs, service: r.serviceUs });
    } else if (line.includes('"kind":"net.send"') || line.includes('"kind":"net.deliver"')) {
      const r = JSON.parse(line) as { t: number; kind: string; actor: string; block: number; to?: string; from?: string };
      if (r.block < 0) return;
      const deliver = r.kind === 'net.deliver';
      push(this.#net, r.block, { t: r.t, from: deliver ? r.from! : r.actor, to: deliver ? r.actor : r.to!, deliver });
    }
  }

  /** Analyses every write in `ops` (all host operations of the run, for the overlap test). */
  summary(ops: readonly HostOp[]): BreakdownSummary {
    const byBlock = new Map<number, HostOp[]>();
    for (const op of ops) push(byBlock, op.block, op);
    const rows: number[][] = [];
    let excluded = 0;
    for (const op of ops) {
      if (!op.write) continue;
      const alone = byBlock.get(op.block)!.every((o) => o === op || o.endUs < op.startUs || o.startUs > op.endUs);
      const row = alone && op.ok ? this.#analyse(op) : undefined;
      if (row === undefined) excluded++;
      else rows.push(row);
    }
    const latency = rows.map((r) => r.reduce((s, x) => s + x, 0));
    const p99 = rank(sortedCopy(latency), 0.99);
    const mean = (subset: number[][]) => COMPONENTS.map((_, i) => (subset.length === 0 ? 0 : subset.reduce((s, r) => s + r[i]!, 0) / subset.length));
    return {
      components: [...COMPONENTS],
      meanUs: mean(rows),
      tailMeanUs: mean(rows.filter((_, i) => latency[i]! >= p99)),
      analysed: rows.length,
      excluded,
      meanLatencyUs: latency.length === 0 ? 0 : latency.reduce((s, x) => s + x, 0) / latency.length,
      p99LatencyUs: p99,
    };
  }

  /** The components of one write, or undefined if its records are incomplete. */
  #analyse(op: HostOp): number[] | undefined {
    const p = op.array;
    const q = this.#parity;
    const within = (r: { t: number }) => r.t >= op.startUs && r.t <= op.endUs;
    const disk = (this.#disk.get(op.block) ?? []).filter(within);
    const net = (this.#net.get(op.block) ?? []).filter(within);
    const read = disk.find((r) => r.array === p && !r.write);
    if (read === undefined) return undefined;
    const write = disk.find((r) => r.array === p && r.write && r.t >= read.t);
    if (write === undefined) return undefined;
    const delivered = net.find((m) => m.deliver && m.from === p && m.to === q && m.t >= write.t);
    if (delivered === undefined) return undefined;
    const sent = last(net, (m) => !m.deliver && m.from === p && m.to === q && m.t <= delivered.t);
    const pRead = disk.find((r) => r.array === q && !r.write && r.t >= delivered.t);
    if (sent === undefined || pRead === undefined) return undefined;
    const pWrite = disk.find((r) => r.array === q && r.write && r.t >= pRead.t);
    if (pWrite === undefined) return undefined;
    const ack = last(net, (m) => m.deliver && m.from === q && m.to === p && m.t >= pWrite.t);
    if (ack === undefined) return undefined;
    const ackSent = last(net, (m) => !m.deliver && m.from === q && m.to === p && m.t <= ack.t && m.t >= pWrite.t);
    if (ackSent === undefined) return undefined;
    const submitted = (r: DiskRecord) => r.t - r.wait - r.service;
    return [
      submitted(read) - op.startUs,
      read.wait + write.wait,
      read.service + write.service,
      submitted(write) - read.t + (submitted(pRead) - delivered.t) + (submitted(pWrite) - pRead.t) + (op.endUs - ack.t),
      delivered.t - sent.t + (ack.t - ackSent.t),
      sent.t - write.t + (ackSent.t - pWrite.t),
      pRead.wait + pWrite.wait,
      pRead.service + pWrite.service,
    ];
  }
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function last<T>(list: readonly T[], predicate: (x: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (predicate(list[i]!)) return list[i];
  return undefined;
}
