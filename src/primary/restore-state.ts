// What a primary knows about its own blocks while it is being restored from
// parity, and afterwards: which blocks hold valid data again, which could not
// be rebuilt (lost: reported, never invented — held as zeros, durably, until a
// host write replaces them; lost-blocks.ts).
import { BlockSet } from '../util/block-set.js';
import { LostBlocks } from './lost-blocks.js';

export class RestoreState {
  /** True from the start of a restore until parity says every block was sent. */
  active = false;
  /** Blocks valid again (restored from parity, or rebuilt on demand and written). */
  readonly valid = new BlockSet();
  /** Blocks that could not be rebuilt (a second damaged copy in the group), or were never protected. */
  lost = new LostBlocks();

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
