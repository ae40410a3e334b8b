// The smaller scenarios one shrinking step may try, biggest cuts first: fewer
// primaries, fewer blocks, a shorter load, fewer concurrent streams, fewer
// faults and network faults, less prefill, no reads. Each is the scenario
// file's JSON with one thing cut, written in the file's own human units, so
// the result is an ordinary scenario a person can read and edit. Candidates
// are not checked here: one that no longer validates (e.g. a fault naming a
// removed array) is dropped by the shrinker.
import { humanDuration, parseDuration, parseRatePerYear } from '../scenario/units.js';

export type Json = { [key: string]: unknown };

const SECONDS_PER_YEAR = 365.25 * 24 * 3600;

export interface Candidate {
  /** What was cut, for the log ("load 3s → 750ms"). */
  readonly what: string;
  readonly scenario: Json;
}

/** `failedAtUs`: when the current failing run stopped (the load need not outlast it). */
export function candidates(s: Json, failedAtUs: number): Candidate[] {
  return [...loadUntil(s, failedAtUs), ...fewerPrimaries(s), ...fewerBlocks(s), ...shorterLoad(s), ...lowerIodepth(s), ...fewerFaults(s), ...calmerNetwork(s), ...lessPrefill(s), ...noReads(s)];
}

/** The run failed at `t`, and the load started at or after 0: a load of `t` reaches the failure too. */
function loadUntil(s: Json, t: number): Candidate[] {
  const w = s['workload'] as Json;
  const d = parseDuration(String(w['duration']));
  const to = roundUp(t);
  return d !== undefined && to < d ? [{ what: `load ${human(d)} → ${human(to)} (the run failed at ${human(t)})`, scenario: { ...s, workload: { ...w, duration: human(to) } } }] : [];
}

function fewerPrimaries(s: Json): Candidate[] {
  const p = s['primaries'];
  if (Array.isArray(p)) {
    return p.map((entry, i) => ({ what: `primaries: drop ${(entry as Json)['name'] ?? `#${i + 1}`}`, scenario: { ...s, primaries: p.filter((_, j) => j !== i) } }));
  }
  const count = num((p as Json)['count']);
  return smaller(count, [1, Math.ceil(count / 2), count - 1]).map((c) => ({ what: `primaries ${count} → ${c}`, scenario: { ...s, primaries: { ...(p as Json), count: c } } }));
}

function fewerBlocks(s: Json): Candidate[] {
  const p = s['primaries'];
  const largest = Array.isArray(p) ? Math.max(...p.map((e) => num((e as Json)['blocks']))) : num((p as Json)['blocks']);
  return smaller(largest, [Math.floor(largest / 16), Math.floor(largest / 4), Math.floor(largest / 2)]).map((b) => {
    const scale = (x: number) => Math.max(1, Math.floor((x * b) / largest));
    const primaries = Array.isArray(p) ? p.map((e) => ({ ...(e as Json), blocks: scale(num((e as Json)['blocks'])) })) : { ...(p as Json), blocks: b };
    const parity = s['parity'] as Json | undefined;
    const scaled: Json = { ...s, primaries };
    if (parity?.['blocks'] !== undefined) scaled['parity'] = { ...parity, blocks: scale(num(parity['blocks'])) };
    return { what: `blocks ${largest} → ${b}${Array.isArray(p) ? ' (largest primary; the others in proportion)' : ''}`, scenario: scaled };
  });
}

function shorterLoad(s: Json): Candidate[] {
  const w = s['workload'] as Json;
  const d = parseDuration(String(w['duration']));
  if (d === undefined) return [];
  const out: Candidate[] = [];
  for (const to of smaller(d, [roundDown(d / 4), roundDown(d / 2), roundDown((d * 3) / 4)])) {
    if (to < 1) continue;
    out.push({ what: `load ${human(d)} → ${human(to)}`, scenario: { ...s, workload: { ...w, duration: human(to) } } });
    // Scheduled faults must happen during the load: bring them forward in proportion.
    const f = s['faults'] as Json | undefined;
    const schedule = f?.['schedule'] as Json[] | undefined;
    if (schedule !== undefined && schedule.length > 0) {
      const moved = schedule.map((x) => ({ ...x, at: human(Math.floor(((parseDuration(String(x['at'])) ?? 0) * to) / d)) }));
      out.push({ what: `load ${human(d)} → ${human(to)}, scheduled faults in proportion`, scenario: { ...s, workload: { ...w, duration: human(to) }, faults: { ...f, schedule: moved } } });
    }
  }
  return out;
}

function lowerIodepth(s: Json): Candidate[] {
  const w = s['workload'] as Json;
  const depth = w['iodepth'] === undefined ? 4 : num(w['iodepth']);
  return smaller(depth, [1, Math.ceil(depth / 2), depth - 1]).map((d) => ({ what: `iodepth ${depth} → ${d}`, scenario: { ...s, workload: { ...w, iodepth: d } } }));
}

function fewerFaults(s: Json): Candidate[] {
  const f = s['faults'] as Json | undefined;
  if (f === undefined) return [];
  const out: Candidate[] = [];
  const schedule = (f['schedule'] as Json[] | undefined) ?? [];
  schedule.forEach((x, i) => {
    out.push({ what: `drop fault ${x['do']} at ${x['at']}`, scenario: { ...s, faults: { ...f, schedule: schedule.filter((_, j) => j !== i) } } });
  });
  // Each random fault process (controller crashes, latent errors, …): gone, or at half its rate.
  const random = (f['random'] as Json | undefined) ?? {};
  for (const [kind, process] of Object.entries(random)) {
    const { [kind]: _, ...rest } = random;
    out.push({ what: `drop random ${kind}`, scenario: { ...s, faults: { ...f, random: rest } } });
    const rate = (process as Json)['rate'];
    const perYear = parseRatePerYear(String(rate));
    if (perYear !== undefined && perYear > 0) {
      const half = `${Number((perYear / 2 / SECONDS_PER_YEAR).toPrecision(3))}/s`;
      out.push({ what: `random ${kind} ${rate} → ${half}`, scenario: { ...s, faults: { ...f, random: { ...random, [kind]: { ...(process as Json), rate: half } } } } });
    }
  }
  return out;
}

function calmerNetwork(s: Json): Candidate[] {
  const n = s['network'] as Json | undefined;
  if (n === undefined || n['model'] !== 'lossy') return [];
  const out: Candidate[] = [{ what: 'network lossy → ideal', scenario: { ...s, network: { model: 'ideal', ...(n['latency'] !== undefined && { latency: n['latency'] }) } } }];
  for (const field of ['loss', 'duplicate', 'reorder', 'jitter', 'bandwidth']) {
    if (n[field] === undefined) continue;
    const { [field]: _, ...rest } = n;
    out.push({ what: `network: drop ${field} ${n[field]}`, scenario: { ...s, network: rest } });
  }
  const links = (n['links'] as Json[] | undefined) ?? [];
  links.forEach((l, i) => out.push({ what: `network: drop link override ${l['from']} → ${l['to']}`, scenario: { ...s, network: { ...n, links: links.filter((_, j) => j !== i) } } }));
  return out;
}

function lessPrefill(s: Json): Candidate[] {
  const p = s['prefill'] === undefined ? 0 : num(s['prefill']);
  return p > 0 ? [{ what: `prefill ${p} → 0`, scenario: { ...s, prefill: 0 } }] : [];
}

function noReads(s: Json): Candidate[] {
  const w = s['workload'] as Json;
  const r = w['readFraction'] === undefined ? 0.3 : num(w['readFraction']);
  return r > 0 ? [{ what: `readFraction ${r} → 0`, scenario: { ...s, workload: { ...w, readFraction: 0 } } }] : [];
}

/** The distinct values of `options` below `x` (and at least 1), largest cut first. */
function smaller(x: number, options: readonly number[]): number[] {
  return [...new Set(options.filter((o) => o >= 1 && o < x))].sort((a, b) => a - b);
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** µs as a duration a person writes, exactly (units.ts). */
export const human = humanDuration;

/** Durations cut to two significant digits (70312us → 70ms): round figures read better. */
function roundDown(us: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, us))) - 1);
  return Math.floor(us / unit) * unit;
}

function roundUp(us: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, us))) - 1);
  return Math.ceil(us / unit) * unit;
}
