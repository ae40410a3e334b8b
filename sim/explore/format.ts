// The human summary of an exploration (explore and merge print the same):
// a table per scenario, the determinism check, probe counts and the probes
// never reached, and every failing seed with its violation and replay command.
import { PROBE_NAMES } from '../../src/protocol/probe-names.js';
import { VERDICTS } from '../checker/violation.js';
import { formatTime } from '../engine/time.js';
import { type Exploration, type ScenarioSummary, clean, summarizeRuns } from './result.js';
import { formatCoverageMap } from './coverage-map.js';
import { formatDraw } from '../scenario/prepare/swarm.js';

/** Failing seeds listed per scenario; the rest are in the --out file. */
export const FAILURES_SHOWN = 5;

const n = (x: number) => x.toLocaleString('en-US');
const compact = (x: number) => (x >= 1e9 ? `${(x / 1e9).toFixed(2)}G` : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : String(x));
const wall = (ms: number) => formatTime(Math.round(ms) * 1000);

/** The summary; `allowPartial`: a merge missing shards is accepted (merge --allow-partial), and still says what is missing. */
export function formatExploration(e: Exploration, allowPartial = false): string {
  const out: string[] = [headline(e), ''];
  const summaries = e.scenarios.map((s) => ({ s, sum: summarizeRuns(s.runs) }));
  const all = summarizeRuns(e.scenarios.flatMap((s) => s.runs));
  out.push(...table(summaries.map(({ s, sum }) => [s.name, sum]), all, e.cpuMs ?? 0));
  out.push('', speedLine(e, all));
  out.push('', determinismLine(e));
  if (e.budget.stopped) out.push(`time budget ${wall(e.budget.timeBudgetMs ?? 0)} reached: ${n(e.budget.ran)} of ${n(e.budget.planned)} seeds ran`);
  out.push('', 'probes reached (seeds / hits):');
  const reached = new Set<string>();
  const width = Math.max(...e.scenarios.map((s) => s.name.length), 8);
  for (const { s, sum } of summaries) {
    for (const name of sum.probes.keys()) reached.add(name);
    const list = [...sum.probes].map(([name, p]) => `${name} ${n(p.seeds)}/${n(p.hits)}`);
    out.push(`  ${s.name.padEnd(width)}  ${list.length > 0 ? list.join(' · ') : '(none)'}`);
  }
  const never = Object.keys(PROBE_NAMES).filter((p) => !reached.has(p));
  // The list names the built-in controllers' probes: a user's module marks its own, if any.
  if (e.settings.controllers === undefined) out.push(never.length > 0 ? `never reached: ${never.join(', ')}` : 'every product probe was reached');
  const cells = new Map([...all.coverage].map(([cell, c]) => [cell, c.seeds]));
  out.push('', ...formatCoverageMap(cells, e.settings.generate !== undefined ? [e.settings.generate.budget] : ['recoverable', 'unlimited']));

  for (const { s } of summaries) {
    const failing = s.runs.filter((r) => r.verdict !== 'pass');
    for (const r of failing.slice(0, FAILURES_SHOWN)) {
      const v = r.violation;
      out.push('', `FAIL  ${s.name} seed ${r.seed}: ${r.verdict}${v !== null ? ` at ${formatTime(v.timeUs)}${v.array !== null ? ` (${v.array}${v.block !== null ? ` block ${v.block}` : ''})` : ''}` : ''}`);
      if (v !== null) out.push(`  ${v.message}`);
      if (r.swarm !== null) out.push(`  swarm: ${formatDraw(r.swarm)}`);
      if (r.generated !== undefined) out.push(`  world: ${r.generated.name} (steering batch ${r.generated.batch}), aimed at ${r.generated.aimed.join(', ') || 'no cell'}`);
      const fired = Object.entries(r.probes).filter(([p]) => p.startsWith('buggify:'));
      if (fired.length > 0) out.push(`  buggify fired: ${fired.map(([p, count]) => `${p.slice('buggify:'.length)} ×${n(count)}`).join(', ')}`);
      out.push(`  replay: ${r.replay}`);
    }
    if (failing.length > FAILURES_SHOWN) {
      const more = failing.slice(FAILURES_SHOWN);
      const seeds = `${more.slice(0, 20).map((r) => r.seed).join(', ')}${more.length > 20 ? ', …' : ''}`;
      out.push('', `… and ${n(more.length)} more failing seeds of ${s.name}: ${seeds} (each replayed by the command above with its own --seed; every one in the --out file)`);
    }
  }
  for (const m of e.determinism.mismatches) {
    out.push('', `NONDETERMINISTIC  ${m.scenario} seed ${m.seed}: traceHash ${m.traceHashes[0]} (${n(m.events[0])} events), then ${m.traceHashes[1]} (${n(m.events[1])} events)`);
    out.push(`  ${m.note}`);
    if (m.firstDifference !== null) out.push(`    one run:   ${m.firstDifference.first}`, `    the other: ${m.firstDifference.again}`);
    out.push(`  replay: ${m.replay}`);
  }
  const t = e.totals;
  const missing = e.missing ?? [];
  for (const m of missing) out.push('', `INCOMPLETE  ${m}${allowPartial ? ' (accepted: --allow-partial)' : ' (merge --allow-partial accepts a partial result)'}`);
  const rerun = e.determinism.rechecked.length > 0 ? 'every re-run identical' : 'determinism not re-checked';
  const partial = missing.length > 0 ? `; partial: ${missing.join('; ')}` : '';
  if (clean(e, allowPartial)) out.push('', `PASS  ${n(t.runs)} runs, every one passed; ${rerun}${partial}`);
  else if (t.pass === t.runs && t.mismatches === 0) out.push('', `FAIL  incomplete: ${missing.join('; ')}; the ${n(t.runs)} runs present passed`);
  else out.push('', `FAIL  ${n(t.runs - t.pass)} of ${n(t.runs)} runs failed${t.mismatches > 0 ? `, ${n(t.mismatches)} nondeterministic` : ''}${partial}`);
  return out.join('\n');
}

function headline(e: Exploration): string {
  const s = e.settings;
  const ranges = e.ranges.map((r) => `seeds ${r.from}…${r.from + r.seeds - 1}${r.shard !== null ? ` shard ${r.shard.index}/${r.shard.count}` : ''}`).join(', ');
  const how = [s.protocol ?? "each scenario's protocol", s.swarm ? 'swarm' : null, s.quick ? 'quick' : null, s.plantedBugs.length > 0 ? `planted: ${s.plantedBugs.join(', ')}` : null, s.controllers !== undefined ? `controllers ${s.controllers}` : null].filter((x) => x !== null).join(', ');
  const merged = e.mergedFrom !== undefined ? `, merged from ${e.mergedFrom.length} result file${e.mergedFrom.length === 1 ? '' : 's'}` : '';
  return `explored ${e.scenarios.length} scenario${e.scenarios.length === 1 ? '' : 's'}, ${ranges} (${how}): ${n(e.totals.runs)} runs on ${e.workers} worker${e.workers === 1 ? '' : 's'} in ${wall(e.wallMs)}${merged}`;
}

function table(rows: [string, ScenarioSummary][], total: ScenarioSummary, cpuMs: number): string[] {
  // overload and limit (a load beyond the arrays, the simulator's own limit) get a column only when some run ended so.
  const verdicts = VERDICTS.filter((v) => (v !== 'overload' && v !== 'limit') || total.verdicts[v] > 0);
  const head = ['scenario', 'seeds', ...verdicts, 'events', 'sim time', 'run time', 'runs/CPU-h'];
  const cells = (name: string, s: ScenarioSummary) => [
    name,
    n(s.seeds),
    ...verdicts.map((v) => n(s.verdicts[v])),
    compact(s.events),
    formatTime(s.simTimeUs),
    wall(s.wallMs),
    perCpuHour(s, total, cpuMs),
  ];
  const body = [...rows.map(([name, s]) => cells(name, s)), ...(rows.length > 1 ? [cells('total', total)] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...body.map(line)];
}

/**
 * Runs per CPU-hour of a scenario: the process's CPU time while the seeds ran
 * (every thread; measured by explore), shared among scenarios by their runs'
 * own time — a run is single-threaded, so its time is its thread's.
 */
function perCpuHour(s: ScenarioSummary, total: ScenarioSummary, cpuMs: number): string {
  if (!(cpuMs > 0) || total.wallMs <= 0 || s.seeds === 0) return '—';
  const share = (cpuMs * s.wallMs) / total.wallMs;
  return share > 0 ? n(Math.round((s.seeds * 3_600_000) / share)) : '—';
}

function speedLine(e: Exploration, all: ScenarioSummary): string {
  const cpu = e.cpuMs ?? 0;
  if (!(cpu > 0) || all.seeds === 0) return 'speed: not measured';
  const what = e.settings.generate !== undefined ? 'generated worlds' : 'runs';
  return `speed: ${n(Math.round((all.seeds * 3_600_000) / cpu))} ${what} per CPU-hour (${wall(cpu)} of CPU, every thread, for ${n(all.seeds)} runs on ${e.workers} worker${e.workers === 1 ? '' : 's'}; ${n(Math.round(all.simTimeUs / Math.max(1, all.seeds) / 1000))} ms simulated per run)`;
}

function determinismLine(e: Exploration): string {
  const d = e.determinism;
  if (d.rechecked.length === 0) return 'determinism: not checked (--recheck 0)';
  const what = `${n(d.rechecked.length)} seed${d.rechecked.length === 1 ? '' : 's'} re-run on fresh worker threads`;
  return d.mismatches.length === 0 ? `determinism: ${what}, every traceHash identical` : `determinism: ${what}, ${n(d.mismatches.length)} traceHash mismatch${d.mismatches.length === 1 ? '' : 'es'}`;
}
