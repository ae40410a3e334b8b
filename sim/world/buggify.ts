// The simulator's side of BUGGIFY (src/ports/buggify.ts): decides, from the
// run's seed, where the controllers' own code makes trouble for itself.
//
// As FoundationDB does it: each point (src/protocol/buggify-points.ts) is
// enabled for the whole run with probability `enable` (stream
// `buggify/enable`), and an enabled point fires with probability `fire` each
// time a live controller reaches it (stream `buggify/<point>`, which also
// draws how long a delay lasts: log-uniform in 1 µs … `maxDelay`). Nothing
// fires before the load starts — the initial parity build is left alone —
// and crash points fire only during the fault phase, once per run each, the
// controller restarting after a while as a `crash` fault with `restartAfter`
// does (once the I/O its dead predecessor submitted has drained). Other
// points are rate-limited (a token bucket in virtual time: RATE a second,
// bursts of BURST), so their delays slow a serial walk — a scrub pass
// reaches its point at every block — by a bounded share, never past the
// settle bound, and firings spread over the whole run rather than using up
// a quota in its first moments. Every firing is counted as probe
// `buggify:<point>` and recorded in the trace.
import type { Buggify } from '../../src/ports/buggify.js';
import { BUGGIFY_POINTS, type BuggifyPoint } from '../../src/protocol/buggify-points.js';
import type { Engine } from '../engine/engine.js';
import { MS, SECOND, type Time } from '../engine/time.js';
import type { KindId } from '../engine/trace.js';
import type { Incarnation } from './incarnation.js';
import type { ProbeCounter } from './probe-counter.js';
import type { SimDevice } from '../disk/sim-device.js';

export interface BuggifySettings {
  /** Probability that a point is enabled for the run. */
  readonly enable: number;
  /** Probability that an enabled point fires each time it is reached. */
  readonly fire: number;
  /** The longest delay a delay point adds (µs). */
  readonly maxDelay: number;
  /** Only these points may be enabled (undefined: every point). */
  readonly points?: readonly BuggifyPoint[] | undefined;
}

/** Firings of one delay or drop point per second of virtual time, at most, on average … */
export const RATE = 100;
/** … and at once (the bucket's size). */
export const BURST = 20;
/** Mean time until a controller crashed at a buggify point restarts (exponential, as a random crash's default). */
const RESTART_AFTER = 10 * MS;
/** How often a restart waiting for its predecessor's I/O to drain looks again. */
const RETRY = 1 * MS;

const POINTS = Object.keys(BUGGIFY_POINTS) as BuggifyPoint[];

/** What the world's fault machinery hears of a buggify crash (the fault injector's triggers and coverage). */
export type BuggifyEvent = (event: 'crashed' | 'restarted', array: string) => void;

/** What a buggify crash does to the world (the World; narrow, so this part does not import it). */
export interface BuggifyWorld {
  readonly probes: Pick<ProbeCounter, 'hit'>;
  crash(array: string): void;
  restart(array: string): void;
  node(array: string): { readonly incarnation: Incarnation; readonly device: SimDevice };
}

export class SimBuggify {
  readonly #engine: Engine;
  readonly #world: BuggifyWorld;
  readonly #settings: BuggifySettings;
  readonly #enabled: ReadonlySet<BuggifyPoint>;
  /** Per point: firings left in its bucket, as of when (crash points: 1 per run, never refilled). */
  readonly #tokens = new Map<BuggifyPoint, { left: number; at: Time }>();
  readonly #kFire: KindId;
  readonly #kRestart: KindId;
  /** Until start(): nothing fires. */
  #armed = false;
  /** Crash points fire only before this time (the end of the fault phase). */
  #crashesUntil: Time = 0;
  #onEvent: BuggifyEvent | undefined;

  constructor(engine: Engine, world: BuggifyWorld, settings: BuggifySettings) {
    this.#engine = engine;
    this.#world = world;
    this.#settings = settings;
    const rng = engine.random.stream('buggify/enable');
    // Every point draws, listed or not: narrowing the list leaves the others' draws as they were.
    this.#enabled = new Set(POINTS.filter((p) => rng.chance(settings.enable) && (settings.points?.includes(p) ?? true)));
    this.#kFire = engine.trace.kind('buggify', ['point', 'value'], { values: { point: POINTS } });
    this.#kRestart = engine.trace.kind('buggify.restart');
  }

  /** The points enabled for this run, in the order of BUGGIFY_POINTS. */
  get enabled(): readonly BuggifyPoint[] {
    return POINTS.filter((p) => this.#enabled.has(p));
  }

  /** The load starts: points may fire from now on, crash points until `crashesUntil`; `onEvent` hears each crash and restart. */
  start(crashesUntil: Time, onEvent?: BuggifyEvent): void {
    this.#armed = true;
    this.#crashesUntil = crashesUntil;
    this.#onEvent = onEvent;
  }

  /** The port one incarnation of `array`'s controller gets (inert once it is dead). */
  for(array: string, life: Incarnation): Buggify {
    return {
      delay: (point) => {
        if (!this.#fires(point, life)) return 0;
        const us = this.#delay(point);
        this.#record(point, array, us);
        return us;
      },
      fires: (point) => {
        if (!this.#fires(point, life)) return false;
        this.#record(point, array, 1);
        return true;
      },
      crashes: (point) => {
        if (this.#engine.now >= this.#crashesUntil || !this.#fires(point, life)) return false;
        this.#record(point, array, 1);
        this.#crash(array, Math.max(1, Math.round(this.#rng(point).exponential(RESTART_AFTER))));
        return true;
      },
    };
  }

  #rng(point: BuggifyPoint) {
    return this.#engine.random.stream(`buggify/${point}`);
  }

  /** Does `point` fire now? Draws only for an enabled point, reached by a live controller, with firings left. */
  #fires(point: BuggifyPoint, life: Incarnation): boolean {
    if (!this.#armed || !life.alive || !this.#enabled.has(point)) return false;
    const now = this.#engine.now;
    const crash = BUGGIFY_POINTS[point].kind === 'crash';
    let bucket = this.#tokens.get(point);
    if (bucket === undefined) this.#tokens.set(point, (bucket = { left: crash ? 1 : BURST, at: now }));
    if (!crash) {
      bucket.left = Math.min(BURST, bucket.left + ((now - bucket.at) * RATE) / SECOND);
      bucket.at = now;
    }
    if (bucket.left < 1 || !this.#rng(point).chance(this.#settings.fire)) return false;
    bucket.left--;
    return true;
  }

  /** Log-uniform in 1 … maxDelay µs: short waits as likely as long ones. */
  #delay(point: BuggifyPoint): number {
    const max = Math.max(1, this.#settings.maxDelay);
    return Math.min(max, Math.max(1, Math.round(Math.exp(this.#rng(point).float() * Math.log(max)))));
  }

  #record(point: BuggifyPoint, array: string, value: number): void {
    this.#world.probes.hit(`buggify:${point}`);
    const t = this.#engine.trace;
    t.record(this.#engine.now, this.#kFire, t.actor(array), POINTS.indexOf(point), value);
  }

  /** The controller dies here (its code stops: the caller returns halted()), and restarts after `restartAfter`. */
  #crash(array: string, restartAfter: Time): void {
    const w = this.#world;
    w.crash(array);
    this.#onEvent?.('crashed', array);
    const dead = w.node(array).incarnation.number;
    this.#engine.after(restartAfter, this.#kRestart, () => this.#restartWhenQuiet(array, dead));
  }

  /**
   * As the fault injector restarts a crashed controller (sim/faults/fault-injector.ts):
   * once its disks have power and its predecessor's I/O has drained — unless
   * another restart (a power return's) got there first, or its array failed
   * meanwhile (the replacement starts a controller of its own).
   */
  #restartWhenQuiet(array: string, dead: number): void {
    const node = this.#world.node(array);
    if (node.incarnation.number !== dead || node.incarnation.alive || node.device.failed) return;
    if (node.device.inFlight > 0 || node.device.down) {
      this.#engine.after(RETRY, this.#kRestart, () => this.#restartWhenQuiet(array, dead));
      return;
    }
    this.#world.restart(array);
    this.#onEvent?.('restarted', array);
  }
}
