// One directed link (from → to) of the lossy network: its parameters and the
// state that makes it a single FIFO wire.
//
// Timing of one message: it waits until the link has finished transmitting the
// messages sent before it, takes bytes / bandwidth to serialise, then
// latency + jitter to propagate. Without reordering a link never delivers out
// of send order: a message whose jitter would let it overtake an earlier one
// arrives with it instead (jitter models variable delay along one in-order
// path, not a second path). A reordered message takes a detour: extra delay on
// top, which later messages may overtake. So only detours reorder, and the
// rate of reordering is exactly reorderRate, whatever the jitter.
//
// Every random decision comes from its own stream per link and purpose, so
// switching one fault on, or adding traffic on another link, never shifts the
// draws of the rest.
import type { NodeId } from '../../src/ports/transport.js';
import type { Random, Streams } from '../engine/prng.js';
import type { Time } from '../engine/time.js';

export type JitterDistribution = 'uniform' | 'normal';

export interface LinkOptions {
  /** Fixed one-way propagation delay. */
  readonly latencyUs: Time;
  /** Random extra delay per message, in [0, jitterUs] (mean jitterUs / 2 for both distributions). */
  readonly jitterUs: Time;
  /** 'uniform' on [0, jitterUs]; 'normal': mean jitterUs/2, sd jitterUs/6, clipped to [0, jitterUs]. */
  readonly jitterDistribution: JitterDistribution;
  /** Serialisation rate; Infinity = no serialisation delay and no queueing. */
  readonly bandwidthBytesPerSec: number;
  /** Probability that a message is lost on the wire. */
  readonly lossRate: number;
  /** Probability that a message is delivered twice (the copy has its own jitter, loss and reordering). */
  readonly duplicateRate: number;
  /** Probability that a message takes a detour of extra delay, so later messages may overtake it. */
  readonly reorderRate: number;
  /** The detour's extra delay is uniform in [1, reorderDelayUs]. */
  readonly reorderDelayUs: Time;
}

/** Every fault off; the timing of the ideal network's default (50 µs, no bandwidth limit). */
export const LINK_DEFAULTS: LinkOptions = {
  latencyUs: 50,
  jitterUs: 0,
  jitterDistribution: 'uniform',
  bandwidthBytesPerSec: Infinity,
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelayUs: 1000,
};

const OPTION_NAMES = new Set(Object.keys(LINK_DEFAULTS));

/** `partial` over `base`, checked: a RangeError names the first bad option (`where` says whose). */
export function resolveLinkOptions(base: LinkOptions, partial: Partial<LinkOptions>, where: string): LinkOptions {
  for (const key of Object.keys(partial)) {
    if (!OPTION_NAMES.has(key)) throw new RangeError(`${where}: unknown option '${key}' (known: ${[...OPTION_NAMES].join(', ')})`);
  }
  const o: LinkOptions = { ...base, ...stripUndefined(partial) };
  const integer = (name: keyof LinkOptions, min: number): void => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new RangeError(`${where}: ${name} must be an integer number of µs ≥ ${min}, got ${String(v)}`);
    }
  };
  const rate = (name: keyof LinkOptions): void => {
    const v = o[name];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`${where}: ${name} must be a probability in [0, 1], got ${String(v)}`);
  };
  integer('latencyUs', 0);
  integer('jitterUs', 0);
  integer('reorderDelayUs', 1);
  if (o.jitterDistribution !== 'uniform' && o.jitterDistribution !== 'normal') {
    throw new RangeError(`${where}: jitterDistribution must be 'uniform' or 'normal', got ${String(o.jitterDistribution)}`);
  }
  const bw = o.bandwidthBytesPerSec;
  if (typeof bw !== 'number' || !(bw > 0)) throw new RangeError(`${where}: bandwidthBytesPerSec must be > 0 (Infinity for unlimited), got ${String(bw)}`);
  rate('lossRate');
  rate('duplicateRate');
  rate('reorderRate');
  return o;
}

function stripUndefined(partial: Partial<LinkOptions>): Partial<LinkOptions> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<LinkOptions>;
}

/** The fate of one copy of a message, decided when it leaves the sender. */
export interface Passage {
  readonly arriveUs: Time;
  readonly lost: boolean;
  readonly reordered: boolean;
}

export class Link {
  readonly from: NodeId;
  readonly to: NodeId;
  #options: LinkOptions;
  /** Cut by partition()/partitionOneWay() until healed. */
  cut = false;
  /** Flap schedules currently holding the link down (they may overlap). */
  flapsDown = 0;

  // The transmitter: busy from #anchorUs for #backlogBytes / bandwidth. Kept as
  // one division from an integer anchor (not a running sum of per-message
  // times), so n back-to-back messages end exactly at anchor + n·s/B.
  #anchorUs = 0;
  #backlogBytes = 0;
  #busyUntil = 0;
  /** Arrival time of the latest in-order message: nothing in order may arrive before it. */
  #lastInOrderUs = 0;

  readonly #loss: Random;
  readonly #duplicate: Random;
  readonly #reorder: Random;
  readonly #jitter: Random;

  constructor(streams: Streams, from: NodeId, to: NodeId, options: LinkOptions) {
    this.from = from;
    this.to = to;
    this.#options = options;
    const name = `net/${from}->${to}`;
    this.#loss = streams.stream(`${name}/loss`);
    this.#duplicate = streams.stream(`${name}/duplicate`);
    this.#reorder = streams.stream(`${name}/reorder`);
    this.#jitter = streams.stream(`${name}/jitter`);
  }

  get options(): LinkOptions {
    return this.#options;
  }

  /** Applies to messages sent from now on; those already queued keep their timing. */
  set options(options: LinkOptions) {
    if (this.#backlogBytes > 0) {
      this.#anchorUs = this.#busyUntil;
      this.#backlogBytes = 0;
    }
    this.#options = options;
  }

  get down(): boolean {
    return this.cut || this.flapsDown > 0;
  }

  /** Queues `bytes` behind the messages already on the transmitter; returns when its last bit leaves (integer µs). */
  transmit(nowUs: Time, bytes: number): Time {
    const bw = this.#options.bandwidthBytesPerSec;
    if (bw === Infinity) return nowUs;
    if (nowUs >= this.#busyUntil) {
      this.#anchorUs = nowUs;
      this.#backlogBytes = 0;
    }
    this.#backlogBytes += bytes;
    this.#busyUntil = this.#anchorUs + (this.#backlogBytes * 1_000_000) / bw;
    return Math.ceil(this.#busyUntil);
  }

  /** Does this send produce a second copy? */
  duplicates(): boolean {
    return this.#duplicate.chance(this.#options.duplicateRate);
  }

  /** Draws the loss, jitter and reordering of one copy that finished transmitting at `txEndUs`. */
  pass(txEndUs: Time): Passage {
    const o = this.#options;
    const lost = this.#loss.chance(o.lossRate);
    const reordered = this.#reorder.chance(o.reorderRate);
    let arriveUs = Math.max(txEndUs + o.latencyUs + this.#drawJitter(), this.#lastInOrderUs);
    if (reordered) arriveUs += this.#reorder.range(1, o.reorderDelayUs);
    else this.#lastInOrderUs = arriveUs;
    return { arriveUs, lost, reordered };
  }

  #drawJitter(): Time {
    const j = this.#options.jitterUs;
    if (j === 0) return 0;
    if (this.#options.jitterDistribution === 'uniform') return this.#jitter.range(0, j);
    // Box–Muller; 1 - u keeps the logarithm finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.#jitter.float()));
    const z = r * Math.cos(2 * Math.PI * this.#jitter.float());
    return Math.min(j, Math.max(0, Math.round(j / 2 + (z * j) / 6)));
  }
}
