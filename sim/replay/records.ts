// A run's trace records as replay handles them: which ones a filter keeps
// (`--array`, `--block`), and each as one line of text.
import type { TraceRecord } from '../engine/trace.js';

export interface RecordFilter {
  /** Only records about this array: by it, its host or drives, or messages to or from it. */
  readonly array?: string;
  /** Only records about this block number. */
  readonly block?: number;
}

export function keeps(filter: RecordFilter): (r: TraceRecord) => boolean {
  const { array, block } = filter;
  if (array === undefined && block === undefined) return () => true;
  return (r) => (block === undefined || r['block'] === block) && (array === undefined || touches(r, array));
}

/** Is the record about `array`? */
export function touches(r: TraceRecord, array: string): boolean {
  const a = r.actor;
  return a === array || a === `host/${array}` || a.startsWith(`${array}/`) || r['to'] === array || r['from'] === array || a.split('<->').includes(array);
}

/** `t=940146us net.send p4 block=762 bytes=45 to=parity`, as the violation report prints records. */
export function formatRecord(r: TraceRecord): string {
  const fields = Object.entries(r)
    .filter(([k]) => k !== 't' && k !== 'kind' && k !== 'actor')
    .map(([k, v]) => `${k}=${v}`);
  return `t=${r.t}us ${r.kind} ${r.actor}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}`;
}

/** The last `limit` records about `block`, oldest first. */
export function lastAbout(records: readonly TraceRecord[], block: number, limit: number): TraceRecord[] {
  const out: TraceRecord[] = [];
  for (let i = records.length - 1; i >= 0 && out.length < limit; i--) if (records[i]!['block'] === block) out.push(records[i]!);
  return out.reverse();
}
