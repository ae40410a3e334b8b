// The discrete-event engine: virtual clock, event queue, seeded randomness,
// trace hash, and the rule that makes async product code deterministic.
//
// Async rule: after any event that may have woken product code (every closure
// event, or a typed event that calls markAsync()), the loop awaits a
// process.nextTick. Node runs nextTick callbacks only after V8 has drained the
// whole microtask queue — including continuations queued by continuations, at
// any await depth — so every continuation runs at the virtual time of the event
// that woke it, before the clock moves. (One `await null` per event would only
// let one level of awaits through.) test/engine-async.test.ts proves it against
// a synchronous reference.
import { EventQueue } from './event-queue.js';
import { Streams } from './prng.js';
import { type KindId, Trace } from './trace.js';
import { SimulatorLimit } from './limit.js';
import { type Time, TIME_MAX, formatTime } from './time.js';

export type Handler = (arg: number) => void;
export type Callback = () => void;

/** A scheduled event that can still be cancelled. */
export type TimerId = number;

export type StopReason = 'quiescent' | 'time' | 'predicate' | 'max-events' | 'stopped' | 'crashed';

export interface RunOptions {
  /** Run events up to and including this time, then set the clock to it. */
  readonly until?: Time;
  /** Checked after every event; the run stops as soon as it returns true. */
  readonly stopWhen?: () => boolean;
  readonly maxEvents?: number;
}

export interface Crash {
  readonly error: unknown;
  readonly timeUs: Time;
  readonly where: string;
}

const SLOT_BITS = 2 ** 26; // timer id = generation * 2^26 + slot
const GEN_WRAP = 2 ** 26;
const NO_HANDLER = -1;

const drain = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));
/** Settled once: `.then` on it queues a microtask without queueMicrotask's per-call AsyncResource. */
const SETTLED = Promise.resolve();

export class Engine {
  readonly random: Streams;
  readonly trace = new Trace();
  #now: Time = 0;
  #events = 0;

  readonly #queue = new EventQueue();
  // Per-slot event payload (parallel arrays; a slot is reused once its event ran).
  #kind = new Int32Array(1024);
  #handler = new Int32Array(1024);
  #arg = new Float64Array(1024);
  #gen = new Int32Array(1024);
  #cancelled = new Uint8Array(1024);
  #lastEventAt: Time = 0;
  #fn: (Callback | undefined)[] = [];
  #free: number[] = [];
  #slots = 0;

  readonly #handlers: Handler[] = [];
  readonly #handlerKinds: KindId[] = [];

  #asyncPending = false;
  /** The run in progress: its bounds, and how it ends (its promise's resolve and reject). */
  #until: Time = TIME_MAX;
  #stopWhen: (() => boolean) | undefined;
  #maxTotal = Infinity;
  #done: ((reason: StopReason) => void) | undefined;
  #broken: ((error: unknown) => void) | undefined;
  /** The last event woke async code, which has run since: the checks after an event are still due. */
  #drained = false;
  /** Made once: the loop's way back after the microtask queue has drained. */
  readonly #resume = (): void => this.#steps();
  readonly #askTick = (): void => process.nextTick(this.#resume);
  #stopReason: StopReason | undefined;
  #crash: Crash | undefined;
  #running = false;

  constructor(seed: number) {
    this.random = new Streams(seed);
  }

  get now(): Time {
    return this.#now;
  }

  /** Events executed so far (cancelled ones excluded). */
  get events(): number {
    return this.#events;
  }

  /**
   * When the last event executed (cancelled ones excluded). `now` also moves
   * past cancelled timers (the queue's cursor must not run ahead of it), so
   * this is when a run really ended.
   */
  get lastEventAt(): Time {
    return this.#lastEventAt;
  }

  get pending(): number {
    return this.#queue.size;
  }

  get crash(): Crash | undefined {
    return this.#crash;
  }

  /** Registers an allocation-free event handler; events posted to it carry one number. */
  handler(kindName: string, fn: Handler): number {
    const id = this.#handlers.length;
    this.#handlers.push(fn);
    this.#handlerKinds.push(this.trace.kind(kindName, ['arg']));
    return id;
  }

  /** Schedules handler `h` with `arg` after `delay` µs (0 = later in this instant). */
  post(delay: Time, h: number, arg: number): TimerId {
    const slot = this.#alloc(this.#handlerKinds[h]!, h, arg, undefined);
    return this.#enqueue(delay, slot);
  }

  /** Schedules `fn` after `delay` µs. `kind` (from trace.kind) names it in the trace hash. */
  after(delay: Time, kind: KindId, fn: Callback): TimerId {
    const slot = this.#alloc(kind, NO_HANDLER, 0, fn);
    return this.#enqueue(delay, slot);
  }

  /** Schedules `fn` at absolute time `time` (not in the past). */
  at(time: Time, kind: KindId, fn: Callback): TimerId {
    if (time < this.#now) throw new RangeError(`Engine.at: time ${time} is before now (${this.#now})`);
    return this.after(time - this.#now, kind, fn);
  }

  /** Cancels a scheduled event; false if it already ran or was cancelled. */
  cancel(id: TimerId): boolean {
    const slot = id % SLOT_BITS;
    const gen = Math.floor(id / SLOT_BITS);
    if (slot >= this.#slots || this.#gen[slot] !== gen || this.#cancelled[slot] === 1) return false;
    this.#cancelled[slot] = 1;
    this.#fn[slot] = undefined;
    return true;
  }

  /** Resolves after `delay` µs of virtual time. */
  sleep(delay: Time, kind: KindId): Promise<void> {
    return new Promise((resolve) => this.after(delay, kind, resolve));
  }

  /** Tells the loop that the current typed event woke async code that must run now. */
  markAsync(): void {
    this.#asyncPending = true;
  }

  /**
   * Routes failures of a product promise to the run's verdict (a crash) instead
   * of an unhandled rejection. Use on every product entry point the world calls.
   */
  watch(promise: Promise<unknown>, where: string): void {
    promise.then(undefined, (error: unknown) => this.fail(error, where));
  }

  /** Records a crash (first one wins) and stops the run. */
  fail(error: unknown, where: string): void {
    if (this.#crash === undefined) this.#crash = { error, timeUs: this.#now, where };
    this.#stopReason = 'crashed';
  }

  /** Asks the running loop to stop after the current event. */
  stop(): void {
    if (this.#stopReason === undefined) this.#stopReason = 'stopped';
  }

  /** Executes events in (time, seq) order until a stop condition; see RunOptions. */
  async run(options: RunOptions = {}): Promise<StopReason> {
    if (this.#running) throw new Error('Engine.run: already running');
    this.#running = true;
    try {
      if (this.#stopReason !== 'crashed') this.#stopReason = undefined;
      await drain(); // let setup code run up to its first real wait
      this.#until = options.until ?? TIME_MAX;
      this.#stopWhen = options.stopWhen;
      this.#maxTotal = this.#events + (options.maxEvents ?? Infinity);
      return await new Promise<StopReason>((resolve, reject) => {
        this.#done = resolve;
        this.#broken = reject;
        this.#steps();
      });
    } finally {
      this.#running = false;
      this.#done = this.#broken = undefined;
    }
  }

  /**
   * Runs events until the run ends (the run's promise settles) or an event
   * woke async code: then the rest waits for that code to run (the async
   * rule above): a microtask queued behind the event's own continuations
   * (a `.then` on SETTLED: one derived promise, no closure) asks for a
   * nextTick, which Node runs only once the microtask queue is empty — the
   * same moment `await` on a nextTick reached.
   */
  #steps(): void {
    let reason: StopReason | undefined;
    try {
      reason = this.#runEvents();
    } catch (error) {
      this.#broken!(error);
      return;
    }
    if (reason !== undefined) this.#done!(reason);
  }

  /** The events up to a stop (its reason), or to one that woke async code (undefined: #steps runs again once that code has). */
  #runEvents(): StopReason | undefined {
    if (this.#drained) {
      this.#drained = false;
      const stop = this.#stopAfterEvent();
      if (stop !== undefined) return stop;
    }
    const q = this.#queue;
    const trace = this.trace;
    const until = this.#until;
    for (;;) {
      if (this.#stopReason !== undefined) return this.#stopReason;
      const next = q.peekTime();
      if (next === Infinity) return 'quiescent';
      if (next > until) {
        if (until > this.#now) {
          q.advance(until);
          this.#now = until;
        }
        return 'time';
      }
      const slot = q.pop();
      this.#now = next;
      if (this.#cancelled[slot] === 1) {
        this.#release(slot);
        continue;
      }
      const h = this.#handler[slot]!;
      const arg = this.#arg[slot]!;
      const fn = this.#fn[slot];
      trace.event(this.#now, this.#kind[slot]!, arg);
      this.#release(slot);
      this.#events++;
      this.#lastEventAt = this.#now;
      try {
        if (h === NO_HANDLER) {
          this.#asyncPending = true;
          fn!();
        } else {
          this.#handlers[h]!(arg);
        }
      } catch (error) {
        this.fail(error, `event ${trace.kindName(this.#kind[slot]!)} at ${formatTime(this.#now)}`);
      }
      if (this.#asyncPending) {
        this.#asyncPending = false;
        this.#drained = true;
        void SETTLED.then(this.#askTick);
        return undefined;
      }
      const stop = this.#stopAfterEvent();
      if (stop !== undefined) return stop;
    }
  }

  /** After an event (and the code it woke): has the run's predicate or its event budget ended it? */
  #stopAfterEvent(): StopReason | undefined {
    if (this.#stopWhen !== undefined && this.#stopWhen() && this.#stopReason === undefined) return 'predicate';
    if (this.#events >= this.#maxTotal && this.#stopReason === undefined) return 'max-events';
    return undefined;
  }

  #alloc(kind: KindId, h: number, arg: number, fn: Callback | undefined): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#slots++;
      if (slot === this.#kind.length) this.#growSlots();
    }
    this.#kind[slot] = kind;
    this.#handler[slot] = h;
    this.#arg[slot] = arg;
    this.#fn[slot] = fn;
    this.#cancelled[slot] = 0;
    return slot;
  }

  #enqueue(delay: Time, slot: number): TimerId {
    if (!(delay >= 0) || !(Number.isSafeInteger(delay) || delay > TIME_MAX)) {
      this.#release(slot);
      throw new RangeError(`Engine: delay must be a non-negative integer of µs, got ${delay}`);
    }
    const t = this.#now + delay;
    if (t > TIME_MAX) {
      this.#release(slot);
      throw new SimulatorLimit(`an event ${formatTime(Math.min(delay, Number.MAX_VALUE))} after ${formatTime(this.#now)} is past the simulator's clock (2^53 µs, about 285 years)`);
    }
    this.#queue.push(t, slot);
    return this.#gen[slot]! * SLOT_BITS + slot;
  }

  #release(slot: number): void {
    this.#fn[slot] = undefined;
    this.#gen[slot] = (this.#gen[slot]! + 1) % GEN_WRAP;
    this.#free.push(slot);
  }

  #growSlots(): void {
    const n = this.#kind.length * 2;
    if (n > SLOT_BITS) throw new SimulatorLimit(`more than 2^26 events waiting at once (${this.#kind.length.toLocaleString('en-US')} pending)`);
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#kind = grow(this.#kind, (k) => new Int32Array(k));
    this.#handler = grow(this.#handler, (k) => new Int32Array(k));
    this.#arg = grow(this.#arg, (k) => new Float64Array(k));
    this.#gen = grow(this.#gen, (k) => new Int32Array(k));
    this.#cancelled = grow(this.#cancelled, (k) => new Uint8Array(k));
  }
}
