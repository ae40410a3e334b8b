// The capacity report's sections and its theory check.
import { modeledBytes } from '../../sim/network/modeled-size.js';
import { encodedSize } from '../../src/protocol/codec.js';
import type { Message } from '../../src/protocol/messages.js';
import type { RunPointResult } from '../jobs/run-point.js';
import { formatBytes, percent, seedsText, sig } from '../model/format.js';
import type { Section, Series, TableSpec, TheoryCheck } from '../model/report.js';
import type { CapacityContext } from './capacity-context.js';
import { DRIVES, RESTORE_BLOCK, RESTORE_HOST_RATE, RETRANSMIT } from './capacity-scenarios.js';

const DRIVE_TB = 20;
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d || 0;
const parityOf = (r: RunPointResult) => r.arrays.find((a) => a.name === 'parity')!;
const primariesOf = (r: RunPointResult) => r.arrays.filter((a) => a.name !== 'parity');

export function capacitySection(): Section {
  const ns = Array.from({ length: 16 }, (_, i) => i + 1);
  const per = DRIVES * DRIVE_TB;
  const caption = `arithmetic on the configuration, no simulation: N primary arrays + 1 parity array, each ${DRIVES} drives of ${DRIVE_TB} TB (the drive model's default capacity)`;
  return {
    title: 'Usable vs raw capacity',
    text: [`One parity array protects N primaries: raw capacity is (N + 1) arrays, usable N, so the share of raw capacity that holds data is N ÷ (N + 1) — ${percent(2 / 3, 0)} at N=2, ${percent(4 / 5, 0)} at N=4, ${percent(8 / 9, 0)} at N=8. The price of a larger N is on the parity array's load (next section) and on reliability (reliability report).`],
    charts: [
      {
        id: 'capacity',
        title: 'Usable and parity capacity vs number of primaries',
        caption,
        kind: 'bar',
        stacked: true,
        x: { label: 'primary arrays N', scale: 'category' },
        y: { label: 'capacity (TB)', scale: 'linear', min: 0 },
        series: [
          { label: 'usable (primaries)', stack: 'c', color: 0, points: ns.map((n) => ({ x: String(n), y: n * per })) },
          { label: 'parity', stack: 'c', color: 1, points: ns.map((n) => ({ x: String(n), y: per })) },
        ],
      },
    ],
    tables: [{ id: 'capacity', title: 'Usable vs raw capacity', caption, columns: ['primaries', 'raw_tb', 'usable_tb', 'usable_share'].map((key) => ({ key, label: key })), rows: ns.map((n) => ({ primaries: n, raw_tb: (n + 1) * per, usable_tb: n * per, usable_share: percent(n / (n + 1), 1) })) }],
  };
}

export function saturationSection(ctx: CapacityContext): Section {
  const { primaryCounts: ns, parityDrives: dps, saturationS, seeds } = ctx.params;
  const rows = ns.flatMap((n) =>
    dps.map((dp) => {
      const rs = ctx.of(ctx.satId(n, dp));
      const iops = mean(rs.map((r) => r.writesDone / (r.busyUs / 1e6)));
      const parity = mean(rs.map((r) => parityOf(r).utilization));
      const primary = mean(rs.map((r) => mean(primariesOf(r).map((a) => a.utilization))));
      // What each side could do fully busy, with the service times it had in this run: drives ÷ (2 I/Os per write × mean service).
      const parityCeiling = mean(rs.map((r) => parityOf(r).drives / ((2 * parityOf(r).meanServiceUs) / 1e6)));
      const primaryCeiling = mean(rs.map((r) => primariesOf(r).reduce((s, a) => s + a.drives / ((2 * a.meanServiceUs) / 1e6), 0)));
      return { scenario: ctx.satId(n, dp), primaries: n, parity_drives: dp, write_iops: round(iops, 1), mb_per_s: round((iops * 4096) / 1e6, 3), write_p50_ms: round(mean(rs.map((r) => r.write.p50)) / 1e3, 1), write_p99_ms: round(mean(rs.map((r) => r.write.p99)) / 1e3, 1), parity_util: round(parity, 3), primary_util: round(primary, 3), parity_ceiling_iops: round(parityCeiling, 0), primaries_ceiling_iops: round(primaryCeiling, 0), bottleneck: parity > primary ? 'parity' : 'primaries' };
    }),
  );
  const caption = `scenarios ${ctx.satId(ns[0]!, dps[0]!)} … ${ctx.satId(ns[ns.length - 1]!, dps[dps.length - 1]!)} · ${seedsText(seeds)} · closed loop, writes only, 16 outstanding per host, no think time, ${saturationS} s · 4 KiB random over ${DRIVES}-drive primaries (SPTF), parity of the given drive count · retransmit ${RETRANSMIT}`;
  const keepsUp = ns.map((n) => {
    const enough = dps.find((dp) => rows.find((r) => r.primaries === n && r.parity_drives === dp)!.bottleneck === 'primaries');
    return `N=${n}: ${enough === undefined ? `more than ${dps[dps.length - 1]}` : enough}`;
  });
  const table: TableSpec = { id: 'parity-saturation', title: 'Write throughput at saturation, by N and parity drives', caption: `${caption} · ceilings: drives ÷ (2 I/Os per write × the mean service time they had); bottleneck: the busier side`, columns: Object.keys(rows[0]!).map((key) => ({ key, label: key })), rows };
  return {
    title: 'Where the parity array saturates, and how many parity drives keep up',
    text: [
      `Every host write anywhere in the group costs the parity array a read-modify-write of Q[k] — the same two drive operations it costs its own primary. So the parity array carries the write load of all N primaries on its own drives. With ${dps[0]} parity drives the group's write rate stops growing once parity is busy, however many primaries are added; the parity drives must grow with the primaries' total to keep up.`,
      `Smallest parity array (of ${dps.join(', ')} drives) at which the primaries, not parity, are the busier side: ${keepsUp.join('; ')}. Throughput at saturation depends on queue depth too: the drives' SPTF scheduling serves deeper queues faster, so more outstanding writes raise what one parity array delivers.`,
    ],
    charts: [
      {
        id: 'parity-saturation',
        title: 'Aggregate host write rate at saturation vs number of primaries',
        caption,
        kind: 'line',
        x: { label: 'primary arrays N (4 drives each)', scale: 'linear', min: 0 },
        y: { label: 'host writes per second (all hosts)', scale: 'linear', min: 0 },
        series: dps.map((dp, i): Series => ({ label: `parity of ${dp} drives`, color: i, points: ns.map((n) => ({ x: n, y: rows.find((r) => r.primaries === n && r.parity_drives === dp)!.write_iops })) })),
      },
      {
        id: 'saturation-utilisation',
        title: 'Drive utilisation at saturation: parity (solid) vs primaries (dotted)',
        caption,
        kind: 'line',
        x: { label: 'primary arrays N (4 drives each)', scale: 'linear', min: 0 },
        y: { label: 'drive utilisation (busy fraction)', scale: 'linear', min: 0, max: 1.05 },
        series: dps.flatMap((dp, i): Series[] => [
          { label: `parity, ${dp} drives`, color: i, points: ns.map((n) => ({ x: n, y: rows.find((r) => r.primaries === n && r.parity_drives === dp)!.parity_util })) },
          { label: `primaries, parity ${dp}`, color: i, dashed: true, points: ns.map((n) => ({ x: n, y: rows.find((r) => r.primaries === n && r.parity_drives === dp)!.primary_util })) },
        ]),
      },
    ],
    tables: [table],
  };
}

/** The most bytes one link carries per block in a restore: a member's copy-reply or parity's restore-data, at 1 MiB. */
function restoreBytesPerBlock(): number {
  const data = new Uint8Array(16);
  const copy: Message = { type: 'copy-reply', id: 1, block: 0, status: 0, data };
  const back: Message = { type: 'restore-data', id: 1, session: 1, block: 0, lost: 0, data };
  return Math.max(modeledBytes(copy, encodedSize(copy), RESTORE_BLOCK), modeledBytes(back, encodedSize(back), RESTORE_BLOCK));
}

/** Mean over seeds of a utilisation during the repair window (null where a run has none: no host operations to mark it). */
function during(rs: readonly RunPointResult[], pick: (u: Readonly<Record<string, number>>) => number | undefined): number | null {
  const values = rs.map((r) => r.repairs[0]?.utilization).map((u) => (u === null || u === undefined ? undefined : pick(u)));
  return values.every((v) => v !== undefined) ? round(mean(values as number[]), 3) : null;
}

function repairRows(ctx: CapacityContext) {
  return [...ctx.repairs.entries()].map(([id, p]) => {
    const rs = ctx.of(id);
    const durations = rs.map((r) => {
      const rep = r.repairs[0];
      return rep === undefined || rep.doneUs === null ? null : (rep.doneUs - rep.replacedUs) / 1e6;
    });
    const finished = durations.every((d) => d !== null);
    const seconds = finished ? mean(durations as number[]) : null;
    const linkBound = (p.capacity / RESTORE_BLOCK) * restoreBytesPerBlock() / (p.bandwidthMBs * 1e6);
    const loadedThroughout = rs.every((r) => r.repairs[0]?.doneUs !== null && (r.repairs[0]?.doneUs ?? Infinity) <= r.loadUs);
    return {
      id,
      p,
      row: {
        scenario: id,
        repair: p.what === 'restore' ? 'restore a primary' : 'rebuild parity',
        capacity: formatBytes(p.capacity),
        link_mb_s: p.bandwidthMBs,
        host_ops_per_s: p.hostRate * 4,
        retransmit: p.retransmit ?? RETRANSMIT,
        seconds: seconds === null ? 'did not finish' : round(seconds, 2),
        mb_per_s: seconds === null ? null : round(p.capacity / seconds / 1e6, 1),
        capacity_over_link_s: round(linkBound, 2),
        parity_util_during: during(rs, (u) => u['parity']),
        primaries_util_during: during(rs, (u) => mean(Object.entries(u).filter(([n]) => n !== 'parity' && n !== 'p2').map(([, v]) => v))),
        p2_util_during: during(rs, (u) => u['p2']),
        host_load_throughout: p.hostRate === 0 ? 'no load' : loadedThroughout ? 'yes' : 'no',
        network_gb: round(mean(rs.map((r) => r.network.modeledBytes)) / 1e9, 2),
        verdict: rs.map((r) => r.verdict).join(' '),
      },
    };
  });
}

/** The restore rate under host load of the largest array at the fastest links — what the restore section scales up (null if it did not finish). */
export function smallRestore(ctx: CapacityContext): { rateMBs: number; linkMBs: number } | null {
  const linkMBs = Math.max(...ctx.params.bandwidthsMBs);
  const rows = repairRows(ctx).filter((r) => r.p.what === 'restore' && r.p.bandwidthMBs === linkMBs && r.p.hostRate > 0 && r.p.retransmit === undefined);
  const largest = rows.sort((a, b) => b.p.capacity - a.p.capacity)[0]?.row.mb_per_s;
  return typeof largest === 'number' ? { rateMBs: largest, linkMBs } : null;
}

export function repairSection(ctx: CapacityContext): Section {
  const rows = repairRows(ctx);
  const { capacities, bandwidthsMBs, seeds } = ctx.params;
  const chart = (what: 'restore' | 'rebuild') => ({
    id: `${what}-duration`,
    title: `${what === 'restore' ? 'Restore of a lost primary' : 'Rebuild of a lost parity array'}: duration vs array capacity, under host load`,
    caption: `scenarios ${what}-<MiB>mib-<MB/s>mbs · ${seedsText(seeds)} · 4 primaries + parity, ${DRIVES} drives each holding 1 MiB blocks densely · host load ${RESTORE_HOST_RATE}/s per host (1 MiB, 30 % reads) · dashed: capacity ÷ link bandwidth`,
    kind: 'line' as const,
    x: { label: 'array capacity (GiB)', scale: 'linear' as const },
    y: { label: `${what} duration (s)`, scale: 'linear' as const, min: 0 },
    series: bandwidthsMBs.flatMap((bw, i): Series[] => {
      const mine = rows.filter((r) => r.p.what === what && r.p.bandwidthMBs === bw && r.p.hostRate > 0 && r.p.retransmit === undefined);
      return [
        { label: `links ${bw} MB/s`, color: i, points: mine.filter((r) => typeof r.row.seconds === 'number').map((r) => ({ x: r.p.capacity / 2 ** 30, y: r.row.seconds as number })) },
        { label: `capacity ÷ ${bw} MB/s`, color: i, dashed: true, points: capacities.map((c) => ({ x: c / 2 ** 30, y: (c / RESTORE_BLOCK) * restoreBytesPerBlock() / (bw * 1e6) })) },
      ];
    }).concat(
      what === 'restore'
        ? [{ label: `no host load, ${ctx.params.checkBandwidthMBs} MB/s (theory check)`, color: 7, points: rows.filter((r) => r.p.hostRate === 0 && typeof r.row.seconds === 'number').map((r) => ({ x: r.p.capacity / 2 ** 30, y: r.row.seconds as number })) }]
        : [],
    ),
  });
  const shortTimer = rows.find((r) => r.id === ctx.shortTimerId)!.row;
  const fast = rows.filter((r) => r.p.what === 'restore' && r.p.bandwidthMBs === Math.max(...bandwidthsMBs) && typeof r.row.seconds === 'number' && r.p.hostRate > 0);
  const rebuildFast = rows.filter((r) => r.p.what === 'rebuild' && r.p.bandwidthMBs === Math.max(...bandwidthsMBs) && typeof r.row.seconds === 'number');
  return {
    title: 'Restore and parity-rebuild duration vs capacity and link bandwidth',
    text: [
      `A restore moves every block of the lost array over the network twice — each surviving primary's copy to parity, the rebuilt block from parity to the new array — on different links, so on a slow network it takes about capacity ÷ link bandwidth (dashed lines; the theory check holds it to that without host load). On a fast network the links stop mattering: at ${Math.max(...bandwidthsMBs)} MB/s the restore ran at ${fast.map((r) => `${r.row.mb_per_s} MB/s`).join(', ')} (by capacity) with the drives of parity, the other primaries and the new array ${fast.map((r) => `${percent(r.row.parity_util_during ?? NaN, 0)}, ${percent(r.row.primaries_util_during ?? NaN, 0)} and ${percent(r.row.p2_util_during ?? NaN, 0)}`).join('; ')} busy: neither links nor drives are saturated, so the bound is the restorer's pipeline (8 blocks in flight, each waiting for its reads, transfers and write in turn). Duration grows linearly with capacity at a given rate, so these small arrays scale to full ones: at ${fast[fast.length - 1]?.row.mb_per_s ?? '?'} MB/s one 20 TB drive's worth takes ${sig(20e12 / ((fast[fast.length - 1]?.row.mb_per_s as number) * 1e6) / 3600)} h.`,
      `A parity rebuild merges each member's copy into Q[k] separately — a read-modify-write of Q[k] per member per block — and ran at ${rebuildFast.map((r) => `${r.row.mb_per_s} MB/s`).join(', ')} at ${Math.max(...bandwidthsMBs)} MB/s, whatever the link bandwidth, with the parity drives ${rebuildFast.map((r) => percent(r.row.parity_util_during ?? NaN, 0)).join(', ')} busy during it.`,
      `The restores start the retransmission timer at ${RETRANSMIT.replace('ms', ' ms')}. With the default 5 ms start and 1 MiB blocks on ${shortTimer.link_mb_s} MB/s links (scenario ${ctx.shortTimerId}), a copy takes longer to cross a busy link than the first timeouts wait, so the first requests are resent; each timeout doubles the timer, which then follows the round trips it measures (RFC 6298: smoothed round trip + 4 × its deviation; an answer to a resent request measures nothing). That run moved ${shortTimer.network_gb} GB over the network for a ${shortTimer.capacity} array and ${shortTimer.seconds === 'did not finish' ? 'did not finish: its liveness check failed after the settle bound' : `its restore took ${shortTimer.seconds} s`}. (With a fixed 5 ms timer the resends filled the links and the restore never finished.)`,
    ],
    charts: [chart('restore'), chart('rebuild')],
    tables: [{ id: 'repair-duration', title: 'Restore and rebuild durations', caption: `${seedsText(seeds)} · durations from the empty replacement's arrival to the world's record of the array being whole again · capacity_over_link_s: the bytes of the busiest link ÷ its bandwidth`, columns: Object.keys(rows[0]!.row).map((key) => ({ key, label: key })), rows: rows.map((r) => r.row) }],
  };
}

export function repairChecks(ctx: CapacityContext): TheoryCheck[] {
  return repairRows(ctx)
    .filter((r) => r.p.hostRate === 0)
    .map((r) => {
      const simulated = typeof r.row.seconds === 'number' ? r.row.seconds : Infinity;
      const predicted = r.row.capacity_over_link_s;
      const difference = simulated / predicted - 1;
      return {
        name: `restore time vs capacity ÷ link bandwidth, ${r.row.capacity} at ${r.p.bandwidthMBs} MB/s, no host load`,
        quantity: 'restore duration (s)',
        simulated,
        predicted,
        difference,
        tolerance: '0 ≤ difference ≤ 3 % (the pipeline fills and drains once; requests ride the other direction)',
        pass: difference >= 0 && difference <= 0.03,
        source: `scenario ${r.id}, ${seedsText(ctx.params.seeds)}`,
      };
    });
}

export function bytesSection(ctx: CapacityContext): Section {
  const { primaryCounts: ns, parityDrives: dps, seeds } = ctx.params;
  const data = new Uint8Array(16);
  const delta: Message = { type: 'delta', block: 0, epoch: 0, seq: 1, replaces: 0, data };
  const ack: Message = { type: 'delta-ack', block: 0, epoch: 0, seq: 1 };
  const minimum = modeledBytes(delta, encodedSize(delta), 4096) + encodedSize(ack);
  const perWrite = (n: number, dp: number) => mean(ctx.of(ctx.satId(n, dp)).map((r) => r.network.modeledBytes / Math.max(1, r.writesDone)));
  const caption = `saturation runs (scenarios saturate-n<N>-parity<D>) · ${seedsText(seeds)} · bytes at the modelled 4 KiB block size, from the start of the load to the end of the run, ÷ host writes · retransmit ${RETRANSMIT}`;
  return {
    title: 'Network bytes per host write',
    text: [
      `A hardened write sends one delta (the whole block, since d = new ⊕ old is as large as the block) and gets one ack: ${minimum.toLocaleString('en-US')} bytes at 4 KiB blocks. Anything above that is retransmission: a delta is resent whenever parity takes longer than the timer to acknowledge it, which happens under saturation, when the parity drives' queue grows faster than the timer learns it, whatever the network. The latency report shows the default 5 ms start at moderate load.`,
    ],
    charts: [
      {
        id: 'bytes-per-write',
        title: 'Network bytes per host write at saturation',
        caption,
        kind: 'bar',
        x: { label: 'primary arrays N', scale: 'category' },
        y: { label: 'bytes per host write', scale: 'linear', min: 0 },
        series: [
          ...dps.map((dp, i): Series => ({ label: `parity of ${dp} drives`, color: i, points: ns.map((n) => ({ x: String(n), y: perWrite(n, dp) })) })),
          { label: 'one delta + one ack', color: 8, points: ns.map((n) => ({ x: String(n), y: minimum })) },
        ],
      },
    ],
    tables: [{ id: 'bytes-per-write', title: 'Network bytes per host write', caption, columns: ['primaries', 'parity_drives', 'bytes_per_write', 'over_minimum'].map((key) => ({ key, label: key })), rows: ns.flatMap((n) => dps.map((dp) => ({ primaries: n, parity_drives: dp, bytes_per_write: round(perWrite(n, dp), 0), over_minimum: percent(perWrite(n, dp) / minimum - 1, 1) }))) }],
  };
}

export { sig };
