// The BlockDevice port a controller gets for one simulated array: the device
// itself, plus what an array's firmware adds:
//
//  - a protection-information region: one checksum per block, indexed by block
//    number, stored by the same write that stores the data (as T10 DIF or
//    dm-integrity's interleaved tags do) and returned with every read. It is on
//    the array's media: it survives a controller crash, and is lost with the
//    array (clear) or with the drive that holds the block (forget). A block
//    never written reads as zeros with the checksum of zeros at its number, as
//    an array formatted with protection information has it — so a read that
//    lands on the wrong unwritten block is caught like any other;
//  - the blocks a replaced drive lost, which the controller must rebuild;
//  - injected misdirected writes: the data lands on another block, while the
//    checksum goes to the block asked for — so both the block written (now
//    stale) and the block hit (now holding another block's data) fail their
//    checksums until rewritten;
//  - injected misdirected reads: the next read of a chosen block comes from
//    another block — its data with its checksum, as the block asked for (the
//    checksum folds in the block number, so the mismatch shows); the media is
//    untouched and the read after it is right, as a head that settled on the
//    wrong track gets it right on the next try.
import type { BlockDevice, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import { blockChecksum } from '../../src/protocol/checksum.js';
import { PagedTable } from '../storage/paged-table.js';
import { DiskArray } from './disk-array.js';
import type { CallbackDevice, Done, SimDevice } from './sim-device.js';

export class ArrayPort implements BlockDevice, CallbackDevice {
  readonly keepsChecksums = true;
  readonly #device: SimDevice;
  /** The checksum region: 4 bytes per block, in pages made as blocks are first written (no Map entry per block). */
  readonly #sums = new PagedTable(4);
  /** Writes still to misdirect, and where each lands (undefined: this one lands right). */
  #misdirect: { left: number; target: (block: number) => number | undefined } | undefined;
  /** Blocks whose next read comes from another block (→ that block). */
  readonly #misread = new Map<number, number>();
  /** A write meant for `intended` landed on `target`. */
  onMisdirected: ((intended: number, target: number) => void) | undefined;
  /** A write of `block` was acknowledged, its checksum stored (it may have landed before: a destage can beat the acknowledgement). */
  onAcknowledged: ((block: number) => void) | undefined;

  constructor(device: SimDevice) {
    this.#device = device;
  }

  get blockBytes(): number {
    return this.#device.blockBytes;
  }

  get blockCount(): number {
    return this.#device.blockCount;
  }

  read(block: number): Promise<ReadResult> {
    return new Promise((resolve) => this.readThen(block, resolve));
  }

  readThen(block: number, done: Done<ReadResult>): void {
    const planned = this.#nextSource(block);
    // A misdirected read is silent: from a block a lost drive held it would fail, and pass for the
    // intended block's loss (the controller would not read it again) — it reads the right block instead.
    const d = this.#device;
    const from = planned === undefined || (d instanceof DiskArray && d.isLost(planned)) ? block : planned;
    d.readThen(from, (r) => {
      if (!r.ok) return done(r);
      done({ ok: true, data: r.data, checksum: this.#sums.getU32(from) ?? (from === block ? undefined : blockChecksum(from, new Uint8Array(this.blockBytes))) });
    });
  }

  write(block: number, data: Uint8Array, checksum?: number): Promise<WriteResult> {
    return new Promise((resolve) => this.writeThen(block, data, resolve, checksum));
  }

  writeThen(block: number, data: Uint8Array, done: Done<WriteResult>, checksum?: number): void {
    const target = this.#nextTarget(block);
    const landed = (r: WriteResult): void => {
      if (!r.ok) return done(r);
      if (checksum === undefined) this.#sums.delete(block);
      else this.#sums.setU32(block, checksum);
      if (target !== undefined) this.onMisdirected?.(block, target);
      else this.onAcknowledged?.(block);
      done(r);
    };
    const d = this.#device;
    if (target === undefined) d.writeThen(block, data, landed);
    else if (d instanceof DiskArray) void d.writeMisdirected(block, target, data).then(landed);
    else d.writeThen(target, data, landed);
  }

  /** The device's own flush: checksums are on the media already (the region has no cache). */
  flush(): Promise<WriteResult> {
    return this.#device.flush();
  }

  /** Lost blocks on replaced drives (a drive still failed cannot take them yet). */
  lostBlocks(): readonly number[] {
    const d = this.#device;
    if (!(d instanceof DiskArray)) return [];
    return d.lostBlocks().filter((block) => !d.drives[d.locate(block).drive]!.failed);
  }

  /** The checksum stored for `block` (god's view, for the world's history and the checker). */
  checksum(block: number): number | undefined {
    return this.#sums.getU32(block);
  }

  /** Stores `block`'s checksum without I/O (data written before the run: prefill). */
  setChecksum(block: number, checksum: number): void {
    this.#sums.setU32(block, checksum);
  }

  /** The array is lost (or replaced by an empty one): its checksum region with it. */
  clear(): void {
    this.#sums.clear();
  }

  /** A drive is lost: the checksums of the blocks it held with it. */
  forget(blocks: readonly number[]): void {
    for (const block of blocks) this.#sums.delete(block);
  }

  /** The next `count` writes land where `target` says (undefined: that write lands right and does not count). */
  misdirectNext(count: number, target: (block: number) => number | undefined): void {
    this.#misdirect = { left: count + (this.#misdirect?.left ?? 0), target };
  }

  /** The next read of `block` comes from `source`. */
  misreadNext(block: number, source: number): void {
    this.#misread.set(block, source);
  }

  #nextSource(block: number): number | undefined {
    const source = this.#misread.get(block);
    this.#misread.delete(block);
    return source;
  }

  #nextTarget(block: number): number | undefined {
    const m = this.#misdirect;
    if (m === undefined) return undefined;
    const target = m.target(block);
    if (target === undefined) return undefined;
    if (--m.left === 0) this.#misdirect = undefined;
    return target;
  }
}
