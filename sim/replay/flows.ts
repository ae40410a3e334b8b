// The path of each host write through the timeline, as Perfetto flow arrows:
// the host's write → its delta on the network → parity's read-modify-write of
// the block → the ack on its way back → the write's completion at the host.
// Found from the records alone (net records carry the message's type and
// sequence number): the delta is the first one of the block from that array
// sent while the write was outstanding, parity's write the first of that
// block once the delta arrived, the ack the delta-ack with the delta's
// sequence number. A step that is not in the records (a filtered replay; no
// ack under literal) is left out, and the arrow still joins the others.
import type { TraceRecord } from '../engine/trace.js';

export interface FlowPoint {
  /** The flow's id (one per host write). */
  readonly id: number;
  /** Start, step or finish of the arrow. */
  readonly phase: 's' | 't' | 'f';
  /** Where in the record's slice the arrow attaches. */
  readonly at: 'start' | 'end';
}

/** For each record index that carries a slice of some write's path, where arrows attach to it. */
export function writeFlows(records: readonly TraceRecord[], parity: string): Map<number, FlowPoint[]> {
  const deltas = index(records, (r) => r.kind === 'net.deliver' && r.actor === parity && r['type'] === 'delta', (r) => `${r['from']}|${r['block']}`);
  const writes = index(records, (r) => r.actor === parity && (r.kind === 'disk.write' || r.kind === 'array.write'), (r) => String(r['block']));
  const acks = index(records, (r) => r.kind === 'net.deliver' && r['from'] === parity && r['type'] === 'delta-ack', (r) => `${r.actor}|${r['seq']}`);
  const out = new Map<number, FlowPoint[]>();
  const add = (i: number, p: FlowPoint) => out.set(i, [...(out.get(i) ?? []), p]);
  let id = 0;
  records.forEach((r, h) => {
    if (r.kind !== 'host.op' || r['write'] !== 1 || r['ok'] !== 1) return;
    const array = r.actor.replace(/^host\//, '');
    const end = r.t;
    const start = end - Number(r['latencyUs']);
    const delta = first(records, deltas.get(`${array}|${r['block']}`), (d) => Number(d['sentAt']) >= start && Number(d['sentAt']) <= end);
    if (delta === undefined) return;
    const rmw = first(records, writes.get(String(r['block'])), (w) => w.t >= records[delta]!.t);
    const seq = records[delta]!['seq'];
    const after = rmw === undefined ? records[delta]!.t : records[rmw]!.t;
    const ack = seq === undefined ? undefined : first(records, acks.get(`${array}|${seq}`), (a) => a.t >= after);
    const steps = [delta, rmw, ack].filter((i): i is number => i !== undefined);
    id++;
    add(h, { id, phase: 's', at: 'start' });
    for (const i of steps) add(i, { id, phase: 't', at: 'start' });
    // The completion closes the arrow only if it comes after the last step (under literal a write completes before parity has it).
    const last = records[steps[steps.length - 1]!]!.t;
    if (end >= last) add(h, { id, phase: 'f', at: 'end' });
  });
  return out;
}

/** Record indices by key, in record (time) order. */
function index(records: readonly TraceRecord[], keep: (r: TraceRecord) => boolean, key: (r: TraceRecord) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  records.forEach((r, i) => {
    if (!keep(r)) return;
    const k = key(r);
    const list = out.get(k);
    if (list === undefined) out.set(k, [i]);
    else list.push(i);
  });
  return out;
}

function first(records: readonly TraceRecord[], list: readonly number[] | undefined, ok: (r: TraceRecord) => boolean): number | undefined {
  return list?.find((i) => ok(records[i]!));
}
