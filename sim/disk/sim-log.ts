// A simulated durable log (NVRAM-like): appends and trims take a fixed latency;
// contents survive a controller crash and a power failure, and vanish when the
// array fails (fail()). Power failure assumes battery- or supercapacitor-backed
// NVRAM, as in real array controllers: no append is lost or torn by it. An
// append in flight when its controller crashes or loses power still lands
// (stored energy finishes it); the dead caller just never hears so, and the
// next incarnation finds the record.
import type { DurableLog, LogContents, LogRecord } from '../../src/ports/durable-log.js';
import type { Engine } from '../engine/engine.js';
import type { ActorId, KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';

export class SimLog {
  readonly name: string;
  readonly #engine: Engine;
  readonly #latency: Time;
  readonly #kAppend: KindId;
  readonly #kTrim: KindId;
  readonly #actor: ActorId;
  #records: LogRecord[] = [];
  #header = new Uint8Array(0);
  #trimmedUpTo = 0;
  #next = 1;
  #life = 0;

  constructor(engine: Engine, name: string, latencyUs: Time) {
    this.#engine = engine;
    this.name = name;
    this.#latency = latencyUs;
    this.#kAppend = engine.trace.kind('log.append', ['position', 'bytes']);
    this.#kTrim = engine.trace.kind('log.trim', ['position']);
    this.#actor = engine.trace.actor(`${name}/log`);
  }

  /** Records held (for tests and stats). */
  get length(): number {
    return this.#records.length;
  }

  /** The records held, oldest first (the checker reads them; never a controller). */
  get records(): readonly LogRecord[] {
    return this.#records;
  }

  /** The array failed: the log is gone with it. */
  fail(): void {
    this.#records = [];
    this.#header = new Uint8Array(0);
    this.#trimmedUpTo = 0;
    this.#next = 1;
    this.#life++;
  }

  /** The port, as one controller incarnation uses it; `alive` false: its answers never come (a dead life's). One promise per operation. */
  port(alive: () => boolean = () => true): DurableLog {
    const answer = <T>(start: (done: (value: T) => void) => void): Promise<T> => (alive() ? new Promise<T>((resolve) => start((value) => alive() && resolve(value))) : new Promise<T>(() => {}));
    return {
      append: (data) => answer<number>((done) => this.#append(data, done)),
      trim: (position) => answer<void>((done) => this.#trim(position, done)),
      writeHeader: (data) => answer<void>((done) => this.#writeHeader(data, done)),
      read: () => answer<LogContents>((done) => this.#read(done)),
    };
  }

  #append(data: Uint8Array, done: (position: number) => void): void {
    const copy = data.slice();
    const life = this.#life;
    this.#engine.after(this.#latency, this.#kAppend, () => {
      if (life !== this.#life) return; // the array failed meanwhile: never durable
      const position = this.#next++;
      this.#records.push({ position, data: copy });
      this.#engine.trace.record(this.#engine.now, this.#kAppend, this.#actor, position, copy.length);
      done(position);
    });
  }

  #trim(position: number, done: () => void): void {
    const life = this.#life;
    this.#engine.after(this.#latency, this.#kTrim, () => {
      // The array failed meanwhile: the trim was of the lost log. Applied to its replacement, a
      // position of the old numbering trimmed the new log's unacknowledged records (found by the
      // primary's recovery asserting its records follow the trim point: seeds 461, 1119).
      if (life !== this.#life) return;
      if (position > this.#trimmedUpTo) {
        this.#trimmedUpTo = position;
        this.#records = this.#records.filter((r) => r.position > position);
      }
      this.#engine.trace.record(this.#engine.now, this.#kTrim, this.#actor, position);
      done();
    });
  }

  #writeHeader(data: Uint8Array, done: () => void): void {
    const copy = data.slice();
    const life = this.#life;
    this.#engine.after(this.#latency, this.#kTrim, () => {
      if (life !== this.#life) return;
      this.#header = copy;
      done();
    });
  }

  #read(done: (contents: LogContents) => void): void {
    this.#engine.after(this.#latency, this.#kTrim, () => done({ header: this.#header.slice(), trimmedUpTo: this.#trimmedUpTo, records: this.#records.map((r) => ({ position: r.position, data: r.data.slice() })) }));
  }
}
