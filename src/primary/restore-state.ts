// What a primary knows about its own blocks while it is being restored from
// parity, and afterwards: which blocks hold valid data again, which could not
// be rebuilt (lost: reported, never invented).
//
// A block lost before parity protected it (unreadable when the build or our
// join asked for its copy) is *zeroed*: parity counts it as zeros and so does
// our disk, so a host write may replace it (its delta is against zeros); until
// then reads answer data-lost.

export class RestoreState {
  /** True from the start of a restore until parity says every block was sent. */
  active = false;
  /** Blocks valid again (restored from parity, or rebuilt on demand and written). */
  readonly valid = new Set<number>();
  /** Blocks parity could not rebuild (another member failed too, or a latent error). */
  readonly lost = new Set<number>();
  /** Lost blocks that parity counts as zeros (a write may replace them). */
  readonly zeroed = new Set<number>();

  begin(): void {
    this.active = true;
    this.valid.clear();
  }

  complete(): void {
    this.active = false;
    this.valid.clear();
  }

  /**
   * A write of `block` landed (a host's, or a rebuilt copy): it is newer than
   * anything the restore under way may still send. Outside a restore nothing
   * reads `valid` and begin() clears it, so nothing is kept — it would grow by
   * every block ever written. (Journal recovery adds its redone writes
   * directly: a restore it resumes becomes active only after them.)
   */
  written(block: number): void {
    if (this.active) this.valid.add(block);
  }

  /** Does the local copy of `block` hold the block's data? */
  usable(block: number): boolean {
    return !this.lost.has(block) && (!this.active || this.valid.has(block));
  }
}
