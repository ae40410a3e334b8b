// The run's fingerprint and its optional event log.
//
// Every engine event and every semantic record (a disk I/O, a message, a host
// operation, a check) is folded into a rolling 64-bit hash: two runs with the
// same traceHash executed the same events at the same virtual times. Records
// carry only interned ids and integers, so hashing costs a few multiplies and no
// allocation; the JSONL sink, when on, renders them with their field names.
//
// A kind may also declare notes: up to two more fields for readers (a
// message's type and sequence number), rendered by sinks and violation
// reports but not folded into the hash — they follow from what is hashed, and
// adding them left every traceHash as it was. A field can name its values
// (a drop's reason: "loss", not 1); the hash still takes the number.
import type { Time } from './time.js';

export type KindId = number;
export type ActorId = number;

interface KindInfo {
  readonly name: string;
  readonly fields: readonly string[];
  readonly notes: readonly string[];
  readonly values: Readonly<Record<string, readonly string[]>>;
}

export interface KindOptions {
  /** Up to two fields for readers only (not hashed): record()'s `e` and `f`. */
  readonly notes?: readonly string[];
  /** Names of a field's values, by number (the hash takes the number). */
  readonly values?: Readonly<Record<string, readonly string[]>>;
}

export type TraceSink = (line: string) => void;

/** One semantic record as sinks see it: time, kind, actor, and the kind's named fields. */
export interface TraceRecord {
  readonly t: number;
  readonly kind: string;
  readonly actor: string;
  readonly [field: string]: string | number;
}

export type RecordSink = (record: TraceRecord) => void;

/** Records kept for violation reports ("the last events that touched block k"). */
const RECENT = 8192;

export class Trace {
  #h1 = 0x9e3779b9 | 0;
  #h2 = 0x85ebca6b | 0;
  readonly #kinds: KindInfo[] = [];
  readonly #kindIds = new Map<string, KindId>();
  // Hashes fold in a fingerprint of each name, not its id, so the trace hash
  // does not depend on the order in which components registered their kinds.
  #kindPrints = new Int32Array(64);
  /** Per kind: 1 if its first field is a block (its records go to the ring of recent ones). */
  #blockFirst = new Int32Array(64);
  #actorPrints = new Int32Array(64);
  readonly #actors: string[] = [];
  readonly #actorIds = new Map<string, ActorId>();
  #sink: RecordSink | undefined;
  #records = 0;
  // Ring of recent records whose first field is a block number.
  readonly #rTime = new Float64Array(RECENT);
  readonly #rKind = new Int32Array(RECENT);
  readonly #rActor = new Int32Array(RECENT);
  readonly #rBlock = new Float64Array(RECENT);
  readonly #rRest = new Float64Array(RECENT * 3);
  readonly #rNotes = new Float64Array(RECENT * 2);
  readonly #labels: string[] = [];
  readonly #labelIds = new Map<string, number>();
  #rNext = 0;

  /** Sends every record, rendered as one JSON line, to `sink`. */
  setSink(sink: TraceSink | undefined): void {
    this.#sink = sink === undefined ? undefined : (record) => sink(JSON.stringify(record));
  }

  /** Sends every record, as an object with its field names, to `sink` (replay's timeline). */
  setRecordSink(sink: RecordSink | undefined): void {
    this.#sink = sink;
  }

  get records(): number {
    return this.#records;
  }

  /** Interns a record kind and the names of its numeric fields (and notes). Idempotent per name. */
  kind(name: string, fields: readonly string[] = [], options: KindOptions = {}): KindId {
    const known = this.#kindIds.get(name);
    if (known !== undefined) return known;
    const id = this.#kinds.length;
    this.#kinds.push({ name, fields, notes: options.notes ?? [], values: options.values ?? {} });
    this.#kindIds.set(name, id);
    this.#kindPrints = setGrow(this.#kindPrints, id, fingerprint(name));
    this.#blockFirst = setGrow(this.#blockFirst, id, fields[0] === 'block' ? 1 : 0);
    return id;
  }

  kindName(id: KindId): string {
    return this.#kinds[id]?.name ?? `kind#${id}`;
  }

  actor(name: string): ActorId {
    const known = this.#actorIds.get(name);
    if (known !== undefined) return known;
    const id = this.#actors.length;
    this.#actors.push(name);
    this.#actorIds.set(name, id);
    this.#actorPrints = setGrow(this.#actorPrints, id, fingerprint(name));
    return id;
  }

  actorName(id: ActorId): string {
    return this.#actors[id] ?? `actor#${id}`;
  }

  /** Interns a word a note field named `type` holds (a message type), as a number for record(). */
  label(text: string): number {
    let id = this.#labelIds.get(text);
    if (id === undefined) {
      id = this.#labels.length;
      this.#labels.push(text);
      this.#labelIds.set(text, id);
    }
    return id;
  }

  /** Folds one engine event into the hash (called by the engine per event). */
  event(time: Time, kind: KindId, arg: number): void {
    this.#mix(time);
    this.#mix(this.#kindPrints[kind]!);
    this.#mix(arg);
  }

  /** A semantic record: what happened, who did it, up to four integer fields, and up to two notes (NaN: none), which the hash leaves out. */
  record(time: Time, kind: KindId, actor: ActorId, a = 0, b = 0, c = 0, d = 0, e = Number.NaN, f = Number.NaN): void {
    this.#records++;
    this.#mix(time);
    this.#mix(this.#kindPrints[kind]! ^ Math.imul(this.#actorPrints[actor]!, 0x9e3779b1));
    this.#mix(a);
    this.#mix(b);
    this.#mix(c);
    this.#mix(d);
    if (this.#blockFirst[kind] === 1) {
      const i = this.#rNext++ % RECENT;
      this.#rTime[i] = time;
      this.#rKind[i] = kind;
      this.#rActor[i] = actor;
      this.#rBlock[i] = a;
      this.#rRest[3 * i] = b;
      this.#rRest[3 * i + 1] = c;
      this.#rRest[3 * i + 2] = d;
      this.#rNotes[2 * i] = e;
      this.#rNotes[2 * i + 1] = f;
    }
    if (this.#sink !== undefined) this.#emit(time, kind, actor, [a, b, c, d], [e, f]);
  }

  /** The last `limit` recent records about `block`, oldest first, one line each. */
  recentFor(block: number, limit = 12): string[] {
    const out: string[] = [];
    const oldest = Math.max(0, this.#rNext - RECENT);
    for (let n = this.#rNext - 1; n >= oldest && out.length < limit; n--) {
      const i = n % RECENT;
      if (this.#rBlock[i] !== block) continue;
      const info = this.#kinds[this.#rKind[i]!]!;
      const fields = info.fields.slice(1).map((f, j) => `${f}=${this.#fieldText(info, f, this.#rRest[3 * i + j]!)}`);
      info.notes.forEach((f, j) => {
        const v = this.#rNotes[2 * i + j]!;
        if (!Number.isNaN(v)) fields.push(`${f}=${this.#fieldText(info, f, v)}`);
      });
      out.push(`t=${this.#rTime[i]}us ${info.name} ${this.actorName(this.#rActor[i]!)} block=${block}${fields.length ? ' ' + fields.join(' ') : ''}`);
    }
    return out.reverse();
  }

  /** Fields named `to`/`from` hold actor ids, `type` a label: show the name; a field with named values, the value's name. */
  #fieldText(info: KindInfo, field: string, value: number): string | number {
    if (field === 'to' || field === 'from') return this.actorName(value);
    if (field === 'type') return this.#labels[value] ?? value;
    return info.values[field]?.[value] ?? value;
  }

  /** The 64-bit fingerprint so far, as 16 hex digits. */
  get hash(): string {
    return hex(fmix(this.#h1 ^ this.#h2)) + hex(fmix(this.#h2 + Math.imul(this.#h1, 0x27d4eb2d)));
  }

  #mix(x: number): void {
    // ToUint32 is exact modulo 2^32 for any safe integer; the high part covers
    // values above 2^32 (virtual times beyond ~71 minutes).
    const lo = x >>> 0;
    const hi = (x / 4294967296) >>> 0;
    let h1 = Math.imul(this.#h1 ^ lo, 0xcc9e2d51);
    h1 = (h1 << 15) | (h1 >>> 17);
    let h2 = Math.imul(this.#h2 ^ hi ^ h1, 0x1b873593);
    h2 = (h2 << 13) | (h2 >>> 19);
    this.#h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    this.#h2 = (Math.imul(h2, 5) + 0x561ccd1b) | 0;
  }

  #emit(time: Time, kind: KindId, actor: ActorId, values: number[], notes: number[]): void {
    const info = this.#kinds[kind]!;
    const line: Record<string, string | number> = { t: time, kind: info.name, actor: this.actorName(actor) };
    const fields = info.fields;
    for (let i = 0; i < fields.length; i++) line[fields[i]!] = this.#fieldText(info, fields[i]!, values[i]!);
    for (let i = 0; i < info.notes.length; i++) if (!Number.isNaN(notes[i])) line[info.notes[i]!] = this.#fieldText(info, info.notes[i]!, notes[i]!);
    this.#sink!(line as TraceRecord);
  }
}

/** FNV-1a of a name: a stable 32-bit stand-in for it in the hash. */
function fingerprint(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

function setGrow(a: Int32Array<ArrayBuffer>, i: number, v: number): Int32Array<ArrayBuffer> {
  let out = a;
  if (i >= a.length) {
    out = new Int32Array(a.length * 2);
    out.set(a);
  }
  out[i] = v;
  return out;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex(x: number): string {
  return x.toString(16).padStart(8, '0');
}
