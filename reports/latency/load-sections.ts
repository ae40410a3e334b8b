// Latency report sections about load: latency and IOPS vs offered load, the
// CDF at one load, where a write's time goes, and the single-drive M/G/1 check.
import { COMPONENTS } from '../jobs/write-breakdown.js';
import { percent, seedsText, sig } from '../model/format.js';
import type { ChartSpec, Section, Series, TableSpec, TheoryCheck } from '../model/report.js';
import { CDF_LEVELS } from '../stats/percentiles.js';
import { FIXED_LOAD, type LatencyContext, type LatencyParams, PRIMARY_COUNTS, ms, overSeeds, runsText } from './latency-context.js';
import { BLOCK_BYTES, DRIVES } from './latency-scenarios.js';
import { MG1_BATCHES, type Mg1Result } from './mg1.js';

const opsPerSec = (r: { writesDone: number; readsDone: number; busyUs: number }): number => (r.writesDone + r.readsDone) / (r.busyUs / 1e6);

// Why over 70 lines: one report section (its table, chart and prose) built from the same sweep;
// each part a few lines.
export function loadSection(ctx: LatencyContext): Section {
  const { loads } = ctx.params;
  const ids = PRIMARY_COUNTS.flatMap((n) => loads.map((l) => ctx.loadId(n, l)));
  const caption = `${runsText(ctx, ids)} · N primaries + parity, ${DRIVES} HDDs each (SPTF), 4 KiB random, 30 % reads, open loop, ≤ 16 in service per host · x: operations/s offered by all hosts`;
  const latencyChart = (kind: 'write' | 'read'): ChartSpec => ({
    id: `${kind}-latency-vs-load`,
    title: `Host ${kind} latency vs offered load (p99 solid, p50 dotted)`,
    caption,
    kind: 'line',
    x: { label: 'offered load (IOPS, all hosts)', scale: 'linear', min: 0 },
    y: { label: `${kind} latency (ms, log scale)`, scale: 'log' },
    series: PRIMARY_COUNTS.flatMap((n, i): Series[] => [
      { label: `N=${n} p99`, color: i, points: loads.map((l) => ({ x: l, ...scaleMs(overSeeds(ctx.of(ctx.loadId(n, l)), (r) => r[kind].p99)) })) },
      { label: `N=${n} p50`, color: i, dashed: true, points: loads.map((l) => ({ x: l, ...scaleMs(overSeeds(ctx.of(ctx.loadId(n, l)), (r) => r[kind].p50)) })) },
    ]),
  });
  const throughput: ChartSpec = {
    id: 'iops-vs-load',
    title: 'Achieved IOPS vs offered load: where the group saturates',
    caption: `${caption} · achieved = operations completed ÷ (first arrival to last completion)`,
    kind: 'line',
    x: { label: 'offered load (IOPS, all hosts)', scale: 'linear', min: 0 },
    y: { label: 'achieved IOPS (all hosts)', scale: 'linear', min: 0 },
    series: [
      ...PRIMARY_COUNTS.map((n, i): Series => ({ label: `N=${n}`, color: i, points: loads.map((l) => ({ x: l, ...overSeeds(ctx.of(ctx.loadId(n, l)), opsPerSec) })) })),
      { label: 'achieved = offered', theory: true, points: [{ x: 0, y: 0 }, { x: loads[loads.length - 1]!, y: loads[loads.length - 1]! }] },
    ],
  };
  const rows = PRIMARY_COUNTS.flatMap((n) =>
    loads.map((l) => {
      const rs = ctx.of(ctx.loadId(n, l));
      const m = (pick: (r: (typeof rs)[number]) => number) => overSeeds(rs, pick).y;
      const iops = m(opsPerSec);
      const parity = m((r) => r.arrays.find((a) => a.name === 'parity')!.utilization);
      const primary = m((r) => r.arrays.filter((a) => a.name !== 'parity').reduce((s, a) => s + a.utilization, 0) / n);
      return {
        scenario: ctx.loadId(n, l),
        primaries: n,
        offered_iops: l,
        achieved_iops: round(iops, 1),
        mb_per_s: round((iops * BLOCK_BYTES) / 1e6, 3),
        write_p50_ms: round(ms(m((r) => r.write.p50)), 2),
        write_p90_ms: round(ms(m((r) => r.write.p90)), 2),
        write_p99_ms: round(ms(m((r) => r.write.p99)), 2),
        write_p999_ms: round(ms(m((r) => r.write.p999)), 2),
        write_max_ms: round(ms(m((r) => r.write.max)), 2),
        read_p50_ms: round(ms(m((r) => r.read.p50)), 2),
        read_p99_ms: round(ms(m((r) => r.read.p99)), 2),
        read_p999_ms: round(ms(m((r) => r.read.p999)), 2),
        read_max_ms: round(ms(m((r) => r.read.max)), 2),
        parity_drive_util: round(parity, 3),
        primary_drive_util: round(primary, 3),
        ops: rs.reduce((s, r) => s + r.writesDone + r.readsDone, 0),
      };
    }),
  );
  const table: TableSpec = {
    id: 'latency-vs-load',
    title: 'Latency and throughput vs offered load',
    caption: `${caption} · utilisation: drive busy time ÷ (drives × time), from the start of the load to the last completion`,
    columns: Object.keys(rows[0]!).map((key) => ({ key, label: key })),
    rows,
  };
  const peaks = PRIMARY_COUNTS.map((n) => {
    const best = rows.filter((r) => r.primaries === n).reduce((a, b) => (b.achieved_iops > a.achieved_iops ? b : a));
    return { n, iops: best.achieved_iops, parity: best.parity_drive_util, primary: best.primary_drive_util };
  });
  const knee = peaks.map((p) => `N=${p.n}: ${Math.round(p.iops)} IOPS (parity drives ${percent(p.parity, 0)} busy, primaries' ${percent(p.primary, 0)})`);
  const parityBusiest = peaks.every((p) => p.parity > p.primary);
  return {
    title: 'Latency vs offered load, up to saturation',
    text: [
      `Every host write costs its primary a read-modify-write (read the old block, write the new) and costs the parity array another one (read Q[k], write Q[k] ^ d), and with the default policy the host waits for both. The parity array's ${DRIVES} drives serve the writes of all N primaries, each primary's ${DRIVES} only its own. Highest throughput reached, and how busy the drives were there: ${knee.join('; ')}.${parityBusiest ? ' In every case the parity drives were the busier side: parity sets the ceiling.' : ''} Larger N raises the ceiling somewhat: more operations outstanding make the drives' SPTF scheduling more effective.`,
      `Past saturation the open-loop arrivals queue at the hosts and latency grows with the length of the run; the points there show that the offered load is not sustainable, not a steady-state latency. Reads suffer too: they wait behind writes for one of the 16 slots of their host.`,
    ],
    charts: [latencyChart('write'), latencyChart('read'), throughput],
    tables: [table],
  };
}

export function cdfSection(ctx: LatencyContext): Section {
  const ids = PRIMARY_COUNTS.map((n) => ctx.loadId(n, FIXED_LOAD));
  // Quantiles averaged over seeds (Vincentisation): a CDF of the typical run.
  const curve = (id: string, kind: 'writeCdf' | 'readCdf') => {
    const rs = ctx.of(id);
    return CDF_LEVELS.map((level, i) => ({ x: ms(rs.reduce((s, r) => s + r[kind][i]!, 0) / rs.length), y: level }));
  };
  return {
    title: `Latency distribution at ${FIXED_LOAD} IOPS`,
    text: [`The whole distribution at one load, well below saturation. A read is one drive access at its primary; a write is a read-modify-write there and another at parity, acknowledged once parity's is durable.`],
    charts: [
      {
        id: 'latency-cdf',
        title: `Latency CDF at ${FIXED_LOAD} IOPS offered`,
        caption: `${runsText(ctx, ids)} · quantiles averaged over seeds · otherwise as the load sweep`,
        kind: 'line',
        x: { label: 'latency (ms, log scale)', scale: 'log' },
        y: { label: 'fraction of operations ≤ x', scale: 'linear', min: 0, max: 1 },
        series: [
          ...PRIMARY_COUNTS.map((n, i): Series => ({ label: `write, N=${n}`, color: i, points: curve(ctx.loadId(n, FIXED_LOAD), 'writeCdf') })),
          { label: 'read, N=4', color: 3, dashed: true, points: curve(ctx.loadId(4, FIXED_LOAD), 'readCdf') },
        ],
      },
    ],
    tables: [],
  };
}

export function breakdownSection(ctx: LatencyContext): Section {
  const ids = PRIMARY_COUNTS.map((n) => ctx.loadId(n, FIXED_LOAD));
  const groups = PRIMARY_COUNTS.flatMap((n) => {
    const rs = ctx.of(ctx.loadId(n, FIXED_LOAD));
    const avg = (pick: (b: NonNullable<(typeof rs)[number]['breakdown']>) => readonly number[]) => COMPONENTS.map((_, i) => rs.reduce((s, r) => s + pick(r.breakdown!)[i]!, 0) / rs.length);
    return [
      { label: `N=${n} all writes`, n, values: avg((b) => b.meanUs), analysed: rs.reduce((s, r) => s + r.breakdown!.analysed, 0), excluded: rs.reduce((s, r) => s + r.breakdown!.excluded, 0) },
      { label: `N=${n} slowest 1 %`, n, values: avg((b) => b.tailMeanUs), analysed: 0, excluded: 0 },
    ];
  });
  const analysed = groups.reduce((s, g) => s + g.analysed, 0);
  const excluded = groups.reduce((s, g) => s + g.excluded, 0);
  const caption = `${runsText(ctx, ids)} · ${FIXED_LOAD} IOPS offered · mean ms per write from the trace records of ${analysed} writes (${excluded} overlapping another operation on the same block left out)`;
  const rows = groups.map((g) => ({ writes: g.label, ...Object.fromEntries(COMPONENTS.map((c, i) => [c, round(ms(g.values[i]!), 3)])), total_ms: round(ms(g.values.reduce((s, v) => s + v, 0)), 3) }));
  const first = groups[2]!;
  const total = first.values.reduce((s, v) => s + v, 0);
  const share = (name: string) => percent(first.values[COMPONENTS.indexOf(name as (typeof COMPONENTS)[number])]! / total, 1);
  const tail = groups[3]!;
  const tailTop = COMPONENTS[tail.values.indexOf(Math.max(...tail.values))]!;
  const base = ctx.of(ctx.loadId(4, FIXED_LOAD));
  const messagesPerWrite = base.reduce((s, r) => s + r.network.messages / Math.max(1, r.writesDone), 0) / base.length;
  const retransmitWait = first.values[COMPONENTS.indexOf('retransmission wait')]!;
  return {
    title: "Where a write's time goes",
    text: [
      `Each write's latency split along its path, from the drive and message records of the run: the components add up to the latency exactly. At N=4 the primary's drives take ${share('primary drive service')} (service) + ${share('primary drive queue')} (queue) of a write's time, the parity drives ${share('parity drive service')} + ${share('parity drive queue')}, the network ${share('network transit')}. In the slowest 1 % of writes (N=4) the largest part is the ${tailTop} (${sig(ms(Math.max(...tail.values)))} ms of ${sig(ms(tail.values.reduce((s, v) => s + v, 0)))} ms).`,
      `Retransmission wait at N=4: ${sig(ms(retransmitWait))} ms per write on this lossless network, while the network carried ${sig(messagesPerWrite)} messages per host write where a delta and its ack make 2. The rest are resent deltas (and parity's acks to them). The timer starts at 5 ms, shorter than a write's trip through the drives, and adapts to the round trips it measures (smoothed round trip + 4 × its deviation, doubled on each timeout): deltas are resent mostly while it learns, and when one write waits far longer than those before it. Parity drops the copies as duplicates, so they cost network bytes (capacity report), not time.`,
    ],
    charts: [
      {
        id: 'write-breakdown',
        title: `Where a write's time goes at ${FIXED_LOAD} IOPS (mean per write)`,
        caption,
        kind: 'bar',
        stacked: true,
        x: { label: 'writes', scale: 'category' },
        y: { label: 'mean time per write (ms)', scale: 'linear', min: 0 },
        series: COMPONENTS.map((c, i): Series => ({ label: c, stack: 'w', color: i, points: groups.map((g) => ({ x: g.label, y: ms(g.values[i]!) })) })),
      },
    ],
    tables: [{ id: 'write-breakdown', title: "Where a write's time goes (ms per write)", caption, columns: Object.keys(rows[0]!).map((key) => ({ key, label: key })), rows }],
  };
}

export function mg1Section(results: readonly Mg1Result[], p: LatencyParams): Section {
  const rhos = p.rhos;
  const at = (rho: number) => results.filter((r) => r.rho === rho);
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const caption = `one drive of the datasheet model (sim/disk/hdd.ts, 20 TB, FIFO), random 4 KiB reads, Poisson arrivals at ρ × 1/E[S] · ${p.mg1Requests.toLocaleString('en-US')} requests per point · ${seedsText(p.seeds)} · bars: ±1.96 standard errors (batch means, ${MG1_BATCHES} batches)`;
  return {
    title: 'Theory check: one drive under Poisson load vs M/G/1',
    text: [
      `The drive model against queueing theory: for Poisson arrivals at rate λ and service times S (seek + rotation + transfer, from the model itself), the Pollaczek–Khinchine formula gives the mean wait in queue W = λ·E[S²] / (2·(1 − ρ)), ρ = λ·E[S]. The simulation measures W directly; the prediction uses the measured λ and the measured moments of S. Tolerance: 3 standard errors of the simulated mean or 2 % of the prediction, whichever is larger (the model's service times are not quite independent: each seek starts where the previous one ended).`,
    ],
    charts: [
      {
        id: 'mg1-wait',
        title: 'One drive: mean queueing delay vs utilisation, simulated and Pollaczek–Khinchine',
        caption,
        kind: 'line',
        x: { label: 'utilisation ρ = λ·E[S]', scale: 'linear', min: 0, max: 1 },
        y: { label: 'mean wait in queue (ms, log scale)', scale: 'log' },
        series: [
          { label: 'simulated', points: rhos.map((rho) => { const rs = at(rho); const w = mean(rs.map((r) => r.waitUs)); const se = Math.sqrt(mean(rs.map((r) => r.waitStandardErrorUs ** 2)) / rs.length); return { x: mean(rs.map((r) => r.measuredRho)), y: ms(w), lo: ms(w - 1.96 * se), hi: ms(w + 1.96 * se) }; }) },
          { label: 'M/G/1 (Pollaczek–Khinchine)', theory: true, points: rhos.map((rho) => { const rs = at(rho); return { x: mean(rs.map((r) => r.measuredRho)), y: ms(mean(rs.map((r) => r.pkWaitUs))) }; }) },
        ],
      },
    ],
    tables: [
      {
        id: 'mg1',
        title: 'One drive under Poisson load',
        caption,
        columns: ['target_rho', 'seed', 'measured_rho', 'lambda_per_s', 'mean_service_ms', 'service_cv2', 'wait_ms', 'wait_se_ms', 'pk_wait_ms', 'difference'].map((key) => ({ key, label: key })),
        rows: results.map((r) => ({
          target_rho: r.rho,
          seed: r.seed,
          measured_rho: round(r.measuredRho, 4),
          lambda_per_s: round(r.lambdaPerSec, 2),
          mean_service_ms: round(ms(r.meanServiceUs), 3),
          service_cv2: round(r.serviceCv2, 4),
          wait_ms: round(ms(r.waitUs), 3),
          wait_se_ms: round(ms(r.waitStandardErrorUs), 3),
          pk_wait_ms: round(ms(r.pkWaitUs), 3),
          difference: percent(r.waitUs / r.pkWaitUs - 1, 2),
        })),
      },
    ],
  };
}

export function mg1Check(results: readonly Mg1Result[]): TheoryCheck[] {
  return results.map((r) => {
    const allowed = Math.max(3 * r.waitStandardErrorUs, 0.02 * r.pkWaitUs);
    return {
      name: `M/G/1 mean wait, one drive, ρ = ${r.rho}`,
      quantity: 'mean wait in queue (ms)',
      simulated: ms(r.waitUs),
      predicted: ms(r.pkWaitUs),
      difference: r.waitUs / r.pkWaitUs - 1,
      tolerance: `|difference| ≤ max(3 standard errors, 2 %) = ±${percent(allowed / r.pkWaitUs, 1)}`,
      pass: Math.abs(r.waitUs - r.pkWaitUs) <= allowed,
      source: `${r.requests.toLocaleString('en-US')} requests, seed ${r.seed}`,
    };
  });
}

function scaleMs(v: { y: number; lo?: number; hi?: number }) {
  return { y: ms(v.y), ...(v.lo !== undefined ? { lo: ms(v.lo), hi: ms(v.hi!) } : {}) };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f || 0; // never "-0"
}

export { sig };
