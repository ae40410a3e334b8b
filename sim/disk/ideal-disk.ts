// An ideal simulated disk array: every read and write takes a fixed latency,
// any number may be in service at once, and nothing fails unless the whole
// array is failed (fail(): media lost, every request answers device-failed)
// and later replaced by an empty one (replace()).
//
// The stand-in until the HDD/array models arrive; it implements the same
// BlockDevice port, so swapping models touches no controller. A write takes
// effect (becomes durable and visible) when it completes; a read returns the
// contents at its completion.
import type { BlockDevice, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import type { Engine } from '../engine/engine.js';
import type { ActorId, KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import { BlockStore } from '../storage/block-store.js';
import type { DeviceObserver, SimDevice } from './sim-device.js';

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
  /** Bumped by fail(): requests from before a failure complete as failed. */
  #life = 0;

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

  fail(): void {
    this.#failed = true;
    this.#life++;
    this.store = new BlockStore(this.store.blockCount, this.store.blockBytes);
  }

  replace(): void {
    this.#failed = false;
    this.store = new BlockStore(this.store.blockCount, this.store.blockBytes);
  }

  read(block: number): Promise<ReadResult> {
    if (!this.#inRange(block)) return Promise.resolve({ ok: false, error: 'out-of-range' });
    this.#inFlight++;
    const life = this.#life;
    return new Promise((resolve) => {
      this.#engine.after(this.#latency, this.#kRead, () => {
        this.#inFlight--;
        this.#engine.trace.record(this.#engine.now, this.#kRead, this.#actor, block);
        if (this.#failed || life !== this.#life) resolve({ ok: false, error: 'device-failed' });
        else resolve({ ok: true, data: this.store.get(block) });
      });
    });
  }

  write(block: number, data: Uint8Array): Promise<WriteResult> {
    if (!this.#inRange(block)) return Promise.resolve({ ok: false, error: 'out-of-range' });
    if (data.length !== this.store.blockBytes) throw new RangeError(`${this.name}.write: ${data.length} bytes, expected ${this.store.blockBytes}`);
    const copy = data.slice();
    this.#inFlight++;
    const life = this.#life;
    return new Promise((resolve) => {
      this.#engine.after(this.#latency, this.#kWrite, () => {
        this.#inFlight--;
        if (this.#failed || life !== this.#life) {
          resolve({ ok: false, error: 'device-failed' });
          return;
        }
        this.store.set(block, copy);
        this.#engine.trace.record(this.#engine.now, this.#kWrite, this.#actor, block);
        this.#observer?.written(block);
        resolve({ ok: true });
      });
    });
  }

  #inRange(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.store.blockCount;
  }
}
