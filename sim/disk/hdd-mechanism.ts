// A drive's mechanism: the head and the spinning platters, serving one request
// at a time from a queue (fifo, sstf or sptf), each taking seek + rotational
// latency + transfer (hdd-params.ts). It knows positions and time, not data:
// the drive (hdd.ts) decides what a request does when it is served.
//
// The queue runs on exact (fractional) µs; only the engine events that answer
// requests are rounded (down, by < 1 µs), so rounding never accumulates.
import type { ReadResult, WriteResult } from '../../src/ports/block-device.js';
import type { Engine, TimerId } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import type { HddMechanics } from './hdd-params.js';
import type { HddStats } from './hdd-stats.js';

export type QueuePolicy = 'fifo' | 'sstf' | 'sptf';
export const POLICIES: readonly QueuePolicy[] = ['fifo', 'sstf', 'sptf'];

export const READ = 0;
export const WRITE = 1;
/** The drive writing a cached block to the media. */
export const DESTAGE = 2;
export type Op = typeof READ | typeof WRITE | typeof DESTAGE;

export interface Request {
  readonly op: Op;
  readonly block: number;
  readonly cylinder: number;
  readonly angle: number;
  readonly transferUs: number;
  readonly arrivalUs: number;
  /** Write payload; for a destage, the cache contents captured when its service starts. */
  data: Uint8Array | undefined;
  version: number;
  readonly onRead: ((r: ReadResult) => void) | undefined;
  readonly onWrite: ((r: WriteResult) => void) | undefined;
}

export interface MechanismOptions {
  readonly mechanics: HddMechanics;
  readonly policy: QueuePolicy;
  readonly blockCount: number;
  readonly modeledBlockBytes: number;
  /** The platter's angle at time 0, in revolutions. */
  readonly phase: number;
  /** Kind of the engine events that end a service. */
  readonly kService: KindId;
  readonly stats: HddStats;
  /** A request enters service (a destage takes its data now). */
  readonly started: (req: Request) => void;
  /** A request's service ended. */
  readonly served: (req: Request, serviceUs: number, waitUs: number) => void;
}

export class HddMechanism {
  readonly #engine: Engine;
  readonly #o: MechanismOptions;
  #queue: Request[] = [];
  #current: Request | undefined;
  #timer: TimerId | undefined;
  #startUs = 0;
  #endUs = 0;
  #seekUs = 0;
  #head = 0;
  #freeAt = 0;

  constructor(engine: Engine, options: MechanismOptions) {
    this.#engine = engine;
    this.#o = options;
  }

  /** Requests queued plus the one in service. */
  get depth(): number {
    return this.#queue.length + (this.#current === undefined ? 0 : 1);
  }

  /** The request in service, if any. */
  get current(): Request | undefined {
    return this.#current;
  }

  enqueue(op: Op, block: number, data: Uint8Array | undefined, onRead: Request['onRead'], onWrite: Request['onWrite']): void {
    const m = this.#o.mechanics;
    const u = m.radial(block / this.#o.blockCount);
    this.#queue.push({ op, block, cylinder: m.cylinder(u), angle: m.angle(u), transferUs: m.transferUs(u, this.#o.modeledBlockBytes), arrivalUs: this.#engine.now, data, version: 0, onRead, onWrite });
    this.dispatch();
  }

  /** Starts the next request if none is in service. */
  dispatch(): void {
    if (this.#current !== undefined || this.#queue.length === 0) return;
    const i = this.#pick();
    const req = this.#queue[i]!;
    this.#queue.splice(i, 1);
    this.#o.started(req);
    const m = this.#o.mechanics;
    const start = Math.max(req.arrivalUs, this.#freeAt);
    const seek = m.seekUs(Math.abs(req.cylinder - this.#head), req.op !== READ);
    const end = start + seek + m.rotationalLatencyUs(req.angle, start + seek, this.#o.phase) + req.transferUs;
    this.#current = req;
    this.#startUs = start;
    this.#seekUs = seek;
    this.#endUs = end;
    // Answer at the last µs tick not after the exact end: a follow-up issued
    // on the answer then starts exactly at `end` (start = max(arrival, freeAt)),
    // so streaming never drifts behind the platter.
    this.#timer = this.#engine.after(Math.max(0, Math.floor(end) - this.#engine.now), this.#o.kService, this.#complete);
  }

  /** Stops the request in service where it is (power loss, reset) and returns it, unanswered. */
  interrupt(): Request | undefined {
    const cur = this.#current;
    if (this.#timer !== undefined) this.#engine.cancel(this.#timer);
    this.#timer = undefined;
    this.#current = undefined;
    this.#freeAt = this.#engine.now;
    return cur;
  }

  /** Removes the queued requests `drop` selects (default: all) and returns them, unanswered. */
  drain(drop: (r: Request) => boolean = () => true): Request[] {
    const out = this.#queue.filter(drop);
    this.#queue = this.#queue.filter((r) => !drop(r));
    return out;
  }

  /** A new drive: head parked at cylinder 0, free from now. */
  reset(): void {
    this.#head = 0;
    this.#freeAt = this.#engine.now;
  }

  /** Index of the next request to serve; ties go to the oldest, so one block's requests keep their order. */
  #pick(): number {
    const policy = this.#o.policy;
    if (policy === 'fifo' || this.#queue.length === 1) return 0;
    const m = this.#o.mechanics;
    let best = 0;
    let bestCost = Infinity;
    for (let i = 0; i < this.#queue.length; i++) {
      const r = this.#queue[i]!;
      const distance = Math.abs(r.cylinder - this.#head);
      let cost = distance;
      if (policy === 'sptf') {
        const at = Math.max(r.arrivalUs, this.#freeAt);
        const seek = m.seekUs(distance, r.op !== READ);
        cost = seek + m.rotationalLatencyUs(r.angle, at + seek, this.#o.phase);
      }
      if (cost < bestCost) {
        best = i;
        bestCost = cost;
      }
    }
    return best;
  }

  readonly #complete = (): void => {
    const req = this.#current!;
    this.#current = undefined;
    this.#timer = undefined;
    const s = this.#o.stats;
    const service = this.#endUs - this.#startUs;
    const wait = this.#startUs - req.arrivalUs;
    s.service.add(service);
    s.wait.add(wait);
    s.seek.add(this.#seekUs);
    this.#freeAt = this.#endUs;
    this.#head = req.cylinder;
    this.#o.served(req, service, wait);
    this.dispatch();
  };
}
