// An ideal simulated disk array: every read and write takes a fixed latency,
// any number may be in service at once, and nothing fails unless the whole
// array is failed (fail(): media lost, every request answers device-failed)
// and later replaced by an empty one (replace()), or loses power.
//
// Power failure (powerFail): the ideal disk has no sectors and no cache, so
// it cannot tear or lose an acknowledged write; each write in flight lands
// whole, at once, or never (even odds, stream disk/<name>/faults), and every
// request answers device-failed until restart().
//
// The stand-in until the HDD/array models arrive; it implements the same
// BlockDevice port, so swapping models touches no controller. A write takes
// effect (becomes durable and visible) when it completes; a read returns the
// contents at its completion.
import type { BlockDevice, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../engine/prng.js';
import type { ActorId, KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import { BlockStore } from '../storage/block-store.js';
import type { DeviceObserver, Done, PowerLoss, SimDevice } from './sim-device.js';

export interface IdealDiskOptions {
  readonly name: string;
  readonly blockCount: number;
  readonly blockBytes: number;
  readonly latencyUs: Time;
}

export class IdealDisk implements BlockDevice, SimDevice {
  readonly name: string;
  store: BlockStore;
  readonly #engine: Engine;
  readonly #latency: Time;
  readonly #actor: ActorId;
  readonly #kRead: KindId;
  readonly #kWrite: KindId;
  #observer: DeviceObserver | undefined;
  #inFlight = 0;
  #failed = false;
  #down = false;
  /** Bumped by fail() and powerFail(): requests from before complete as failed. */
  #life = 0;
  /** Writes in flight, by submission (a power failure decides each one's fate). */
  readonly #writes = new Map<number, { readonly block: number; readonly data: Uint8Array }>();
  #nextWrite = 0;
  #faults: Random | undefined;

  constructor(engine: Engine, options: IdealDiskOptions) {
    this.#engine = engine;
    this.name = options.name;
    this.#latency = options.latencyUs;
    this.store = new BlockStore(options.blockCount, options.blockBytes);
    this.#actor = engine.trace.actor(options.name);
    this.#kRead = engine.trace.kind('disk.read', ['block']);
    this.#kWrite = engine.trace.kind('disk.write', ['block']);
  }

  get blockBytes(): number {
    return this.store.blockBytes;
  }

  get blockCount(): number {
    return this.store.blockCount;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  observe(observer: DeviceObserver): void {
    this.#observer = observer;
  }

  get failed(): boolean {
    return this.#failed;
  }

  get down(): boolean {
    return this.#down;
  }

  fail(): void {
    this.#failed = true;
    this.#life++;
    this.#writes.clear();
    this.#newMedia();
  }

  replace(): void {
    this.#failed = false;
    this.#down = false;
    this.#newMedia();
  }

  /** Empty media in place of the old, whose payload memory goes back (nothing reads a replaced store). */
  #newMedia(): void {
    this.store.release();
    this.store = new BlockStore(this.store.blockCount, this.store.blockBytes);
  }

  powerFail(): PowerLoss {
    if (this.#failed) return { torn: 0, cachedLost: 0, blocks: [] };
    this.#faults ??= this.#engine.random.stream(`disk/${this.name}/faults`);
    const blocks = new Set<number>();
    for (const w of this.#writes.values()) {
      blocks.add(w.block);
      if (this.#faults.chance(0.5)) this.#land(w.block, w.data);
    }
    this.#writes.clear();
    this.#life++;
    this.#down = true;
    return { torn: 0, cachedLost: 0, blocks: [...blocks].sort((a, b) => a - b) };
  }

  restart(): void {
    this.#down = false;
  }

  /** No cache: a write is on the media when it completes. */
  cached(): boolean {
    return false;
  }

  flush(): Promise<WriteResult> {
    return Promise.resolve(this.#failed || this.#down ? { ok: false, error: 'device-failed' } : { ok: true });
  }

  read(block: number): Promise<ReadResult> {
    return new Promise((resolve) => this.readThen(block, resolve));
  }

  readThen(block: number, done: Done<ReadResult>): void {
    if (!this.#inRange(block)) return done({ ok: false, error: 'out-of-range' });
    if (this.#down) return done({ ok: false, error: 'device-failed' });
    this.#inFlight++;
    const life = this.#life;
    this.#engine.after(this.#latency, this.#kRead, () => {
      this.#inFlight--;
      this.#engine.trace.record(this.#engine.now, this.#kRead, this.#actor, block);
      if (this.#failed || life !== this.#life) done({ ok: false, error: 'device-failed' });
      else done({ ok: true, data: this.store.get(block) });
    });
  }

  write(block: number, data: Uint8Array): Promise<WriteResult> {
    return new Promise((resolve) => this.writeThen(block, data, resolve));
  }

  writeThen(block: number, data: Uint8Array, done: Done<WriteResult>): void {
    if (!this.#inRange(block)) return done({ ok: false, error: 'out-of-range' });
    if (data.length !== this.store.blockBytes) throw new RangeError(`${this.name}.write: ${data.length} bytes, expected ${this.store.blockBytes}`);
    if (this.#down) return done({ ok: false, error: 'device-failed' });
    const copy = data.slice();
    this.#inFlight++;
    const life = this.#life;
    const id = this.#nextWrite++;
    this.#writes.set(id, { block, data: copy });
    this.#engine.after(this.#latency, this.#kWrite, () => {
      this.#inFlight--;
      if (this.#failed || life !== this.#life) return done({ ok: false, error: 'device-failed' });
      this.#writes.delete(id);
      this.#land(block, copy);
      done({ ok: true });
    });
  }

  #land(block: number, data: Uint8Array): void {
    this.store.set(block, data);
    this.#engine.trace.record(this.#engine.now, this.#kWrite, this.#actor, block);
    this.#observer?.written(block);
  }

  #inRange(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.store.blockCount;
  }
}
