// One simulated hard disk drive: its host interface, write cache and faults.
//
// Models: capacity, rpm and sector size; the mechanism (hdd-mechanism.ts: head
// position, platter angle following virtual time from a phase drawn from the
// drive's stream, seek curve, zoned transfer, fifo/sstf/sptf queue); an
// optional write cache (write-cache.ts: writes acknowledged after
// cacheLatencyUs, destaged through the same queue, flush() waits for them);
// the platters (hdd-media.ts).
//
// Injects (all off unless asked): fail-stop (fail(): every queued and future
// request answers device-failed, media gone); latent sector errors
// (addLatentError: reads answer media-error until the block is rewritten;
// optional unrecoverable bit errors on reads create them); silent corruption
// (corrupt: the media bytes change, reads succeed with wrong data until
// rewritten); power failure (powerFail: the write in service tears — a prefix
// of its sectors lands — queued requests and un-destaged cached writes are
// lost); a host-interface reset for a controller crash (abort).
import type { IoError, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../engine/prng.js';
import type { ActorId, KindId } from '../engine/trace.js';
import { DESTAGE, HddMechanism, POLICIES, type QueuePolicy, READ, type Request, WRITE } from './hdd-mechanism.js';
import { Platters, ownMedia } from './hdd-media.js';
import { HddMechanics, resolveHddParams } from './hdd-params.js';
import { type HddStats, newStats } from './hdd-stats.js';
import type { HddOptions } from './hdd-options.js';
import type { PowerLoss } from './sim-device.js';
import { WriteCache } from './write-cache.js';

export type { QueuePolicy } from './hdd-mechanism.js';

export type { HddOptions } from './hdd-options.js';

/** The `code` of hdd.fault trace records. */
const FAULT = { fail: 1, replace: 2, powerFail: 3, abort: 4, latentError: 5, corrupt: 6 } as const;

const FAILED: IoError = Object.freeze({ ok: false, error: 'device-failed' });
const OUT_OF_RANGE: IoError = Object.freeze({ ok: false, error: 'out-of-range' });
const WRITTEN: WriteResult = Object.freeze({ ok: true });

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
  readonly #platters: Platters;
  readonly #sectors: number;
  readonly #actor: ActorId;
  readonly #k: Record<'service' | 'cache' | 'read' | 'write' | 'destage' | 'torn' | 'fault', KindId>;
  readonly #mech: HddMechanism;
  readonly #cache: WriteCache;
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
    this.#cache = new WriteCache(Math.max(1, Math.floor(p.cacheBytes / this.modeledBlockBytes)));
    this.#rng = engine.random.stream(`disk/${options.name}`);
    this.#faults = engine.random.stream(`disk/${options.name}/faults`);
    const ureChance = -Math.expm1(this.modeledBlockBytes * 8 * Math.log1p(-ber));
    this.#platters = new Platters(options.media ?? ownMedia(this.blockCount, this.blockBytes), this.#faults, ureChance);
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
    this.#mech = new HddMechanism(engine, {
      mechanics: this.mechanics,
      policy: this.queuePolicy,
      blockCount: this.blockCount,
      modeledBlockBytes: this.modeledBlockBytes,
      phase: this.#rng.float(),
      kService: this.#k.service,
      stats: this.stats,
      started: (req) => {
        if (req.op !== DESTAGE) return;
        const { data, version } = this.#cache.startDestage(req.block);
        req.data = data;
        req.version = version;
      },
      served: (req, service, wait) => this.#served(req, service, wait),
    });
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
    return this.#mech.depth;
  }

  /** Cached writes not yet on the media. */
  get dirtyBlocks(): number {
    return this.#cache.dirtyBlocks;
  }

  /** A write of `block` is in the write cache: the media does not show it yet. */
  cached(block: number): boolean {
    return this.#cache.holds(block);
  }

  /** The newest contents of `block` in the write cache (what its last destage will land), if any. */
  cachedData(block: number): Uint8Array | undefined {
    return this.#cache.get(block);
  }

  get latentErrors(): number {
    return this.#platters.latentErrors;
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
    return this.#platters.peek(block);
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
      const cached = this.#cache.get(block);
      if (cached === undefined) return this.#mech.enqueue(READ, block, undefined, done, undefined);
      const data = cached.slice();
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
      if (!this.writeCache) return this.#mech.enqueue(WRITE, block, copy, undefined, done);
      if (this.#cache.admits(block)) this.#cacheWrite(block, copy, done);
      else this.#cache.wait({ block, data: copy, done });
    });
  }

  /**
   * FLUSH CACHE: resolves once every write acknowledged before the call is on
   * the media (at once without a write cache); device-failed if the drive or
   * its power is lost first.
   */
  flush(): Promise<WriteResult> {
    if (this.#failed) return Promise.resolve(FAILED);
    return new Promise((resolve) => this.#cache.flush((ok) => resolve(ok ? WRITTEN : FAILED)));
  }

  /** Fail-stop: every queued and future request answers device-failed; the media is gone. */
  fail(): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#life++;
    const { lost } = this.#dropAll(false);
    this.#platters.wipe();
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.fail, 0, lost);
  }

  /** A new, empty, healthy drive takes this one's place (fails this one first if it still runs). */
  replace(): void {
    this.fail();
    this.#failed = false;
    this.#mech.reset();
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.replace, 0, 0);
  }

  /**
   * Power lost and restored at once: a write in service tears, every queued
   * request and every un-destaged cached write is lost (answered device-failed
   * if it was never acknowledged). The media and latent errors survive.
   * Returns how many writes tore and how many cached blocks were lost.
   */
  powerFail(): PowerLoss {
    if (this.#failed) return { torn: 0, cachedLost: 0, blocks: [] };
    this.#life++;
    const { lost, torn, cachedLost, blocks } = this.#dropAll(true);
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.powerFail, 0, lost);
    return { torn, cachedLost, blocks };
  }

  /**
   * Host-interface reset (the array controller crashed): queued host requests
   * answer device-failed without touching the media; the drive's own destages
   * continue. The host write in service finishes, or with `tearProbability`
   * lands partially now.
   */
  abort(tearProbability = 0): void {
    if (this.#failed) return;
    const dropped = this.#mech.drain((r) => r.op !== DESTAGE);
    for (const r of dropped) answer(r, FAILED);
    const waiters = this.#cache.takeWaiters();
    const lost = dropped.length + waiters.length;
    for (const w of waiters) w.done(FAILED);
    const cur = this.#mech.current;
    if (cur !== undefined && cur.op === WRITE && this.#faults.chance(tearProbability)) {
      this.#mech.interrupt();
      this.#tear(cur);
      answer(cur, FAILED);
      this.#mech.dispatch();
    }
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.abort, 0, lost);
  }

  /** Reads of `block` answer media-error until it is rewritten. */
  addLatentError(block: number): void {
    this.#checkBlock(block);
    this.#platters.addLatentError(block);
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.latentError, block, 0);
  }

  hasLatentError(block: number): boolean {
    return this.#platters.hasLatentError(block);
  }

  /** Silently changes one byte of the block on the media; reads succeed with wrong data until it is rewritten. */
  corrupt(block: number): void {
    this.#checkBlock(block);
    this.#platters.corrupt(block);
    this.#engine.trace.record(this.#engine.now, this.#k.fault, this.#actor, FAULT.corrupt, block, 0);
  }

  #cacheWrite(block: number, data: Uint8Array, done: (r: WriteResult) => void): void {
    if (this.#cache.put(block, data)) this.#mech.enqueue(DESTAGE, block, undefined, undefined, undefined);
    this.#afterCacheLatency(() => done(WRITTEN), () => done(FAILED));
  }

  #afterCacheLatency(ok: () => void, lost: () => void): void {
    const life = this.#life;
    this.#engine.after(Math.round(this.mechanics.params.cacheLatencyUs), this.#k.cache, () => (life === this.#life ? ok() : lost()));
  }

  /** The mechanism finished `req`: its effect on the media, and its answer. */
  #served(req: Request, service: number, wait: number): void {
    const s = this.stats;
    const now = this.#engine.now;
    const t = this.#engine.trace;
    if (req.op === READ) {
      s.reads++;
      const result = this.#platters.read(req.block);
      if (!result.ok) s.errors++;
      t.record(now, this.#k.read, this.#actor, req.block, Math.round(service), Math.round(wait), result.ok ? 0 : 1);
      req.onRead!(result);
      return;
    }
    this.#land(req.block, req.data!);
    if (req.op === WRITE) {
      s.writes++;
      t.record(now, this.#k.write, this.#actor, req.block, Math.round(service), Math.round(wait), 0);
      req.onWrite!(WRITTEN);
      return;
    }
    s.destages++;
    t.record(now, this.#k.destage, this.#actor, req.block, Math.round(service), Math.round(wait));
    if (this.#cache.destaged(req.block, req.version)) {
      for (let w = this.#cache.nextAdmissible(); w !== undefined; w = this.#cache.nextAdmissible()) this.#cacheWrite(w.block, w.data, w.done);
    }
  }

  #land(block: number, data: Uint8Array): void {
    this.#platters.write(block, data);
    this.onDurable?.(block);
  }

  /** A write in service lands partly: its first k of S sectors, k drawn from 1..S−1 (S = 1: all or nothing). */
  #tear(req: Request): void {
    const n = this.#sectors;
    const k = n >= 2 ? this.#faults.range(1, n - 1) : this.#faults.int(2);
    this.stats.torn++;
    this.#engine.trace.record(this.#engine.now, this.#k.torn, this.#actor, req.block, k, n);
    if (k === 0) return;
    this.#platters.tear(req.block, req.data!, k, n);
    this.onDurable?.(req.block);
  }

  /** Empties the drive's volatile state; `lost` counts the host requests and cached writes lost. */
  #dropAll(tear: boolean): { lost: number; torn: number; cachedLost: number; blocks: number[] } {
    const cur = this.#mech.interrupt();
    const waiters = this.#cache.takeWaiters();
    const cachedLost = this.#cache.size;
    const blocks = new Set(this.#cache.blocks());
    let lost = cachedLost + waiters.length;
    let torn = 0;
    if (cur !== undefined) {
      if (tear && cur.op !== READ) {
        this.#tear(cur);
        blocks.add(cur.block);
        torn++;
      }
      if (cur.op !== DESTAGE) lost++;
      answer(cur, FAILED);
    }
    for (const r of this.#mech.drain()) {
      if (r.op !== DESTAGE) lost++;
      answer(r, FAILED);
    }
    for (const w of waiters) w.done(FAILED);
    this.#cache.clear();
    return { lost, torn, cachedLost, blocks: [...blocks].sort((a, b) => a - b) };
  }

  #inRange(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.blockCount;
  }

  #checkBlock(block: number): void {
    if (!this.#inRange(block)) throw new RangeError(`${this.name}: block ${block} outside 0..${this.blockCount - 1}`);
  }
}

function answer(req: Request, error: IoError): void {
  req.onRead?.(error);
  req.onWrite?.(error);
}
