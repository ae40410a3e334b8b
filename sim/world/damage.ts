// What the fault injector did to each array's blocks, and when it was undone:
// the checkers' evidence. A block is damaged from the moment a fault reaches
// it (a latent sector error, a lost drive, silent corruption, a misdirected
// write's stale or wrong block) until a write lands on it again (that is what
// repairs every one of these; a write torn by a power failure lands only in
// part and leaves a latent error: installation.ts). Whole-array failures are
// kept apart, as outages (World.outages).
//
// Used by the honesty checker (a loss needs a second damage in the block's
// group at an overlapping time), the parity checker (a block whose media holds
// wrong data is not judged until it is repaired), the fault budget (never two
// damaged copies in one group) and the liveness check (every repairable damage
// repaired by the end).
import type { Time } from '../engine/time.js';

export type DamageKind =
  /** Reads fail until rewritten; the data on the media is intact. */
  | 'latent'
  /** The block's drive failed: its data is gone until rewritten on a replacement. */
  | 'drive'
  /** The bytes changed, silently. */
  | 'corrupt'
  /** A write meant for this block landed elsewhere: it holds stale data. */
  | 'stale'
  /** A write meant for another block landed here. */
  | 'misdirected'
  /** Power failed under a write: torn, or lost from a write cache, so the media disagrees with its checksum. */
  | 'torn';

export interface DamageInterval {
  readonly kind: DamageKind;
  readonly start: Time;
  end: Time | undefined;
  /** Did parity protect the block when the damage began (built, and the block merged into Q)? */
  readonly protected: boolean;
}

export class DamageLog {
  readonly #blocks = new Map<string, Map<number, DamageInterval[]>>();
  /** Per array: intervals still open. */
  readonly #open = new Map<string, Set<DamageInterval>>();
  /** Per array: open intervals per block (kept small: most blocks are never damaged). */
  readonly #openBlocks = new Map<string, Map<number, number>>();

  start(array: string, block: number, kind: DamageKind, at: Time, isProtected: boolean): void {
    let blocks = this.#blocks.get(array);
    if (blocks === undefined) this.#blocks.set(array, (blocks = new Map()));
    let list = blocks.get(block);
    if (list === undefined) blocks.set(block, (list = []));
    const interval: DamageInterval = { kind, start: at, end: undefined, protected: isProtected };
    list.push(interval);
    this.#openSet(array).add(interval);
    const perBlock = this.#openPerBlock(array);
    perBlock.set(block, (perBlock.get(block) ?? 0) + 1);
  }

  /** A write landed on `block` of `array`: the damage it had is repaired (each kind `repairs` accepts; default all). */
  rewritten(array: string, block: number, at: Time, repairs?: (kind: DamageKind) => boolean): void {
    const list = this.#blocks.get(array)?.get(block);
    if (list === undefined) return;
    let open = 0;
    for (const d of list) {
      if (d.end !== undefined) continue;
      if (repairs !== undefined && !repairs(d.kind)) {
        open++;
        continue;
      }
      d.end = at;
      this.#open.get(array)!.delete(d);
    }
    if (open === 0) this.#openPerBlock(array).delete(block);
    else this.#openPerBlock(array).set(block, open);
  }

  /** The array is lost (its media with it) or replaced: its block damage is moot, the outage covers it. */
  forget(array: string, at: Time): void {
    for (const d of this.#open.get(array) ?? []) d.end = at;
    this.#open.get(array)?.clear();
    this.#openBlocks.get(array)?.clear();
  }

  /** Is `block` of `array` damaged now (optionally: by one of `kinds`)? */
  openAt(array: string, block: number, kinds?: readonly DamageKind[]): boolean {
    if (!(this.#openBlocks.get(array)?.has(block) ?? false)) return false;
    if (kinds === undefined) return true;
    return this.#blocks.get(array)!.get(block)!.some((d) => d.end === undefined && kinds.includes(d.kind));
  }

  /** Was `block` of `array` damaged at some moment of [from, to]? */
  overlaps(array: string, block: number, from: Time, to: Time): boolean {
    const list = this.#blocks.get(array)?.get(block);
    return list !== undefined && list.some((d) => d.start <= to && (d.end === undefined || d.end >= from));
  }

  /** Every damage `block` of `array` has had, oldest first. */
  intervals(array: string, block: number): readonly DamageInterval[] {
    return this.#blocks.get(array)?.get(block) ?? [];
  }

  /** Damage still open on `array`. */
  openCount(array: string): number {
    return this.#open.get(array)?.size ?? 0;
  }

  /** Every (array, block) still damaged, with the kinds, sorted (for the liveness check). */
  openBlocks(): { array: string; block: number; kinds: DamageKind[] }[] {
    const out: { array: string; block: number; kinds: DamageKind[] }[] = [];
    for (const [array, blocks] of [...this.#openBlocks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      for (const block of [...blocks.keys()].sort((x, y) => x - y)) {
        const kinds = this.#blocks.get(array)!.get(block)!.filter((d) => d.end === undefined).map((d) => d.kind);
        out.push({ array, block, kinds });
      }
    }
    return out;
  }

  #openSet(array: string): Set<DamageInterval> {
    let s = this.#open.get(array);
    if (s === undefined) this.#open.set(array, (s = new Set()));
    return s;
  }

  #openPerBlock(array: string): Map<number, number> {
    let m = this.#openBlocks.get(array);
    if (m === undefined) this.#openBlocks.set(array, (m = new Map()));
    return m;
  }
}
