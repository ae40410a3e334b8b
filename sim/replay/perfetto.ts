// A run's trace records as Chrome/Perfetto trace-event JSON: open the file in
// https://ui.perfetto.dev (or chrome://tracing) to see the run as a timeline.
//
// Tracks: a process per array (primaries in scenario order, then parity) with
// threads for its host's operations, its disk I/O, each drive of an HDD array,
// its journal and its events (crashes, restarts, faults); a "network" process
// with a thread per directed link; a "checks" process for failed checks and a
// "faults" one for faults on links. Slices ("X", µs of virtual time) pair each
// operation's start with its completion: a host op from issue to answer
// (host.op carries its latency), a message from send to delivery (net.deliver
// carries its send time) or to its drop (paired with the oldest identical
// message outstanding on its link), a disk I/O over its service (ideal disks:
// the fixed latency; HDD arrays: the drive's wait and service), a journal
// append or trim over its fixed latency. Everything else becomes an instant
// ("i") on its actor's events track — so record kinds added later still show.
// Messages are named by type (and sequence number); flow arrows (flows.ts)
// follow each host write through its delta, parity's read-modify-write and
// the ack back to the host.
import type { TraceRecord } from '../engine/trace.js';
import { faultName } from '../faults/registry.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { type FlowPoint, writeFlows } from './flows.js';
import { assignLanes } from './lanes.js';

export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'i' | 'M' | 's' | 't' | 'f';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly s?: 't';
  /** Flow events: the arrow's id, and binding to the enclosing slice. */
  readonly id?: number;
  readonly bp?: 'e';
  readonly args?: Readonly<Record<string, string | number>>;
}

export interface ChromeTrace {
  readonly traceEvents: ChromeTraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: Readonly<Record<string, string | number>>;
}

interface Slice {
  readonly process: string;
  readonly thread: string;
  readonly name: string;
  readonly cat: string;
  readonly ts: number;
  readonly dur: number;
  readonly args: Record<string, string | number>;
  readonly flows?: readonly FlowPoint[] | undefined;
}

/** Network drop reasons (lossy-network.ts DROP_REASON_NAMES, as traces name them), for slice names. */
const DROP_REASONS: Record<string, string> = { loss: 'lost', 'partitioned-at-send': 'partitioned at send', 'partitioned-in-flight': 'partitioned in flight', 'no-listener': 'nobody listening' };

// Why over 70 lines: one pass over the trace records, a case per record kind, all sharing the
// slices still open and the flow arrows being drawn.
export function toChromeTrace(records: readonly TraceRecord[], scenario: ResolvedScenario, about: Readonly<Record<string, string | number>>): ChromeTrace {
  const arrays = [...scenario.primaries.map((p) => p.name), scenario.parity.name];
  const isArray = new Set(arrays);
  const diskLatency = scenario.disk.model === 'ideal' ? scenario.disk.latency : 0;
  const slices: Slice[] = [];
  const instants: Slice[] = [];
  const flows = new Map([...writeFlows(records, scenario.parity.name)].map(([i, points]) => [records[i]!, points]));
  const slice = (process: string, thread: string, name: string, cat: string, end: number, dur: number, r: TraceRecord) =>
    slices.push({ process, thread, name, cat, ts: end - dur, dur, args: argsOf(r), flows: flows.get(r) });
  const instant = (process: string, thread: string, name: string, cat: string, r: TraceRecord) => instants.push({ process, thread, name, cat, ts: r.t, dur: 0, args: argsOf(r) });
  // Where an actor's records go: arrays, their hosts and drives belong to the array.
  const home = (actor: string): { process: string; thread: string } => {
    if (isArray.has(actor)) return { process: actor, thread: 'events' };
    const host = /^host\/(.+)$/.exec(actor);
    if (host !== null) return { process: host[1]!, thread: 'host' };
    const part = /^(.+?)\/(.+)$/.exec(actor); // a drive (p1/d0) or the journal (p1/log)
    if (part !== null && isArray.has(part[1]!)) return { process: part[1]!, thread: part[2]! };
    return { process: actor === 'checker' ? 'checks' : 'faults', thread: actor };
  };
  const outstanding = new Map<string, number[]>(); // link + block + bytes → send times not yet delivered or dropped
  const messageKey = (from: string, to: string, r: TraceRecord) => `${from}\u0000${to}\u0000${r['block']}\u0000${r['bytes']}`;
  const lastDriveOp = new Map<string, { t: number; dur: number }>();

  for (const r of records) {
    const n = (field: string) => Number(r[field]);
    const what = (verb: string) => (n('block') >= 0 ? `${verb} ${n('block')}` : verb);
    // A message: its type, block and sequence number ("delta 7 #12").
    const message = () => `${what(r['type'] === undefined ? 'block' : String(r['type']))}${r['seq'] === undefined ? '' : ` #${r['seq']}`}`;
    switch (r.kind) {
      case 'host.op': {
        const h = home(r.actor);
        slice(h.process, 'host', `${what(n('write') === 1 ? 'write' : 'read')}${n('ok') === 1 ? '' : ' (failed)'}`, 'host', r.t, n('latencyUs'), r);
        break;
      }
      case 'disk.read':
      case 'disk.write':
        slice(r.actor, 'disk', what(r.kind.slice(5)), 'disk', r.t, Math.min(diskLatency, r.t), r);
        break;
      case 'array.read':
      case 'array.write': {
        // The array answers when its drive does: the drive's wait and service are the I/O's.
        const drive = lastDriveOp.get(`${r.actor}/d${n('drive')}`);
        slice(r.actor, 'disk', what(r.kind.slice(6)), 'disk', r.t, drive !== undefined && drive.t === r.t ? drive.dur : 0, r);
        break;
      }
      case 'hdd.read':
      case 'hdd.write':
      case 'hdd.destage': {
        const h = home(r.actor);
        lastDriveOp.set(r.actor, { t: r.t, dur: n('serviceUs') + n('waitUs') });
        slice(h.process, h.thread, r.kind.slice(4), 'drive', r.t, n('serviceUs'), r);
        break;
      }
      case 'log.append':
      case 'log.trim':
        slice(home(r.actor).process, 'journal', r.kind.slice(4), 'journal', r.t, Math.min(scenario.journalLatency, r.t), r);
        break;
      case 'net.send':
      case 'net.duplicate': {
        const key = messageKey(r.actor, String(r['to']), r);
        const list = outstanding.get(key) ?? [];
        list.push(r.t);
        outstanding.set(key, list);
        if (r.kind === 'net.duplicate') instant('network', link(r.actor, String(r['to'])), 'duplicated', 'net', r);
        break;
      }
      case 'net.deliver': {
        const from = String(r['from']);
        const list = outstanding.get(messageKey(from, r.actor, r));
        const i = list?.indexOf(n('sentAt')) ?? -1;
        if (i >= 0) list!.splice(i, 1);
        slice('network', link(from, r.actor), message(), 'net', r.t, r.t - n('sentAt'), r);
        break;
      }
      case 'net.drop': {
        const to = String(r['to']);
        const sent = outstanding.get(messageKey(r.actor, to, r))?.shift() ?? r.t;
        slice('network', link(r.actor, to), `${message()} ${DROP_REASONS[String(r['reason'])] ?? 'dropped'}`, 'net', r.t, r.t - sent, r);
        break;
      }
      case 'net.link':
        instant('network', link(r.actor, String(r['to'])), n('down') === 1 ? 'link down' : 'link up', 'net', r);
        break;
      case 'check.parity':
        if (n('ok') === 0) instant('checks', 'parity', `Q[${n('block')}] ≠ XOR of members`, 'check', r);
        break;
      case 'fault': {
        const h = home(r.actor);
        instant(h.process, h.thread, `${faultName(n('code')) ?? `fault ${n('code')}`}${n('suppressed') === 1 ? ' (suppressed by the budget)' : ''}`, 'fault', r);
        break;
      }
      case 'node.life':
        instant(r.actor, 'events', n('alive') === 1 ? `start (incarnation ${n('incarnation')})` : 'crash', 'life', r);
        break;
      default: {
        const h = home(r.actor);
        instant(h.process, h.thread, r.kind, 'other', r);
      }
    }
  }
  return { traceEvents: layout(arrays, slices, instants), displayTimeUnit: 'ms', otherData: about };
}

function link(from: string, to: string): string {
  return `${from} → ${to}`;
}

/** Threads of an array in a fixed order: host, disk, drives, journal, then the rest. */
function rank(track: string): number {
  const thread = track.slice(track.indexOf('\u0000') + 1);
  if (thread === 'host') return 0;
  if (thread === 'disk') return 1;
  if (/^d\d+$/.test(thread)) return 2;
  if (thread === 'journal') return 3;
  return 4;
}

function argsOf(r: TraceRecord): Record<string, string | number> {
  const args: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(r)) if (k !== 't' && k !== 'actor') args[k] = v;
  return args;
}

/** Processes and threads numbered (arrays first, in scenario order), overlapping slices spread over lanes. */
function layout(arrays: readonly string[], slices: readonly Slice[], instants: readonly Slice[]): ChromeTraceEvent[] {
  const pids = new Map<string, number>();
  const tids = new Map<string, number>(); // process \0 thread → tid
  const meta: ChromeTraceEvent[] = [];
  const pid = (process: string) => {
    let id = pids.get(process);
    if (id === undefined) {
      id = pids.size + 1;
      pids.set(process, id);
      meta.push({ name: 'process_name', ph: 'M', pid: id, tid: 0, args: { name: process } });
      meta.push({ name: 'process_sort_index', ph: 'M', pid: id, tid: 0, args: { sort_index: id } });
    }
    return id;
  };
  const tid = (process: string, thread: string) => {
    const key = `${process}\u0000${thread}`;
    let id = tids.get(key);
    if (id === undefined) {
      id = tids.size + 1;
      tids.set(key, id);
      const p = pid(process);
      meta.push({ name: 'thread_name', ph: 'M', pid: p, tid: id, args: { name: thread } });
      meta.push({ name: 'thread_sort_index', ph: 'M', pid: p, tid: id, args: { sort_index: id } });
    }
    return id;
  };
  for (const a of arrays) pid(a);
  const events: ChromeTraceEvent[] = [];
  const byTrack = new Map<string, Slice[]>();
  for (const s of slices) {
    const key = `${s.process}\u0000${s.thread}`;
    const list = byTrack.get(key) ?? [];
    list.push(s);
    byTrack.set(key, list);
  }
  const tracks = [...byTrack.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
  for (const [, list] of tracks) {
    const { lanes, count } = assignLanes(list);
    const first = list[0]!;
    const laneTids = Array.from({ length: count }, (_, lane) => tid(first.process, lane === 0 ? first.thread : `${first.thread} #${lane + 1}`));
    list.forEach((s, i) => {
      const at = { pid: pid(s.process), tid: laneTids[lanes[i]!]! };
      events.push({ name: s.name, ph: 'X', cat: s.cat, ts: s.ts, dur: s.dur, ...at, args: s.args });
      // An arrow binds to the slice enclosing its point on the same track.
      for (const f of s.flows ?? []) events.push({ name: 'host write', ph: f.phase, cat: 'write path', id: f.id, bp: 'e', ts: f.at === 'start' ? s.ts : s.ts + s.dur, ...at });
    });
  }
  for (const s of instants) events.push({ name: s.name, ph: 'i', s: 't', cat: s.cat, ts: s.ts, pid: pid(s.process), tid: tid(s.process, s.thread), args: s.args });
  events.sort((a, b) => a.ts! - b.ts! || a.pid - b.pid || a.tid - b.tid);
  return [...meta, ...events];
}
