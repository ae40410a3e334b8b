// The human-readable summary of a run (the JSON one is the RunReport itself).
import { formatTime } from '../sim/engine/time.js';
import type { LinkFields } from '../sim/scenario/network-schema.js';
import type { ResolvedScenario } from '../sim/scenario/resolve.js';
import type { RunReport } from '../sim/runner/run-report.js';
import { formatFaults } from './format-faults.js';

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, word: string) => `${n(x)} ${word}${x === 1 ? '' : 's'}`;

/** The link fields given (defaults stay unprinted: the model's defaults, docs/SCENARIOS.md). */
function link(f: LinkFields): string[] {
  const parts: string[] = [];
  if (f.latency !== undefined) parts.push(formatTime(f.latency));
  if (f.jitter !== undefined) parts.push(`±${formatTime(f.jitter)}${f.jitterDistribution === 'normal' ? ' normal' : ''}`);
  if (f.bandwidth !== undefined) parts.push(`${f.bandwidth / 1e6} MB/s`);
  for (const [name, p] of [['loss', f.loss], ['dup', f.duplicate], ['reorder', f.reorder]] as const) if (p !== undefined) parts.push(`${name} ${Number((p * 100).toFixed(3))}%`);
  if (f.reorderDelay !== undefined) parts.push(`detour ≤${formatTime(f.reorderDelay)}`);
  return parts;
}

function lossy(n: Extract<ResolvedScenario['network'], { model: 'lossy' }>): string {
  const parts = link(n);
  for (const l of n.links) parts.push(`[${l.from}->${l.to} ${link(l).join(' ')}]`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

function hdd(d: Extract<ResolvedScenario['disk'], { model: 'hdd' }>): string {
  const drive = Object.entries(d.drive).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`);
  return `disk hdd ×${d.drives}${d.parityDrives === undefined ? '' : ` (parity ×${d.parityDrives})`} stripe ${d.stripeUnit} ${d.queue}${d.writeCache ? ' write-cache' : ''}${drive.length > 0 ? ` (${drive.join(' ')})` : ''}`;
}

/** One line with everything the run was configured with; `controllers`: a user's module (--controllers), which the protocol only configures. */
export function formatConfig(s: ResolvedScenario, seed: number, controllers?: string): string {
  const sizes = [...new Set(s.primaries.map((p) => p.blocks))].join('/');
  const outside = s.primaries.filter((p) => !p.member).map((p) => p.name);
  const w = s.workload;
  return [
    `seed ${seed}`,
    ...(controllers !== undefined ? [`controllers ${controllers}`] : []),
    s.protocol === 'hardened' ? `protocol hardened (ack ${s.ackPolicy}, retransmit ${formatTime(s.retransmit.initial)}…${formatTime(s.retransmit.max)})` : 'protocol literal',
    `${s.primaries.length} primaries × ${sizes} blocks + parity ${s.parity.blocks}${outside.length > 0 ? ` (${outside.join(', ')} outside the group)` : ''}`,
    `block ${s.blockSize} B (payload ${s.payloadBytes} B)`,
    `prefill ${s.prefill * 100}%`,
    s.disk.model === 'ideal' ? `disk ideal ${formatTime(s.disk.latency)}` : hdd(s.disk),
    `journal ${formatTime(s.journalLatency)}`,
    s.network.model === 'ideal' ? `network ideal ${formatTime(s.network.latency)}` : `network lossy${lossy(s.network)}`,
    w.rate === undefined
      ? `load ${formatTime(w.duration)} iodepth ${w.iodepth} think ${formatTime(w.thinkTime)} reads ${Math.round(w.readFraction * 100)}%`
      : `load ${formatTime(w.duration)} open loop ${Number((1e6 / w.rate).toPrecision(4))}/s per host iodepth ${w.iodepth} reads ${Math.round(w.readFraction * 100)}%`,
    formatFaults(s),
    ...(s.buggify === undefined ? [] : [`buggify (points enabled ${Number((s.buggify.enable * 100).toFixed(3))}%, firing ${Number((s.buggify.fire * 100).toFixed(3))}%, delays ≤${formatTime(s.buggify.maxDelay)}${s.buggify.points === undefined ? '' : `, only ${s.buggify.points.join(', ')}`})`]),
    `settle ${formatTime(s.settle)}`,
  ].join(' · ');
}

export function formatRun(r: RunReport): string {
  const lines: string[] = [];
  const ops = r.hostOps;
  if (r.verdict === 'pass') lines.push(`PASS  ${r.scenario} seed ${r.seed}`);
  else lines.push(`FAIL  ${r.scenario} seed ${r.seed}: ${r.verdict} violation`);
  lines.push(`  host ops   ${n(ops.writes + ops.reads)} (${n(ops.writes)} writes, ${n(ops.reads)} reads, ${n(ops.failed)} failed) in ${formatTime(r.simTimeUs)} simulated`);
  lines.push(`  checks     ${n(r.checks.parity)} parity, ${n(r.checks.reads)} reads, ${plural(r.checks.sweeps, 'full sweep')}${r.checks.lossReports > 0 ? `, ${plural(r.checks.lossReports, 'loss report')} (each honest)` : ''}`);
  const l = r.latencyUs;
  lines.push(`  latency    write p50 ${formatTime(l.write.p50)} p99 ${formatTime(l.write.p99)} max ${formatTime(l.write.max)} · read p50 ${formatTime(l.read.p50)} p99 ${formatTime(l.read.p99)} max ${formatTime(l.read.max)}`);
  lines.push(`  network    ${n(r.network.messages)} messages, ${n(r.network.bytes)} bytes`);
  if (r.faults.injected + r.faults.suppressed > 0) lines.push(`  faults     ${n(r.faults.injected)} injected, ${n(r.faults.suppressed)} suppressed by the fault budget`);
  const fired = Object.entries(r.probes).filter(([p]) => p.startsWith('buggify:'));
  if (fired.length > 0) lines.push(`  buggify    ${fired.map(([p, count]) => `${p.slice('buggify:'.length)} ×${n(count)}`).join(', ')}`);
  if (r.ackWindow.atRisk > 0) lines.push(`  ack window ${plural(r.ackWindow.atRisk, 'acknowledged write')} not yet in parity when its array failed; ${plural(r.ackWindow.hits, 'read')} found one lost (local-write allows it)`);
  const rate = r.wallMs > 0 ? ` (${(r.events / r.wallMs / 1000).toFixed(2)} M events/s)` : '';
  lines.push(`  run        ${n(r.events)} events, traceHash ${r.traceHash}, ${n(r.wallMs)} ms wall${rate}`);
  for (const v of r.violations) {
    const where = [v.array, v.block === null ? null : `block ${v.block}`].filter((x) => x !== null).join(' ');
    lines.push('', `  ${v.kind} violation at ${formatTime(v.timeUs)}${where ? ` (${where})` : ''}:`, `    ${v.message}`);
    if (v.recent.length > 0) {
      lines.push(`    last events touching block ${v.block}:`);
      for (const e of v.recent) lines.push(`      ${e}`);
    }
  }
  if (r.verdict !== 'pass') lines.push('', `  replay: ${r.replay}`);
  return lines.join('\n');
}
