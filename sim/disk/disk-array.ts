// One disk array: a controller striping logical blocks over several HDDs
// (hdd.ts), seen by the product through the BlockDevice port.
//
// Striping: logical block L is in stripe ⌊L/u⌋ (u = stripeUnitBlocks), stripes
// go round-robin over the drives, so drive d holds the stripes s ≡ d (mod n).
// There is no redundancy inside an array (the cross-array parity is the
// product's job): a drive failure loses exactly its blocks. They stay lost —
// listed by lostBlocks(), reads answer device-failed — until each is rewritten
// on a replacement drive (replaceDrive).
//
// `store` is the god's-eye logical view of the drives' media: drives keep their
// payloads in it (at their logical block numbers), so faults that change the
// media (corruption, torn and misdirected writes, lost drives) show in it, and
// a write shows only once it is on the media (with the write cache on, after
// its destage). observe() hears each such arrival.
//
// Controller faults (all off unless asked): crash() loses the controller's
// volatile state — queued requests answer device-failed, a write in service
// tears with crashTearProbability — and the array answers device-failed until
// restart(); powerFail() also cuts the drives' power (hdd.ts powerFail: a
// write in service tears, cached writes not yet destaged are lost) and
// likewise needs restart(); flush() waits until every drive's cache holds
// nothing written before it; misdirected writes and reads land on / come from
// another block, planned (misdirectNextWrite/Read) or at a rate.
import type { BlockDevice, IoError, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import type { Engine } from '../engine/engine.js';
import type { Random } from '../engine/prng.js';
import type { ActorId, KindId } from '../engine/trace.js';
import { BlockStore } from '../storage/block-store.js';
import { type DiskArrayOptions, checkOptions } from './disk-array-options.js';
import { DriveLoss } from './drive-loss.js';
import { Hdd } from './hdd.js';
import type { HddMedia } from './hdd-media.js';
import type { HddStats } from './hdd-stats.js';
import { HddMechanics, resolveHddParams } from './hdd-params.js';
import type { DeviceObserver, Done, PowerLoss, SimDevice } from './sim-device.js';

export type { DiskArrayOptions } from './disk-array-options.js';

const FAILED: IoError = Object.freeze({ ok: false, error: 'device-failed' });
const OUT_OF_RANGE: IoError = Object.freeze({ ok: false, error: 'out-of-range' });
/** The `code` of array.fault trace records (`drive` is −1 for the whole array). */
const FAULT = { fail: 1, replace: 2, failDrive: 3, replaceDrive: 4, crash: 5, powerFail: 6, restart: 7 } as const;
const ERROR_CODE = { 'media-error': 1, 'device-failed': 2, 'out-of-range': 3 } as const;

export class DiskArray implements BlockDevice, SimDevice {
  readonly name: string;
  readonly blockCount: number;
  readonly blockBytes: number;
  readonly stripeUnitBlocks: number;
  readonly drives: readonly Hdd[];
  store: BlockStore;

  readonly #engine: Engine;
  readonly #rng: Random;
  readonly #misWrite: number;
  readonly #misRead: number;
  readonly #crashTear: number;
  readonly #perDrive: number;
  readonly #actor: ActorId;
  readonly #k: Record<'read' | 'write' | 'misdirect' | 'fault', KindId>;
  #observer: DeviceObserver | undefined;
  /** Blocks lost with a failed drive and not rewritten since. */
  readonly #loss: DriveLoss;
  readonly #nextWrite = new Map<number, number>();
  readonly #nextRead = new Map<number, number>();
  #failed = false;
  #down = false;
  #inFlight = 0;

  constructor(engine: Engine, options: DiskArrayOptions) {
    const where = `DiskArray(${options.name})`;
    const checked = checkOptions(options);
    this.#engine = engine;
    this.name = options.name;
    this.blockCount = options.blockCount;
    this.blockBytes = options.blockBytes;
    this.stripeUnitBlocks = options.stripeUnitBlocks ?? 1;
    this.#misWrite = checked.misdirectedWriteProbability;
    this.#misRead = checked.misdirectedReadProbability;
    this.#crashTear = checked.crashTearProbability;
    const n = options.driveCount;
    const u = this.stripeUnitBlocks;
    this.#perDrive = Math.ceil(this.blockCount / (n * u)) * u;
    this.#loss = new DriveLoss({ perDrive: this.#perDrive, blockCount: this.blockCount, logicalOf: (d, l) => this.logicalOf(d, l), blocksOnDrive: (d) => this.blocksOnDrive(d) });
    this.store = new BlockStore(this.blockCount, this.blockBytes);
    const mechanics = new HddMechanics(resolveHddParams(options.hdd, where));
    const drives: Hdd[] = [];
    for (let d = 0; d < n; d++) {
      const drive = new Hdd(engine, {
        name: `${options.name}/d${d}`,
        blockBytes: this.blockBytes,
        ...(options.modeledBlockBytes === undefined ? {} : { modeledBlockBytes: options.modeledBlockBytes }),
        blockCount: this.#perDrive,
        mechanics,
        ...(options.queuePolicy === undefined ? {} : { queuePolicy: options.queuePolicy }),
        writeCache: options.writeCache ?? false,
        unrecoverableBitErrorRate: options.unrecoverableBitErrorRate ?? 0,
        media: this.#mediaOf(d),
      });
      drive.onDurable = (local) => this.#durable(d, local);
      drives.push(drive);
    }
    this.drives = drives;
    this.#rng = engine.random.stream(`disk/${options.name}/faults`);
    const t = engine.trace;
    this.#actor = t.actor(options.name);
    this.#k = {
      read: t.kind('array.read', ['block', 'drive', 'error']),
      write: t.kind('array.write', ['block', 'drive', 'error']),
      misdirect: t.kind('array.misdirect', ['block', 'target', 'write']),
      fault: t.kind('array.fault', ['code', 'drive']),
    };
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Crashed or powered off, awaiting restart(). */
  get down(): boolean {
    return this.#down;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  observe(observer: DeviceObserver): void {
    this.#observer = observer;
  }

  /** Which drive holds logical `block`, and where on it. */
  locate(block: number): { drive: number; local: number } {
    const u = this.stripeUnitBlocks;
    const n = this.drives.length;
    const stripe = Math.floor(block / u);
    return { drive: stripe % n, local: Math.floor(stripe / n) * u + (block % u) };
  }

  logicalOf(drive: number, local: number): number {
    const u = this.stripeUnitBlocks;
    return (Math.floor(local / u) * this.drives.length + drive) * u + (local % u);
  }

  driveStats(): HddStats[] {
    return this.drives.map((d) => d.stats);
  }

  /** The drives answer through promises (hdd.ts): a callback waits for one. */
  readThen(block: number, done: Done<ReadResult>): void { void this.read(block).then(done); }
  writeThen(block: number, data: Uint8Array, done: Done<WriteResult>): void { void this.write(block, data).then(done); }

  read(block: number): Promise<ReadResult> {
    if (!this.#inRange(block)) return Promise.resolve(OUT_OF_RANGE);
    if (this.#failed || this.#down) return Promise.resolve(FAILED);
    const source = this.#misdirect(block, this.#nextRead, this.#misRead, 0);
    const { drive, local } = this.locate(source);
    if (this.isLost(source)) return Promise.resolve(this.#note(this.#k.read, block, drive, FAILED));
    return this.#track(this.drives[drive]!.read(local), this.#k.read, block, drive);
  }

  write(block: number, data: Uint8Array): Promise<WriteResult> {
    if (!this.#inRange(block)) return Promise.resolve(OUT_OF_RANGE);
    if (data.length !== this.blockBytes) throw new RangeError(`${this.name}.write: ${data.length} bytes, expected ${this.blockBytes}`);
    if (this.#failed || this.#down) return Promise.resolve(FAILED);
    const target = this.#misdirect(block, this.#nextWrite, this.#misWrite, 1);
    const { drive, local } = this.locate(target);
    // A lost block counts as rewritten once the write is acknowledged (with the
    // write cache on, possibly before it is on the media, like any cached write;
    // if it landed already, observers hear it again now: drive-loss.ts).
    return this.#track(this.drives[drive]!.write(local, data), this.#k.write, block, drive).then((r) => {
      if (r.ok && this.#rewritten(drive, local)) this.#observer?.written(this.logicalOf(drive, local));
      return r;
    });
  }

  /**
   * A write the controller meant for `intended` that lands on `landsOn` (the
   * fault model's misdirected write): the bytes go to `landsOn`, but the
   * controller's bookkeeping of a replaced drive's lost blocks follows the
   * block it meant — `landsOn` is not rebuilt by it, `intended` counts as
   * rewritten (and holds stale data, which its checksum shows).
   */
  writeMisdirected(intended: number, landsOn: number, data: Uint8Array): Promise<WriteResult> {
    if (!this.#inRange(intended) || !this.#inRange(landsOn)) return Promise.resolve(OUT_OF_RANGE);
    if (this.#failed || this.#down) return Promise.resolve(FAILED);
    const at = this.locate(landsOn);
    const meant = this.locate(intended);
    // Onto a failed drive the bytes vanish, silently as ever: the controller sees its write done.
    if (this.drives[at.drive]!.failed) {
      this.#rewritten(meant.drive, meant.local);
      return Promise.resolve({ ok: true });
    }
    return this.#track(this.drives[at.drive]!.write(at.local, data), this.#k.write, landsOn, at.drive).then((r) => {
      if (r.ok) this.#rewritten(meant.drive, meant.local);
      return r;
    });
  }

  /** The whole array is lost: media gone, every request answers device-failed. */
  fail(): void {
    if (this.#failed) return;
    this.#failed = true;
    this.store.release(); // nothing reads a replaced store: its payload memory goes back
    this.store = new BlockStore(this.blockCount, this.blockBytes);
    for (const d of this.drives) d.fail();
    this.#loss.clear();
    this.#record(this.#k.fault, FAULT.fail, -1);
  }

  /** A new, empty array (new drives, running controller) takes this one's place. */
  replace(): void {
    if (!this.#failed) this.fail();
    for (const d of this.drives) d.replace();
    this.#failed = false;
    this.#down = false;
    this.#record(this.#k.fault, FAULT.replace, -1);
  }

  /** Fail-stop of one drive: exactly its blocks are lost. */
  failDrive(drive: number): void {
    const d = this.#drive(drive);
    if (d.failed) return;
    d.fail(); // wipes its blocks from the store (its media view)
    this.#loss.driveFailed(drive);
    this.#record(this.#k.fault, FAULT.failDrive, drive);
  }

  /** An empty drive replaces `drive`; its lost blocks stay lost until rewritten. */
  replaceDrive(drive: number): void {
    const d = this.#drive(drive);
    if (!d.failed) this.failDrive(drive);
    d.replace();
    this.#record(this.#k.fault, FAULT.replaceDrive, drive);
  }

  /** True if `block`'s data was lost with its drive and not rewritten since. */
  isLost(block: number): boolean {
    const { drive, local } = this.locate(block);
    return this.#loss.isLost(drive, local);
  }

  /** Every lost logical block, ascending (enumerates the lost drives' blocks: meant for scaled-down arrays). */
  lostBlocks(): number[] {
    return this.#loss.lostBlocks();
  }

  /** The controller dies: its queued requests answer device-failed; the array answers device-failed until restart(). */
  crash(): void {
    if (this.#failed) return;
    this.#down = true;
    for (const d of this.drives) d.abort(this.#crashTear);
    this.#record(this.#k.fault, FAULT.crash, -1);
  }

  /** Power lost (controller and drives): writes in service tear, queued and un-destaged writes are lost. */
  powerFail(): PowerLoss {
    if (this.#failed) return { torn: 0, cachedLost: 0, blocks: [] };
    this.#down = true;
    let torn = 0;
    let cachedLost = 0;
    const blocks: number[] = [];
    for (const [drive, d] of this.drives.entries()) {
      const loss = d.powerFail();
      torn += loss.torn;
      cachedLost += loss.cachedLost;
      for (const local of loss.blocks) blocks.push(this.logicalOf(drive, local));
      this.#loss.relose(drive, loss.blocks);
    }
    this.#record(this.#k.fault, FAULT.powerFail, -1);
    return { torn, cachedLost, blocks: blocks.sort((a, b) => a - b) };
  }

  /** Every write acknowledged before the call is on the media (each drive's FLUSH CACHE); device-failed if any drive cannot. */
  async flush(): Promise<WriteResult> {
    if (this.#failed || this.#down) return FAILED;
    const results = await Promise.all(this.drives.map((d) => d.flush()));
    return results.find((r) => !r.ok) ?? { ok: true };
  }

  cached(block: number): boolean {
    const { drive, local } = this.locate(block);
    return this.drives[drive]!.cached(local);
  }

  /** The newest contents of `block` still in its drive's write cache, if any. */
  cachedData(block: number): Uint8Array | undefined {
    const { drive, local } = this.locate(block);
    return this.drives[drive]!.cachedData(local);
  }

  /** Blocks `drive` holds: its local blocks 0 … blocksOnDrive(drive) − 1 (the last stripe may be partial, and some drives hold one stripe fewer). */
  blocksOnDrive(drive: number): number {
    this.#drive(drive);
    const u = this.stripeUnitBlocks;
    const n = this.drives.length;
    const full = Math.floor(this.blockCount / u);
    const fullOnDrive = drive < full ? Math.ceil((full - drive) / n) : 0;
    return fullOnDrive * u + (full % n === drive ? this.blockCount % u : 0);
  }

  restart(): void {
    if (this.#failed || !this.#down) return;
    this.#down = false;
    this.#record(this.#k.fault, FAULT.restart, -1);
  }

  /** The next write of `block` lands on `toBlock` instead (and is acknowledged as usual). */
  misdirectNextWrite(block: number, toBlock: number): void {
    this.#checkBlock(block);
    this.#checkBlock(toBlock);
    this.#nextWrite.set(block, toBlock);
  }

  /** The next read of `block` returns `fromBlock`'s data instead. */
  misdirectNextRead(block: number, fromBlock: number): void {
    this.#checkBlock(block);
    this.#checkBlock(fromBlock);
    this.#nextRead.set(block, fromBlock);
  }

  addLatentError(block: number): void {
    this.#checkBlock(block);
    const { drive, local } = this.locate(block);
    this.drives[drive]!.addLatentError(local);
  }

  /** Does `block`'s sector answer media-error (until rewritten)? */
  hasLatentError(block: number): boolean {
    const { drive, local } = this.locate(block);
    return this.drives[drive]!.hasLatentError(local);
  }

  corrupt(block: number): void {
    this.#checkBlock(block);
    const { drive, local } = this.locate(block);
    this.drives[drive]!.corrupt(local);
  }

  #misdirect(block: number, planned: Map<number, number>, probability: number, write: number): number {
    let other = planned.get(block);
    if (other !== undefined) planned.delete(block);
    else if (this.blockCount > 1 && this.#rng.chance(probability)) other = (block + 1 + this.#rng.int(this.blockCount - 1)) % this.blockCount;
    if (other === undefined) return block;
    this.#engine.trace.record(this.#engine.now, this.#k.misdirect, this.#actor, block, other, write);
    return other;
  }

  async #track<R extends ReadResult | WriteResult>(request: Promise<R>, kind: KindId, block: number, drive: number): Promise<R> {
    this.#inFlight++;
    const result = await request;
    this.#inFlight--;
    return this.#note(kind, block, drive, result);
  }

  #note<R extends ReadResult | WriteResult>(kind: KindId, block: number, drive: number, result: R): R {
    this.#engine.trace.record(this.#engine.now, kind, this.#actor, block, drive, result.ok ? 0 : ERROR_CODE[result.error]);
    return result;
  }

  #rewritten(drive: number, local: number): boolean {
    const d = this.#drive(drive);
    return !d.failed && this.#loss.rewritten(drive, local, d.cached(local), d.writeCache);
  }

  #durable(drive: number, local: number): void {
    this.#loss.landed(drive, local);
    this.#observer?.written(this.logicalOf(drive, local));
  }

  /** Drive `d`'s view of the logical store (read through `this.store`, which fail() replaces). */
  #mediaOf(drive: number): HddMedia {
    return {
      get: (local) => this.store.get(this.logicalOf(drive, local)),
      set: (local, data) => this.store.set(this.logicalOf(drive, local), data),
      wipe: () => {
        for (const block of this.store.writtenBlocks()) if (this.locate(block).drive === drive) this.store.clear(block);
      },
    };
  }

  #drive(drive: number): Hdd {
    const d = this.drives[drive];
    if (d === undefined) throw new RangeError(`${this.name}: no drive ${drive} (has ${this.drives.length})`);
    return d;
  }

  #record(kind: KindId, code: number, drive: number): void {
    this.#engine.trace.record(this.#engine.now, kind, this.#actor, code, drive);
  }

  #inRange(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.blockCount;
  }

  #checkBlock(block: number): void {
    if (!this.#inRange(block)) throw new RangeError(`${this.name}: block ${block} outside 0..${this.blockCount - 1}`);
  }
}
