// The capacity report's restore at real size (`xorsim report capacity
// --real-scale`): one run of the shipped scenarios/large/real-scale.json — 16 M
// blocks of 1 MiB per primary, a primary lost and restored under host load —
// beside what the report's small arrays predict for that size. Opt-in: the run
// costs about half an hour of CPU and several GB.
import type { ResolvedScenario } from '../../sim/scenario/resolve.js';
import type { RunPointResult } from '../jobs/run-point.js';
import { formatBytes, sig } from '../model/format.js';
import type { Section } from '../model/report.js';

export const REAL_SCALE_ID = 'real-scale';

/** What the section says of the scenario, as its file gives it. */
export interface RealScalePoint {
  readonly blockSize: number;
  readonly capacityBytes: number;
  readonly blocks: number;
  readonly primaries: number;
  /** Drives per array (1 for ideal disks). */
  readonly drives: number;
  /** Bytes stored per block: fewer than blockSize is fingerprint mode. */
  readonly payloadBytes: number;
  readonly prefill: number;
  readonly hostRate: string;
  readonly lost: string;
  readonly lostAt: string;
}

/** The section's facts from the scenario: sizes as resolved, the load and the loss as its file words them. */
export function realScalePoint(input: Readonly<Record<string, unknown>>, scenario: ResolvedScenario): RealScalePoint {
  const field = (path: string): string => {
    let v: unknown = input;
    for (const k of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[k];
    return v === undefined ? '?' : String(v);
  };
  const p = scenario.primaries[0]!;
  return {
    blockSize: scenario.blockSize,
    capacityBytes: p.blocks * scenario.blockSize,
    blocks: p.blocks,
    primaries: scenario.primaries.length,
    drives: scenario.disk.model === 'hdd' ? scenario.disk.drives : 1,
    payloadBytes: scenario.payloadBytes,
    prefill: scenario.prefill,
    hostRate: field('workload.rate'),
    lost: field('faults.schedule.0.array'),
    lostAt: field('faults.schedule.0.at'),
  };
}

/** The restore under load of the report's largest small array at its fastest links: rate and link (null if it did not finish). */
export interface SmallRestore {
  readonly rateMBs: number;
  readonly linkMBs: number;
}

export function realScaleSection(point: RealScalePoint, r: RunPointResult, small: SmallRestore | null): Section {
  const smallRateMBs = small?.rateMBs ?? null;
  const rep = r.repairs[0];
  const seconds = rep === undefined || rep.doneUs === null ? null : (rep.doneUs - rep.replacedUs) / 1e6;
  const rateMBs = seconds === null ? null : point.capacityBytes / seconds / 1e6;
  const underLoad = rep !== undefined && rep.doneUs !== null && rep.doneUs <= r.loadUs;
  const predictedH = smallRateMBs === null ? null : point.capacityBytes / (smallRateMBs * 1e6) / 3600;
  const row = {
    scenario: REAL_SCALE_ID,
    seed: r.seed,
    capacity: formatBytes(point.capacityBytes),
    blocks: point.blocks,
    restore_h: seconds === null ? 'did not finish' : Math.round((seconds / 3600) * 100) / 100,
    mb_per_s: rateMBs === null ? null : Math.round(rateMBs * 10) / 10,
    under_host_load: underLoad ? 'yes' : 'no',
    host_write_p99_ms: Math.round(r.write.p99 / 100) / 10,
    small_arrays_predict_h: predictedH === null ? null : Math.round(predictedH * 100) / 100,
    events: r.events,
    simulated_h: Math.round((r.simTimeUs / 3.6e9) * 100) / 100,
    verdict: r.verdict,
  };
  const restored = seconds === null
    ? `${point.lost}'s restore **did not finish** within the run (verdict ${r.verdict}).`
    : `${point.lost}'s restore took **${sig(seconds / 3600)} h** — from the empty replacement's arrival to the array whole again — ${sig(rateMBs!)} MB/s of its capacity, ${underLoad ? 'with the hosts\' load running throughout' : 'finishing after the hosts\' load had stopped'}; host writes over the whole run: p50 ${sig(r.write.p50 / 1000)} ms, p99 ${sig(r.write.p99 / 1000)} ms.`;
  const versus = predictedH === null
    ? 'The largest small array\'s restore under load did not finish, so there is no rate to compare with.'
    : `At the rate the largest of the small arrays above restored at the fastest links (${sig(smallRateMBs!)} MB/s), this capacity would take ${sig(predictedH)} h. The two differ in more than size: the small arrays' lossy ${small!.linkMBs} MB/s links and drives just big enough for their blocks, against this scenario's own network and drives of the model's default size, so the comparison says whether the small arrays' rate carries to real size, not that it must match.`;
  return {
    title: 'Restore at real size',
    text: [
      `Scenario \`${REAL_SCALE_ID}\` (shipped as \`scenarios/large/real-scale.json\`; \`npx xorsim run scenarios/${REAL_SCALE_ID}.json --seed ${r.seed}\` beside this report repeats it): ${point.primaries} primaries of ${formatBytes(point.capacityBytes)} (${point.blocks.toLocaleString('en-US')} blocks of ${formatBytes(point.blockSize)}) on ${point.drives} drives each, ${Math.round(point.prefill * 100)} % of every primary holding data, parity built from them, then host load at ${point.hostRate} per host; ${point.lost} is lost ${point.lostAt} into the load and replaced with an empty array. ${point.payloadBytes < point.blockSize ? 'Fingerprint payloads keep the run within memory. ' : ''}${restored}`,
      versus,
      `The run: ${r.events.toLocaleString('en-US')} events over ${sig(r.simTimeUs / 3.6e9)} h of simulated time, verdict ${r.verdict}.`,
    ],
    charts: [],
    tables: [{ id: 'real-scale', title: 'Restore at real size', caption: `scenario ${REAL_SCALE_ID}, seed ${r.seed} · restore_h from the replacement's arrival to the array whole again · small_arrays_predict_h: capacity ÷ the restore rate under load of the largest small array at the fastest links`, columns: Object.keys(row).map((key) => ({ key, label: key })), rows: [row] }],
  };
}
