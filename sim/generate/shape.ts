// A generated world's shape, before its faults: the arrays and their sizes,
// the hardware, the network, the ack policy and the host load — drawn wide
// (1 to 16 primaries, 1 block to tens of thousands, mixed sizes, a few hot
// blocks, ideal or HDD arrays with or without write caches, an ideal or lossy
// network, closed or open loop, bursts) but kept cheap to run: mostly small
// arrays and a few hundred milliseconds of load, so hundreds of seeds run in
// minutes. What the fault plan needs (plan.ts) is imposed through `Needs`.
import { parseDuration, humanDuration as us } from '../scenario/units.js';
import type { Dice } from './dice.js';
import type { Json } from './plan.js';

export interface Needs {
  /** HDD arrays (latent errors, drive failures). */
  readonly hdd: boolean;
  /** The lossy network (partitions, flaps, disordered deltas). */
  readonly lossy: boolean;
  /** A hot, deep load (deltas for one block overtaking each other). */
  readonly hot: boolean;
  /** HDD with write caches is the interesting case (power failure after a repair). */
  readonly writeCache: boolean;
}

/** What the fault plan must know before it places anything. */
export interface Basics {
  readonly hdd: boolean;
  readonly drives: number;
  readonly lossy: boolean;
  /** The load's length (µs): the plan's faults fall inside it. */
  readonly loadUs: number;
}

export function drawBasics(d: Dice, needs: Needs): Basics {
  // A power failure loses what a drive's write cache held: only HDD arrays have one.
  const hdd = needs.hdd || d.chance(needs.writeCache ? 0.6 : 0.2);
  return {
    hdd,
    drives: hdd ? d.int(1, 4) : 0,
    lossy: needs.lossy || d.chance(0.3),
    loadUs: hdd ? d.int(400, 1000) * 1000 : d.int(200, 500) * 1000,
  };
}

export interface Shape {
  /** Each primary's size, p1 first. */
  readonly blocks: readonly number[];
  /** The scenario JSON without primaries, faults or scrub (the generator adds them). */
  readonly json: Json;
}

/** The rest of the world for `count` primaries (at least the plan's). */
export function drawShape(d: Dice, count: number, b: Basics, needs: Needs): Shape {
  const n = Math.max(count, d.weighted([1, 2, 3, 4, 5, 6, 8, 12, 16], (x) => (x === 1 ? 1 : x <= 4 ? 6 : x <= 6 ? 2 : 1)));
  const blocks = drawBlocks(d, Math.min(16, n), b.hdd, needs.hot);
  const largest = Math.max(...blocks);
  const disk: Json = b.hdd
    ? { model: 'hdd', drives: b.drives, stripeUnit: d.pick([1, 1, 2, 4]), queue: d.pick(['fifo', 'sstf', 'sptf']), writeCache: d.chance(needs.writeCache ? 0.8 : 0.5) }
    : { model: 'ideal', latency: us(d.logInt(20, 800)) };
  const json: Json = {
    blockSize: d.pick([512, 4096, 4096, 4096, 65536]),
    payloadBytes: d.pick([8, 16, 16, 32]),
    prefill: largest > 4096 ? d.pick([0, 0.05, 0.1]) : d.pick([0, 0.25, 0.5, 0.8]),
    disk,
    network: b.lossy ? lossyNetwork(d, b.hdd) : { model: 'ideal', latency: us(d.logInt(10, 300)) },
    ackPolicy: d.chance(0.15) ? 'local-write' : 'parity-durable',
    workload: workload(d, b, needs.hot, largest, blocks.length, disk),
    settle: b.hdd ? '60s' : '20s',
  };
  return { blocks, json };
}

/** Mostly small arrays; now and then one of tens of thousands of blocks (ideal disks only: HDD runs stay short). */
function drawBlocks(d: Dice, count: number, hdd: boolean, hot: boolean): number[] {
  const size = (): number => {
    if (hot) return d.int(4, 16);
    const r = d.real(0, 1);
    if (r < 0.35) return d.int(1, 16);
    if (r < 0.7) return d.logInt(16, 128);
    if (r < 0.93 || hdd || count > 4) return d.logInt(128, hdd ? 256 : 1024);
    return d.logInt(1024, 32768);
  };
  const base = size();
  if (!d.chance(0.35)) return Array.from({ length: count }, () => base);
  return Array.from({ length: count }, () => Math.max(1, Math.floor(base * d.real(0.1, 1))));
}

function lossyNetwork(d: Dice, hdd: boolean): Json {
  const p = (max: number) => (d.chance(0.6) ? `${Number(d.real(0, max).toFixed(2))}%` : '0%');
  return {
    model: 'lossy',
    latency: us(d.logInt(10, 300)),
    jitter: us(d.chance(0.5) ? d.int(0, 200) : 0),
    loss: p(5),
    duplicate: p(3),
    reorder: p(5),
    reorderDelay: us(d.logInt(100, hdd ? 20_000 : 3000)),
  };
}

function workload(d: Dice, b: Basics, hot: boolean, largest: number, hosts: number, disk: Json): Json {
  const hdd = b.hdd;
  const w: Json = { duration: us(b.loadUs), readFraction: Number(d.real(0, 0.8).toFixed(2)) };
  if (d.chance(0.2) && !hot) {
    // An open loop's rate is offered by every host, and the one parity array serves all their writes
    // (a read and a write of Q[k] each): the rate drawn is the total, kept within half of what parity
    // serves — beyond it a run ends as overload, a finding about capacity, not about the protocol.
    const total = hdd ? d.int(20, 150) : d.logInt(100, 3000);
    const parityServes = hdd ? 50 * b.drives : 1e6 / (2 * (parseDuration(String(disk['latency'])) ?? 1));
    w['rate'] = `${Math.max(1, Math.floor(Math.min(total, parityServes / 2) / hosts))}/s`;
    w['iodepth'] = d.int(2, 32);
  } else {
    w['iodepth'] = hot ? d.int(8, 16) : d.logInt(1, hdd ? 8 : 16);
    w['thinkTime'] = us(hdd ? d.logInt(2000, 20_000) : hot ? d.logInt(20, 500) : d.logInt(50, 5000));
  }
  if (hot || (largest > 4 && d.chance(0.35))) w['hotSet'] = { blocks: d.int(1, Math.min(16, largest)), share: Number(d.real(hot ? 0.7 : 0.3, 0.95).toFixed(2)) };
  if (d.chance(0.2)) w['bursts'] = { every: us(d.int(10, 100) * 1000), length: us(d.int(1, 8) * 1000) };
  return w;
}
