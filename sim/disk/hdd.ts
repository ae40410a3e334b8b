// One simulated hard disk drive.
//
// Models: capacity, rpm and sector size; a head position (cylinder) and a
// spinning platter whose angle follows the virtual clock (initial phase drawn
// from the drive's PRNG stream), so a request's rotational latency is the wait
// for its block's angle — uniform for random requests, near zero when
// streaming consecutive blocks; seek time by distance (hdd-params.ts: √ then
// linear, calibrated to the datasheet averages); a zoned transfer rate falling
// from outer (block 0) to inner tracks; one request in service at a time from
// a queue served fifo (default), sstf (shortest seek first) or sptf (shortest
// seek + rotation first, what NCQ firmware does); an optional write cache
// (writes acknowledged after cacheLatencyUs, destaged through the same queue).
//
// Injects (all off unless asked): fail-stop (fail(): every queued and future
// request answers device-failed, media gone); latent sector errors
// (addLatentError: reads answer media-error until the block is rewritten;
// optional unrecoverable bit errors on reads create them); silent corruption
// (corrupt: the media bytes change, reads succeed with wrong data until
// rewritten); power failure (powerFail: the write in service tears — a prefix
// of its sectors lands — queued requests and un-destaged cached writes are
// lost); a host-interface reset for a controller crash (abort).
//
// Internally the queue runs on exact (fractional) µs; only the engine events
// that answer requests are rounded (down, by < 1 µs), so rounding never accumulates.
import type { IoError, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import type { Engine, TimerId } from '../engine/engine.js';
import type { Random } from '../engine/prng.js';
import type { ActorId, KindId } from '../engine/trace.js';
import { BlockStore } from '../storage/block-store.js';
import { HddMechanics, type HddParams, resolveHddParams } from './hdd-params.js';

export type QueuePolicy = 'fifo' | 'sstf' | 'sptf';
const POLICIES: readonly QueuePolicy[] = ['fifo', 'sstf', 'sptf'];

/** Where a drive keeps its payloads (drive-local block numbers). */
export interface HddMedia {
  /** A copy; zeros if never written. */
  get(block: number): Uint8Array;
  set(block: number, data: Uint8Array): void;
  /** The platters are gone: every block reads as zeros again. */
  wipe(): void;
}

export interface HddOptions {
  /** Trace actor; PRNG streams are disk/<name> (mechanics) and disk/<name>/faults. */
  readonly name: string;
  /** Stored payload bytes per block (may be a short fingerprint, DESIGN §10). */
  readonly blockBytes: number;
  /** Bytes per block for timing and sector count (default: one sector). */
  readonly modeledBlockBytes?: number;
  /** Blocks held (default capacity / modeledBlockBytes). Fewer are spread evenly over the whole surface. */
  readonly blockCount?: number;
  readonly params?: Partial<HddParams>;
  /** Prebuilt mechanics to share between drives (then `params` must be absent). */
  readonly mechanics?: HddMechanics;
  readonly queuePolicy?: QueuePolicy;
  readonly writeCache?: boolean;
  /** Per-bit chance that a read finds an unrecoverable error (default 0: off). */
  readonly unrecoverableBitErrorRate?: number;
  /** Default: a private BlockStore. */
  readonly media?: HddMedia;
}

/** Running mean and population variance (Welford). */
export class Moments {
  count = 0;
  mean = 0;
  #m2 = 0;
  add(x: number): void {
    this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.#m2 += d * (x - this.mean);
  }
  get variance(): number {
    return this.count === 0 ? 0 : this.#m2 / this.count;
  }
  /** E[x²]. */
  get secondMoment(): number {
    return this.variance + this.mean * this.mean;
  }
}

/** Mechanism statistics (host requests and destages; cache hits and acks excluded). */
export interface HddStats {
  reads: number;
  writes: number;
  destages: number;
  cacheHits: number;
  errors: number;
  torn: number;
  /** Seek + rotation + transfer of each request served by the mechanism. */
  readonly service: Moments;
  /** Queueing delay: from arrival to the start of service. */
  readonly wait: Moments;
  readonly seek: Moments;
}

const READ = 0;
const WRITE = 1;
const DESTAGE = 2;
type Op = typeof READ | typeof WRITE | typeof DESTAGE;

/** The `code` of hdd.fault trace records. */
const FAULT = { fail: 1, replace: 2, powerFail: 3, abort: 4, latentError: 5, corrupt: 6 } as const;

const FAILED: IoError = Object.freeze({ ok: false, error: 'device-failed' });
const MEDIA_ERROR: IoError = Object.freeze({ ok: false, error: 'media-error' });
const OUT_OF_RANGE: IoError = Object.freeze({ ok: false, error: 'out-of-range' });
const WRITTEN: WriteResult = Object.freeze({ ok: true });

interface Request {
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

interface CacheEntry {
  data: Uint8Array;
  version: number;
  /** A destage of this block is queued and not yet started. */
  queued: boolean;
}

interface CacheWaiter {
  readonly block: number;
  readonly data: Uint8Array;
  readonly done: (r: WriteResult) => void;
}

export class Hdd {
  readonly name: string;
  readonly mechanics: HddMechanics;
  readonly blockCount: number;
  readonly blockBytes: number;
  readonly modeledBlockBytes: number;
  readonly queuePolicy: QueuePolicy;
  readonly writeCache: boolean;
  readonly stats: HddStats = newStats();
  /** Called when a write of `block` reaches the media (destage, write-through, or a torn part). */
  onDurable: ((block: number) => void) | undefined;

  readonly #engine: Engine;
  readonly #rng: Random;
  readonly #faults: Random;
  readonly #media: HddMedia;
  readonly #sectors: number;
  readonly #cacheBlocks: number;
  readonly #ureChance: number;
  readonly #phase: number;
  readonly #actor: ActorId;
  readonly #k: Record<'service' | 'cache' | 'read' | 'write' | 'destage' | 'torn' | 'fault', KindId>;

  #queue: Request[] = [];
  #current: Request | undefined;
  #timer: TimerId | undefined;
  #startUs = 0;
  #endUs = 0;
  #seekUs = 0;
  #head = 0;
  #freeAt = 0;
  readonly #cache = new Map<number, CacheEntry>();
  #waiters: CacheWaiter[] = [];
  readonly #latent = new Set<number>();
  #failed = false;
  /** Bumped by fail() and powerFail(): cache acks scheduled before then answer device-failed. */
  #life = 0;
  #inFlight = 0;

  constructor(engine: Engine, options: HddOptions) {
    const where = `Hdd(${options.name})`;
    if (options.mechanics !== undefined && options.params !== undefined) throw new RangeError(`${where}: give params or mechanics, not both`);
    this.mechanics = options.mechanics ?? new HddMechanics(resolveHddParams(options.params, where));
    const p = this.mechanics.params;
    this.#engine = engine;
    this.name = options.name;
    this.blockBytes = options.blockBytes;
    this.modeledBlockBytes = options.modeledBlockBytes ?? p.sectorBytes;
    this.blockCount = options.blockCount ?? Math.floor(p.capacityBytes / this.modeledBlockBytes);
    this.queuePolicy = options.queuePolicy ?? 'fifo';
    this.writeCache = options.writeCache ?? false;
    const ber = options.unrecoverableBitErrorRate ?? 0;
    const int = (name: string, v: number) => {
      if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`${where}: ${name} must be a positive integer, got ${v}`);
    };
    int('blockBytes', this.blockBytes);
    int('modeledBlockBytes', this.modeledBlockBytes);
    int('blockCount', this.blockCount);
    if (this.blockCount * this.modeledBlockBytes > p.capacityBytes) throw new RangeError(`${where}: ${this.blockCount} blocks of ${this.modeledBlockBytes} bytes exceed capacityBytes ${p.capacityBytes}`);
    if (!POLICIES.includes(this.queuePolicy)) throw new RangeError(`${where}: queuePolicy must be one of ${POLICIES.join(', ')}, got ${String(this.queuePolicy)}`);
    if (!(ber >= 0 && ber < 1)) throw new RangeError(`${where}: unrecoverableBitErrorRate must be in [0, 1), got ${ber}`);
    this.#sectors = Math.ceil(this.modeledBlockBytes / p.sectorBytes);
    this.#cacheBlocks = Math.max(1, Math.floor(p.cacheBytes / this.modeledBlockBytes));
    this.#ureChance = -Math.expm1(this.modeledBlockBytes * 8 * Math.log1p(-ber));
    this.#media = options.media ?? ownMedia(this.blockCount, this.blockBytes);
    this.#rng = engine.random.stream(`disk/${options.name}`);
    this.#faults = engine.random.stream(`disk/${options.name}/faults`);
    this.#phase = this.#rng.float();
    const t = engine.trace;
    this.#actor = t.actor(options.name);
    this.#k = {
      service: t.kind('hdd.service'),
      cache: t.kind('hdd.cache'),
      read: t.kind('hdd.read', ['lba', 'serviceUs', 'waitUs', 'error']),
      write: t.kind('hdd.write', ['lba', 'serviceUs', 'waitUs', 'error']),
      destage: t.kind('hdd.destage', ['lba', 'serviceUs', 'waitUs']),
      torn: t.kind('hdd.torn', ['lba', 'sectorsNew', 'sectors']),
      fault: t.kind('hdd.fault', ['code', 'lba', 'lost']),
    };
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Host requests submitted and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests at the mechanism: queued plus the one in service. */
  get queueDepth(): number {
    return this.#queue.length + (this.#current === undefined ? 0 : 1);
  }

  /** Cached writes not yet on the media. */
  get dirtyBlocks(): number {
    return this.#cache.size + this.#waiters.length;
  }

  get latentErrors(): number {
    return this.#latent.size;
  }

  get cylinders(): number {
    return this.mechanics.cylinders;
  }

  cylinderOf(block: number): number {
    return this.mechanics.cylinder(this.mechanics.radial(block / this.blockCount));
  }

  seekUs(distance: number, op: 'read' | 'write'): number {
    return this.mechanics.seekUs(distance, op === 'write');
  }

  /** Avg seek + half a revolution + one block at the average rate: the mean random service time. */
  expectedRandomServiceUs(op: 'read' | 'write'): number {
    return this.mechanics.expectedRandomServiceUs(op === 'write', this.modeledBlockBytes);
  }

  /** The media contents of `block`, read without I/O, timing or faults. */
  peek(block: number): Uint8Array {
    return this.#media.get(block);
  }

  resetStats(): void {
    Object.assign(this.stats, newStats());
  }

  read(block: number): Promise<ReadResult> {
    if (!this.#inRange(block)) return Promise.resolve(OUT_OF_RANGE);
    if (this.#failed) return Promise.resolve(FAILED);
    this.#inFlight++;
    return new Promise((resolve) => {
      const done = (r: ReadResult) => {
        this.#inFlight--;
        resolve(r);
      };
      const entry = this.#cache.get(block);
      if (entry === undefined) return this.#enqueue(READ, block, undefined, done, undefined);
      const data = entry.data.slice();
      this.stats.cacheHits++;
      this.#afterCacheLatency(() => done({ ok: true, data }), () => done(FAILED));
    });
  }

  write(block: number, data: Uint8Array): Promise<WriteResult> {
    if (!this.#inRange(block)) return Promise.resolve(OUT_OF_RANGE);
    if (data.length !== this.blockBytes) throw new RangeError(`${this.name}.write: ${data.length} bytes, expected ${this.blockBytes}`);
    if (this.#failed) return Promise.resolve(FAILED);
    const copy = data.slice();
    this.#inFlight++;
    return new Promise((resolve) => {
      const done = (r: WriteResult) => {
        this.#inFlight--;
        resolve(r);
      };
      if (!this.writeCache) return this.#enqueue(WRITE, block, copy, undefined, done);
      // A full cache admits writes in arrival order as destages free room, so
      // two writes of one block never reach the media out of order.
      if (this.#cache.has(block) || (this.#waiters.length === 0 && this.#cache.size < this.#cacheBlocks)) this.#cacheWrite(block, copy, done);
      else this.#waiters.push({ block, data: copy, done });
    });
  }

  /** Fail-stop: every queued and future request answers device-failed; the media is gone. */
  fail(): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#life++;
    const lost = this.#dropAll(false);
    this.#latent.clear();
    this.#media.wipe();
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.fail, 0, lost);
  }

  /** A new, empty, healthy drive takes this one's place (fails this one first if it still runs). */
  replace(): void {
    this.fail();
    this.#failed = false;
    this.#head = 0;
    this.#freeAt = this.#engine.now;
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.replace, 0, 0);
  }

  /**
   * Power lost and restored at once: a write in service tears, every queued
   * request and every un-destaged cached write is lost (answered device-failed
   * if it was never acknowledged). The media and latent errors survive.
   */
  powerFail(): void {
    if (this.#failed) return;
    this.#life++;
    const lost = this.#dropAll(true);
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.powerFail, 0, lost);
  }

  /**
   * Host-interface reset (the array controller crashed): queued host requests
   * answer device-failed without touching the media; the drive's own destages
   * continue. The host write in service finishes, or with `tearProbability`
   * lands partially now.
   */
  abort(tearProbability = 0): void {
    if (this.#failed) return;
    const keep: Request[] = [];
    for (const r of this.#queue) {
      if (r.op === DESTAGE) keep.push(r);
      else this.#answer(r, FAILED);
    }
    const lost = this.#queue.length - keep.length + this.#waiters.length;
    this.#queue = keep;
    for (const w of this.#waiters) w.done(FAILED);
    this.#waiters = [];
    const cur = this.#current;
    if (cur !== undefined && cur.op === WRITE && this.#faults.chance(tearProbability)) {
      this.#stopCurrent();
      this.#tear(cur);
      this.#answer(cur, FAILED);
      this.#dispatch();
    }
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.abort, 0, lost);
  }

  /** Reads of `block` answer media-error until it is rewritten. */
  addLatentError(block: number): void {
    this.#checkBlock(block);
    this.#latent.add(block);
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.latentError, block, 0);
  }

  hasLatentError(block: number): boolean {
    return this.#latent.has(block);
  }

  /** Silently changes one byte of the block on the media; reads succeed with wrong data until it is rewritten. */
  corrupt(block: number): void {
    this.#checkBlock(block);
    const data = this.#media.get(block);
    const i = this.#faults.int(data.length);
    data[i]! ^= 1 + this.#faults.int(255);
    this.#media.set(block, data);
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.corrupt, block, 0);
  }

  #cacheWrite(block: number, data: Uint8Array, done: (r: WriteResult) => void): void {
    let entry = this.#cache.get(block);
    if (entry === undefined) {
      entry = { data, version: 0, queued: false };
      this.#cache.set(block, entry);
    } else {
      entry.data = data;
      entry.version++;
    }
    if (!entry.queued) {
      entry.queued = true;
      this.#enqueue(DESTAGE, block, undefined, undefined, undefined);
    }
    this.#afterCacheLatency(() => done(WRITTEN), () => done(FAILED));
  }

  #afterCacheLatency(ok: () => void, lost: () => void): void {
    const life = this.#life;
    this.#engine.after(Math.round(this.mechanics.params.cacheLatencyUs), this.#k.cache, () => (life === this.#life ? ok() : lost()));
  }

  #enqueue(op: Op, block: number, data: Uint8Array | undefined, onRead: Request['onRead'], onWrite: Request['onWrite']): void {
    const m = this.mechanics;
    const u = m.radial(block / this.blockCount);
    this.#queue.push({ op, block, cylinder: m.cylinder(u), angle: m.angle(u), transferUs: m.transferUs(u, this.modeledBlockBytes), arrivalUs: this.#engine.now, data, version: 0, onRead, onWrite });
    this.#dispatch();
  }

  #dispatch(): void {
    if (this.#current !== undefined || this.#queue.length === 0) return;
    const i = this.#pick();
    const req = this.#queue[i]!;
    this.#queue.splice(i, 1);
    if (req.op === DESTAGE) {
      const entry = this.#cache.get(req.block)!;
      entry.queued = false;
      req.data = entry.data;
      req.version = entry.version;
    }
    const start = Math.max(req.arrivalUs, this.#freeAt);
    const seek = this.mechanics.seekUs(Math.abs(req.cylinder - this.#head), req.op !== READ);
    const end = start + seek + this.mechanics.rotationalLatencyUs(req.angle, start + seek, this.#phase) + req.transferUs;
    this.#current = req;
    this.#startUs = start;
    this.#seekUs = seek;
    this.#endUs = end;
    // Answer at the last µs tick not after the exact end: a follow-up issued
    // on the answer then starts exactly at `end` (start = max(arrival, freeAt)),
    // so streaming never drifts behind the platter.
    this.#timer = this.#engine.after(Math.max(0, Math.floor(end) - this.#engine.now), this.#k.service, this.#complete);
  }

  /** Index of the next request to serve; ties go to the oldest, so one block's requests keep their order. */
  #pick(): number {
    if (this.queuePolicy === 'fifo' || this.#queue.length === 1) return 0;
    let best = 0;
    let bestCost = Infinity;
    for (let i = 0; i < this.#queue.length; i++) {
      const r = this.#queue[i]!;
      const distance = Math.abs(r.cylinder - this.#head);
      let cost = distance;
      if (this.queuePolicy === 'sptf') {
        const at = Math.max(r.arrivalUs, this.#freeAt);
        const seek = this.mechanics.seekUs(distance, r.op !== READ);
        cost = seek + this.mechanics.rotationalLatencyUs(r.angle, at + seek, this.#phase);
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
    const s = this.stats;
    const service = this.#endUs - this.#startUs;
    const wait = this.#startUs - req.arrivalUs;
    s.service.add(service);
    s.wait.add(wait);
    s.seek.add(this.#seekUs);
    this.#freeAt = this.#endUs;
    this.#head = req.cylinder;
    const now = this.#engine.now;
    const t = this.#engine.trace;
    if (req.op === READ) {
      s.reads++;
      let result: ReadResult;
      if (this.#latent.has(req.block)) result = MEDIA_ERROR;
      else if (this.#ureChance > 0 && this.#faults.chance(this.#ureChance)) {
        this.#latent.add(req.block);
        result = MEDIA_ERROR;
      } else result = { ok: true, data: this.#media.get(req.block) };
      if (!result.ok) s.errors++;
      t.record(now, this.#k.read, this.#actor, req.block, Math.round(service), Math.round(wait), result.ok ? 0 : 1);
      req.onRead!(result);
    } else {
      this.#land(req.block, req.data!);
      if (req.op === WRITE) {
        s.writes++;
        t.record(now, this.#k.write, this.#actor, req.block, Math.round(service), Math.round(wait), 0);
        req.onWrite!(WRITTEN);
      } else {
        s.destages++;
        t.record(now, this.#k.destage, this.#actor, req.block, Math.round(service), Math.round(wait));
        const entry = this.#cache.get(req.block);
        if (entry !== undefined && entry.version === req.version) {
          this.#cache.delete(req.block);
          this.#admitWaiters();
        }
      }
    }
    this.#dispatch();
  };

  #land(block: number, data: Uint8Array): void {
    this.#media.set(block, data);
    this.#latent.delete(block);
    this.onDurable?.(block);
  }

  #admitWaiters(): void {
    while (this.#waiters.length > 0) {
      const w = this.#waiters[0]!;
      if (!this.#cache.has(w.block) && this.#cache.size >= this.#cacheBlocks) return;
      this.#waiters.shift();
      this.#cacheWrite(w.block, w.data, w.done);
    }
  }

  /**
   * A write in service lands partly: its first k of S sectors, k drawn from
   * 1..S−1 (S = 1: all or nothing). Sector i covers payload bytes
   * [⌊i·P/S⌋, ⌊(i+1)·P/S⌋). A latent error stays unless every sector landed.
   */
  #tear(req: Request): void {
    const n = this.#sectors;
    const k = n >= 2 ? this.#faults.range(1, n - 1) : this.#faults.int(2);
    this.stats.torn++;
    this.#engine.trace.record(this.#engine.now, this.#k.torn, this.#actor, req.block, k, n);
    if (k === 0) return;
    if (k === n) return this.#land(req.block, req.data!);
    const mixed = this.#media.get(req.block);
    mixed.set(req.data!.subarray(0, Math.floor((k * mixed.length) / n)), 0);
    this.#media.set(req.block, mixed);
    this.onDurable?.(req.block);
  }

  #stopCurrent(): void {
    if (this.#timer !== undefined) this.#engine.cancel(this.#timer);
    this.#timer = undefined;
    this.#current = undefined;
    this.#freeAt = this.#engine.now;
  }

  /** Empties the drive's volatile state; returns the host requests and cached writes lost. */
  #dropAll(tear: boolean): number {
    const cur = this.#current;
    this.#stopCurrent();
    let lost = this.#cache.size + this.#waiters.length;
    if (cur !== undefined) {
      if (tear && cur.op !== READ) this.#tear(cur);
      if (cur.op !== DESTAGE) lost++;
      this.#answer(cur, FAILED);
    }
    for (const r of this.#queue) {
      if (r.op !== DESTAGE) lost++;
      this.#answer(r, FAILED);
    }
    for (const w of this.#waiters) w.done(FAILED);
    this.#queue = [];
    this.#waiters = [];
    this.#cache.clear();
    return lost;
  }

  #answer(req: Request, error: IoError): void {
    req.onRead?.(error);
    req.onWrite?.(error);
  }

  #inRange(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.blockCount;
  }

  #checkBlock(block: number): void {
    if (!this.#inRange(block)) throw new RangeError(`${this.name}: block ${block} outside 0..${this.blockCount - 1}`);
  }
}

function newStats(): HddStats {
  return { reads: 0, writes: 0, destages: 0, cacheHits: 0, errors: 0, torn: 0, service: new Moments(), wait: new Moments(), seek: new Moments() };
}

function ownMedia(blockCount: number, blockBytes: number): HddMedia {
  let store = new BlockStore(blockCount, blockBytes);
  return {
    get: (block) => store.get(block),
    set: (block, data) => store.set(block, data),
    wipe: () => void (store = new BlockStore(blockCount, blockBytes)),
  };
}
