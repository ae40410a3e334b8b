// Which blocks of an array were lost with a failed drive and not rewritten
// since (disk-array.ts): the array controller's rebuild bookkeeping. A lost
// block counts as rewritten once its write is acknowledged — with a write
// cache possibly before it is on the media, so until it lands a power failure
// makes it lost again (the replacement's media holds nothing of it).

/** Where an array's blocks sit: a drive's local blocks, and the logical block each holds (beyond the array: none). */
export interface DriveLayout {
  readonly perDrive: number;
  logicalOf(drive: number, local: number): number;
  readonly blockCount: number;
  /** How many logical blocks `drive` holds. */
  blocksOnDrive(drive: number): number;
}

export class DriveLoss {
  readonly #layout: DriveLayout;
  /** Drives whose blocks were lost: the local blocks rewritten since. */
  readonly #rewritten = new Map<number, Set<number>>();
  /** Rewritten lost blocks whose write is not on the media yet (a write cache holds it). */
  readonly #unlanded = new Map<number, Set<number>>();

  constructor(layout: DriveLayout) {
    this.#layout = layout;
  }

  /** The whole array is gone (or replaced): nothing of it is owed a rebuild. */
  clear(): void {
    this.#rewritten.clear();
    this.#unlanded.clear();
  }

  /** Every block of `drive` is lost. */
  driveFailed(drive: number): void {
    this.#rewritten.set(drive, new Set());
    this.#unlanded.delete(drive);
  }

  isLost(drive: number, local: number): boolean {
    const rewritten = this.#rewritten.get(drive);
    return rewritten !== undefined && !rewritten.has(local);
  }

  /** Every lost logical block, ascending (enumerates the lost drives' blocks: meant for scaled-down arrays). */
  lostBlocks(): number[] {
    const out: number[] = [];
    for (const [drive, rewritten] of this.#rewritten) {
      for (let local = 0; local < this.#layout.perDrive; local++) {
        const block = this.#layout.logicalOf(drive, local);
        if (block < this.#layout.blockCount && !rewritten.has(local)) out.push(block);
      }
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * A write of `local` on `drive` was acknowledged (`cached`: it is not on the
   * media yet). True if the block was lost until now and the write, out of a
   * write cache (`writeCache`), is on the media already: its destage, faster
   * than the cache's answer, landed first — heard while the block still
   * counted lost, when only a misdirected write's bytes land on it, so its
   * array's observers must hear it again (else the lost drive's damage of a
   * block rebuilt whole stayed open for ever: unlimited seed 574, a lost
   * block's zeros destaged in 17 µs, acknowledged at 50).
   */
  rewritten(drive: number, local: number, cached: boolean, writeCache: boolean): boolean {
    const rewritten = this.#rewritten.get(drive);
    if (rewritten === undefined || rewritten.has(local)) return false;
    if (cached) {
      let unlanded = this.#unlanded.get(drive);
      if (unlanded === undefined) this.#unlanded.set(drive, (unlanded = new Set()));
      unlanded.add(local);
    }
    rewritten.add(local);
    if (rewritten.size >= this.#layout.blocksOnDrive(drive)) this.#rewritten.delete(drive);
    return writeCache && !cached;
  }

  /** A write of `local` on `drive` is on the media. */
  landed(drive: number, local: number): void {
    this.#unlanded.get(drive)?.delete(local);
  }

  /** Power failed, losing these locals' cached writes on `drive`: those that rebuilt a lost block are lost again. */
  relose(drive: number, locals: readonly number[]): void {
    const unlanded = this.#unlanded.get(drive);
    if (unlanded === undefined) return;
    const again = locals.filter((local) => unlanded.has(local));
    this.#unlanded.delete(drive);
    if (again.length === 0) return;
    let rewritten = this.#rewritten.get(drive);
    if (rewritten === undefined) {
      // Counted as rebuilt whole: every block of it is rewritten but these.
      this.#rewritten.set(drive, (rewritten = new Set()));
      for (let local = 0; local < this.#layout.perDrive; local++) if (this.#layout.logicalOf(drive, local) < this.#layout.blockCount) rewritten.add(local);
    }
    for (const local of again) rewritten.delete(local);
  }

}
