// Latency report sections about policy and faults: ack after parity durable vs
// after the local write, network loss and the retransmission timer, and
// latency while a lost primary is restored under load.
import { formatUs, percent, sig } from '../model/format.js';
import type { Section, Series } from '../model/report.js';
import { latencyStats } from '../stats/percentiles.js';
import { FIXED_LOAD, type LatencyContext, ms, runsText } from './latency-context.js';
import { round } from './load-sections.js';

const PERCENTILES = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p99.9', 'p999'],
  ['max', 'max'],
] as const;

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export function policySection(ctx: LatencyContext): Section {
  const cases = [
    { label: 'ack after parity durable (default)', id: ctx.loadId(4, FIXED_LOAD) },
    { label: 'ack after local write', id: 'ack-local-write-n4' },
  ];
  const caption = `${runsText(ctx, cases.map((c) => c.id))} · N=4, ${FIXED_LOAD} IOPS offered, otherwise as the load sweep · host write latency, mean over seeds`;
  const value = (id: string, key: (typeof PERCENTILES)[number][1]) => ms(mean(ctx.of(id).map((r) => r.write[key])));
  const saved = value(cases[0]!.id, 'p50') - value(cases[1]!.id, 'p50');
  return {
    title: 'Ack after parity durable vs after the local write',
    text: [
      `With \`ackPolicy: "parity-durable"\` (the default, like DRBD protocol C) a host write returns once parity has applied its delta durably; with \`"local-write"\` (like protocol A) it returns after the primary's own read-modify-write, and the delta follows. The second saves the parity round trip — ${sig(saved)} ms at the median here — and opens a window: a write acknowledged but not yet in parity is lost if its primary array fails before the delta lands.`,
    ],
    charts: [
      {
        id: 'ack-policy',
        title: `Write latency by ack policy (N=4, ${FIXED_LOAD} IOPS)`,
        caption,
        kind: 'bar',
        x: { label: 'percentile', scale: 'category' },
        y: { label: 'write latency (ms)', scale: 'linear', min: 0 },
        series: cases.map((c, i): Series => ({ label: c.label, color: i, points: PERCENTILES.map(([label, key]) => ({ x: label, y: value(c.id, key) })) })),
      },
    ],
    tables: [
      {
        id: 'ack-policy',
        title: 'Write latency by ack policy (ms)',
        caption,
        columns: ['policy', 'scenario', ...PERCENTILES.map(([l]) => l), 'writes'].map((key) => ({ key, label: key })),
        rows: cases.map((c) => ({ policy: c.label, scenario: c.id, ...Object.fromEntries(PERCENTILES.map(([label, key]) => [label, round(value(c.id, key), 2)])), writes: ctx.of(c.id).reduce((s, r) => s + r.write.count, 0) })),
      },
    ],
  };
}

export function lossSection(ctx: LatencyContext): Section {
  const cases = [0, 0.01, 0.05].flatMap((loss) =>
    [5, 100].map((rt) => ({ loss, rt, id: loss === 0 && rt === 5 ? ctx.loadId(4, FIXED_LOAD) : `loss-${loss * 100}pct-rt${rt}ms-n4` })),
  );
  const caption = `${runsText(ctx, cases.map((c) => c.id))} · N=4, ${FIXED_LOAD} IOPS offered · loss on every link during the load · retransmission timer starting at 5 ms (default) or 100 ms, adapted to measured round trips, at most 500 ms · mean over seeds`;
  const w = (id: string, key: 'p99' | 'p999' | 'p50' | 'max') => ms(mean(ctx.of(id).map((r) => r.write[key])));
  const perWrite = (id: string, pick: (r: ReturnType<LatencyContext['of']>[number]) => number) => mean(ctx.of(id).map((r) => pick(r) / Math.max(1, r.writesDone)));
  const series: Series[] = [5, 100].flatMap((rt, i) => [
    { label: `p99, retransmit ${rt} ms`, color: 2 * i, points: cases.filter((c) => c.rt === rt).map((c) => ({ x: percent(c.loss, 0), y: w(c.id, 'p99') })) },
    { label: `p99.9, retransmit ${rt} ms`, color: 2 * i + 1, points: cases.filter((c) => c.rt === rt).map((c) => ({ x: percent(c.loss, 0), y: w(c.id, 'p999') })) },
  ]);
  const at = (loss: number, rt: number) => cases.find((c) => c.loss === loss && c.rt === rt)!.id;
  const few = cases.some((c) => ctx.of(c.id).reduce((s, r) => s + r.write.count, 0) < 2000);
  return {
    title: 'The cost of network loss on tail latency',
    text: [
      `A lost delta or ack is recovered by the primary's retransmission timer, so loss adds about one timeout to the writes it hits (each write sends at least two messages). The timer starts at the configured initial timeout and then follows the round trips it measures; each timeout doubles it until a fresh measurement. Starting at the default 5 ms, write p99.9 is ${sig(w(at(0, 5), 'p999'))} ms without loss and ${sig(w(at(0.05, 5), 'p999'))} ms at 5 % loss, with ${sig(perWrite(at(0, 5), (r) => r.network.messages))} messages per write without any loss. Starting at 100 ms: ${sig(perWrite(at(0, 100), (r) => r.network.messages))} messages per write without loss, and write p99.9 ${sig(w(at(0.01, 100), 'p999'))} ms at 1 % and ${sig(w(at(0.05, 100), 'p999'))} ms at 5 % loss.${few ? ` (With ${Math.min(...cases.map((c) => ctx.of(c.id).reduce((s, r) => s + r.write.count, 0)))} or so writes per point, p99.9 is about the slowest write: one unlucky write moves it. The full report's longer runs and 3 seeds are steadier.)` : ''}`,
    ],
    charts: [
      {
        id: 'network-loss',
        title: `Write tail latency vs network loss (N=4, ${FIXED_LOAD} IOPS)`,
        caption,
        kind: 'bar',
        x: { label: 'message loss on every link', scale: 'category' },
        y: { label: 'write latency (ms)', scale: 'linear', min: 0 },
        series,
      },
    ],
    tables: [
      {
        id: 'network-loss',
        title: 'Write latency and network traffic vs loss',
        caption,
        columns: ['loss', 'retransmit_initial_ms', 'scenario', 'writes', 'write_p50_ms', 'write_p99_ms', 'write_p999_ms', 'write_max_ms', 'messages_per_write', 'network_kb_per_write'].map((key) => ({ key, label: key })),
        rows: cases.map((c) => ({
          loss: percent(c.loss, 0),
          retransmit_initial_ms: c.rt,
          scenario: c.id,
          writes: ctx.of(c.id).reduce((s, r) => s + r.write.count, 0),
          write_p50_ms: round(w(c.id, 'p50'), 2),
          write_p99_ms: round(w(c.id, 'p99'), 2),
          write_p999_ms: round(w(c.id, 'p999'), 2),
          write_max_ms: round(w(c.id, 'max'), 2),
          messages_per_write: round(perWrite(c.id, (r) => r.network.messages), 2),
          network_kb_per_write: round(perWrite(c.id, (r) => r.network.modeledBytes) / 1000, 2),
        })),
      },
    ],
  };
}

export function restoreSection(ctx: LatencyContext): Section {
  const id = 'restore-n4';
  const r = ctx.of(id)[0]!; // one timeline: the first seed
  const repair = r.repairs.find((x) => x.array === 'p2');
  const ops = r.ops ?? [];
  const bucketUs = 1_000_000;
  const end = Math.max(...ops.map((o) => o[0]));
  const buckets = Math.ceil(end / bucketUs);
  const inBucket = (b: number, write: number) => ops.filter((o) => o[4] === 1 && o[3] === write && o[0] >= b * bucketUs && o[0] < (b + 1) * bucketUs).map((o) => o[1]);
  const timeline = (write: number, key: 'p50' | 'p99') =>
    Array.from({ length: buckets }, (_, b) => ({ x: (b + 0.5) * (bucketUs / 1e6), y: ms(latencyStats(inBucket(b, write))[key]) })).filter((p) => p.y > 0);
  const failed = repair?.failedUs ?? 0;
  const replaced = repair?.replacedUs ?? 0;
  const done = repair?.doneUs ?? null;
  const phases = [
    { phase: 'before the failure', from: 0, to: failed, host: -1 },
    { phase: 'p2 lost, not yet replaced', from: failed, to: replaced, host: -1 },
    { phase: 'restore of p2 under way', from: replaced, to: done ?? Infinity, host: -1 },
    { phase: "restore under way: p2's own host", from: replaced, to: done ?? Infinity, host: 1 },
    { phase: 'after the restore', from: done ?? Infinity, to: Infinity, host: -1 },
  ];
  const rows = phases.map((ph) => {
    const sel = ops.filter((o) => o[0] >= ph.from && o[0] < ph.to && (ph.host < 0 || o[2] === ph.host));
    const ws = latencyStats(sel.filter((o) => o[3] === 1 && o[4] === 1).map((o) => o[1]));
    const rs = latencyStats(sel.filter((o) => o[3] === 0 && o[4] === 1).map((o) => o[1]));
    return {
      phase: ph.phase,
      from_s: round(ph.from / 1e6, 3),
      to_s: Number.isFinite(ph.to) ? round(ph.to / 1e6, 3) : 'end',
      writes: ws.count,
      write_p50_ms: round(ms(ws.p50), 2),
      write_p99_ms: round(ms(ws.p99), 2),
      write_p999_ms: round(ms(ws.p999), 2),
      reads: rs.count,
      read_p50_ms: round(ms(rs.p50), 2),
      read_p99_ms: round(ms(rs.p99), 2),
      failed_ops: sel.filter((o) => o[4] === 0).length,
    };
  });
  const caption = `scenario ${id} · seed ${r.seed} · N=4, ${FIXED_LOAD} IOPS offered, otherwise as the load sweep · p2 lost ${sig(failed / 1e6)} s into the load, an empty array installed ${sig((replaced - failed) / 1e3)} ms later and restored from parity under load`;
  return {
    title: 'Latency during a restore vs normal operation',
    text: [
      `Primary p2 is lost and replaced by an empty array, which the parity array restores block by block (8 blocks in flight) while every host keeps its load. The restore reads every block of every other primary and of parity, so it competes with host I/O on every drive of the group; p2's own host is served meanwhile by degraded reads (parity rebuilds the block on demand) and writes that first rebuild their block. ${done === null ? '**The restore did not finish within the run.**' : `The restore of ${ctx.params.blocks} blocks of 4 KiB took ${sig((done - replaced) / 1e6)} s, ${sig(ctx.params.blocks / ((done - replaced) / 1e6))} blocks/s: each block costs a positioned read on parity and on every other primary and a write on the new array, 8 blocks at a time, competing with the hosts (the capacity report restores 1 MiB blocks, where transfer rather than positioning dominates).`} Write p99 before the failure: ${formatUs(rows[0]!.write_p99_ms * 1000)}; during the restore: ${formatUs(rows[2]!.write_p99_ms * 1000)} for all hosts, ${formatUs(rows[3]!.write_p99_ms * 1000)} for p2's own. Operations p2's host issued while p2 was gone fail at once (the table counts them); they are left out of the latencies.`,
    ],
    charts: [
      {
        id: 'restore-timeline',
        title: 'Host latency over time around a restore (per second of arrivals)',
        caption,
        kind: 'line',
        x: { label: 'time since the load started (s)', scale: 'linear', min: 0 },
        y: { label: 'latency (ms, log scale)', scale: 'log' },
        series: [
          { label: 'write p99', color: 1, points: timeline(1, 'p99') },
          { label: 'write p50', color: 1, dashed: true, points: timeline(1, 'p50') },
          { label: 'read p99', color: 0, points: timeline(0, 'p99') },
          { label: 'read p50', color: 0, dashed: true, points: timeline(0, 'p50') },
        ],
        bands: [
          { from: failed / 1e6, to: replaced / 1e6, label: 'p2 lost' },
          ...(done === null ? [] : [{ from: replaced / 1e6, to: done / 1e6, label: 'p2 restored from parity' }]),
        ],
      },
    ],
    tables: [{ id: 'restore-latency', title: 'Host latency by phase of the restore', caption, columns: Object.keys(rows[0]!).map((key) => ({ key, label: key })), rows }],
  };
}
