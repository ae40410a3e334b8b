// Faults that strike single blocks of an array — latent sector errors, a lost
// drive, silent corruption, misdirected writes — and what the world knows of
// the damage they left (damage.ts): where a copy holds wrong data, which
// damage is still unrepaired, which drives are still failed.
import { intact } from '../../src/util/verified-disk.js';
import { DiskArray } from '../disk/disk-array.js';
import type { KindId } from '../engine/trace.js';
import type { ArrayPort } from '../disk/array-port.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { Engine } from '../engine/engine.js';
import type { DamageKind, DamageLog } from './damage.js';
import type { Incarnation } from './incarnation.js';
import type { MemberState } from './membership.js';
import type { ProbeCounter } from './probe-counter.js';

/** Damage that leaves wrong data on the media (the parity invariant cannot hold there until repaired). */
const WRONG_DATA: readonly DamageKind[] = ['drive', 'corrupt', 'stale', 'misdirected', 'torn'];
const DAMAGE_CODE: Record<DamageKind, number> = { latent: 1, drive: 2, corrupt: 3, stale: 4, misdirected: 5, torn: 6 };

/** A node as media faults see it. */
interface MediaNode {
  readonly name: string;
  readonly device: SimDevice;
  readonly incarnation: Incarnation;
  readonly controller: { rebuildLostBlocks?(): void };
}

/** What media faults need of the world (the World; narrow, so this part does not import it). */
export interface MediaWorld {
  readonly engine: Engine;
  readonly damage: DamageLog;
  readonly probes: Pick<ProbeCounter, 'hit'>;
  /** When parity's build completed (undefined: not yet). */
  readonly builtAt: number | undefined;
  readonly parity: { readonly name: string };
  counts(array: string, block: number): boolean;
  membership(array: string): MemberState;
  arrayPort(array: string): ArrayPort;
  node(array: string): MediaNode;
  nodes(): readonly MediaNode[];
}

export class MediaFaults {
  readonly #w: MediaWorld;
  readonly #kDamage: KindId;

  constructor(world: MediaWorld) {
    this.#w = world;
    this.#kDamage = world.engine.trace.kind('fault.block', ['block', 'damage', 'target']);
  }

  /** Records damage to `block` of `array` starting now, and whether parity protected the block then (never, if it continues `unprotected` damage). */
  record(array: string, block: number, kind: DamageKind, target = -1, unprotected = false): void {
    const w = this.#w;
    const built = w.builtAt !== undefined;
    w.damage.start(array, block, kind, w.engine.now, !unprotected && (array === w.parity.name ? built : built && w.counts(array, block)));
    if (kind === 'latent' || kind === 'drive') return; // traced by the disk model
    const t = w.engine.trace;
    t.record(w.engine.now, this.#kDamage, t.actor(array), block, DAMAGE_CODE[kind], target);
  }

  /** `count` random blocks of `array` become unreadable until rewritten (HDD arrays only); `allowed` vets each (the fault budget). Returns how many. */
  addLatentErrors(array: string, count: number, allowed: (block: number) => boolean = () => true): number {
    const device = this.diskArray(array);
    const rng = this.#w.engine.random.stream(`faults/latent/${array}`);
    let done = 0;
    for (let i = 0; i < count; i++) if (this.addLatentError(array, rng.int(device.blockCount), allowed)) done++;
    return done;
  }

  /** `block` of `array` becomes unreadable until rewritten (HDD arrays only), unless `allowed` refuses it (the fault budget). */
  addLatentError(array: string, block: number, allowed: (block: number) => boolean = () => true): boolean {
    if (!allowed(block)) return false;
    this.diskArray(array).addLatentError(block);
    this.record(array, block, 'latent');
    this.#w.probes.hit('latent-error');
    return true;
  }

  /** Drive `drive` of HDD array `array` fails: exactly its blocks are lost. */
  failDrive(array: string, drive: number): void {
    const device = this.diskArray(array);
    if (device.drives[drive]!.failed) return;
    device.failDrive(drive);
    const lost = this.blocksOnDrive(array, drive);
    this.#w.arrayPort(array).forget(lost);
    for (const block of lost) this.record(array, block, 'drive');
  }

  /** An empty drive replaces failed drive `drive`; the array's controller rebuilds its blocks. */
  replaceDrive(array: string, drive: number): void {
    const device = this.diskArray(array);
    if (!device.drives[drive]!.failed) return;
    device.replaceDrive(drive);
    const node = this.#w.node(array);
    if (node.incarnation.alive) node.controller.rebuildLostBlocks?.(); // else its restart finds them
  }

  /**
   * Does some copy in `block`'s group hold injected damage that makes the
   * parity invariant moot until it is repaired — wrong data on the media (a
   * lost drive's wiped block, corruption, a misdirected write), or two damaged
   * copies at once (single parity cannot fix that: losses get reported)?
   */
  damagedGroup(block: number): boolean {
    let damaged = 0;
    for (const n of this.#w.nodes()) {
      if (!this.#w.damage.openAt(n.name, block) || this.#outside(n.name)) continue;
      if (this.#w.damage.openAt(n.name, block, WRONG_DATA) || ++damaged >= 2) return true;
    }
    return false;
  }

  /**
   * Injected damage still unrepaired (`all`: every kind; else lost drives
   * only). A block reported lost is no exception: its member zero-fills it,
   * which ends its damage.
   */
  unrepaired(all: boolean): { array: string; block: number; kinds: DamageKind[] }[] {
    return this.#w.damage.openBlocks().filter((d) => !this.#outside(d.array) && (all || d.kinds.includes('drive')));
  }

  /**
   * Is `array` a primary outside the group? Nothing protects its blocks, so
   * nothing can repair them: its host gets the media error, and a write
   * replaces the block; its damage is not the protocol's to repair.
   */
  #outside(array: string): boolean {
    return array !== this.#w.parity.name && this.#w.membership(array) === 'outside';
  }

  /** Failed drives not replaced, as "array drive d". */
  failedDrives(): string[] {
    const out: string[] = [];
    for (const n of this.#w.nodes()) {
      if (!(n.device instanceof DiskArray) || n.device.failed) continue;
      n.device.drives.forEach((d, i) => d.failed && out.push(`${n.name} drive ${i}`));
    }
    return out;
  }

  driveFailed(array: string, drive: number): boolean {
    const device = this.#w.node(array).device;
    return device instanceof DiskArray && device.drives[drive]!.failed;
  }

  /** The logical blocks drive `drive` of `array` holds, ascending. */
  blocksOnDrive(array: string, drive: number): number[] {
    const device = this.diskArray(array);
    const out: number[] = [];
    for (let block = 0; block < device.blockCount; block++) if (device.locate(block).drive === drive) out.push(block);
    return out;
  }

  /** `array`'s device, which must be an HDD array. */
  diskArray(array: string): DiskArray {
    const device = this.#w.node(array).device;
    if (!(device instanceof DiskArray)) throw new RangeError(`block faults of this kind need an HDD array; ${array} is not one`);
    return device;
  }

  /**
   * Silent corruption: `count` random blocks of `array` (stream
   * faults/corrupt/<array>) get one byte changed on the media — no error, and
   * the stored checksum stays what it was. `allowed` vets each block (the fault
   * budget). Returns how many were corrupted.
   */
  corrupt(array: string, count: number, allowed: (block: number) => boolean): number {
    const device = this.#w.node(array).device;
    const rng = this.#w.engine.random.stream(`faults/corrupt/${array}`);
    let done = 0;
    for (let i = 0; i < count; i++) {
      const block = rng.int(device.blockCount);
      const at = rng.int(device.blockBytes);
      const flip = 1 + rng.int(255);
      if (!allowed(block) || (device instanceof DiskArray && device.isLost(block))) continue;
      const data = device.store.get(block);
      data[at]! ^= flip;
      device.store.set(block, data);
      done++;
      // The same byte flipped the same way twice is the block as it was: no damage left.
      if (intact(block, data, this.#w.arrayPort(array).checksum(block))) this.#w.damage.rewritten(array, block, this.#w.engine.now);
      else this.record(array, block, 'corrupt');
    }
    return done;
  }

  /**
   * The next `count` writes to `array` land on another block (stream
   * faults/misdirect/<array>): the block written keeps stale data, the block
   * hit gets data meant elsewhere. `allowed` vets both (the fault budget).
   */
  misdirect(array: string, count: number, allowed: (block: number) => boolean): void {
    const n = this.#w.node(array).device.blockCount;
    const rng = this.#w.engine.random.stream(`faults/misdirect/${array}`);
    this.#w.arrayPort(array).misdirectNext(count, (block) => {
      const target = n > 1 ? (block + 1 + rng.int(n - 1)) % n : block;
      return target !== block && allowed(block) && allowed(target) ? target : undefined;
    });
  }

  /**
   * The next read of each of `count` random blocks of `array` comes from
   * another block (stream faults/misread/<array>): that block's data and
   * checksum, as the one asked for. Nothing on the media changes; the read
   * after it gets it right.
   */
  misread(array: string, count: number, allowed: (block: number) => boolean = () => true): number {
    const n = this.#w.node(array).device.blockCount;
    if (n < 2) return 0;
    const rng = this.#w.engine.random.stream(`faults/misread/${array}`);
    const port = this.#w.arrayPort(array);
    let done = 0;
    for (let i = 0; i < count; i++) {
      const block = rng.int(n);
      const source = (block + 1 + rng.int(n - 1)) % n;
      if (!allowed(block)) continue;
      port.misreadNext(block, source);
      done++;
    }
    return done;
  }
}
