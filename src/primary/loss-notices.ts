// Parity's loss notices (repair-request with `lost` = 1) as they meet the
// host's writes. A notice is sent for a loss parity holds now, but it waits
// for the block's lock at the member (a host write, a reconstruction ahead of
// it), and a retransmission of it can arrive after it was answered. A host
// write that stored the block after the notice arrived, or whose delta was
// still unacknowledged when it arrived, replaced the loss (parity ends it when
// it applies that write's delta, which it had not when it sent the notice), so
// the notice no longer stands; a notice already answered is answered again,
// not re-enacted.
import { assert } from '../util/assert.js';

/** How many answered notices are remembered (retransmissions come within seconds). */
const REMEMBERED = 1024;

export class LossNotices {
  /** block → notices waiting for its lock, and host writes that stored it since the first arrived. */
  readonly #waiting = new Map<number, { count: number; writes: number }>();
  /** Waiting notice id → its block's write count when it arrived (-1: a write was ahead of parity then). */
  readonly #arrivals = new Map<number, number>();
  /** Ids of notices answered, oldest first. */
  readonly #answered = new Set<number>();

  /** Was notice `id` answered already (a retransmission)? */
  answered(id: number): boolean {
    return this.#answered.has(id);
  }

  /** Notice `id` for `block` has arrived; it waits for the block's lock. `ahead`: a delta for the block is unacknowledged now. */
  arrived(id: number, block: number, ahead: boolean): void {
    // A request is served once while under way (Rpc.serve), and settled before it is answered.
    assert(!this.#arrivals.has(id), `loss notice ${id} arrived twice`);
    let entry = this.#waiting.get(block);
    if (entry === undefined) this.#waiting.set(block, (entry = { count: 0, writes: 0 }));
    entry.count++;
    this.#arrivals.set(id, ahead ? -1 : entry.writes);
  }

  /** A host write stored `block` (or tried to: parity holds it then). */
  written(block: number): void {
    const entry = this.#waiting.get(block);
    if (entry !== undefined) entry.writes++;
  }

  /** Under the block's lock: does notice `id` still stand (no host write since it arrived)? It is answered from now on. */
  settle(id: number, block: number): boolean {
    const entry = this.#waiting.get(block);
    const writesThen = this.#arrivals.get(id);
    assert(entry !== undefined && writesThen !== undefined, `loss notice ${id} for block ${block} settled without arriving`);
    this.#arrivals.delete(id);
    if (--entry.count === 0) this.#waiting.delete(block);
    this.#answered.add(id);
    if (this.#answered.size > REMEMBERED) this.#answered.delete(this.#answered.values().next().value!);
    return entry.writes === writesThen;
  }
}
