// The set of sequence numbers applied from one sender: a high-water mark
// (every seq ≤ it is in) plus the few above it that arrived early. Memory stays
// proportional to how far out of order deltas arrive, not to how many arrived.

export class SeqSet {
  #floor = 0;
  readonly #above = new Set<number>();

  has(seq: number): boolean {
    return seq <= this.#floor || this.#above.has(seq);
  }

  add(seq: number): void {
    if (this.has(seq)) return;
    this.#above.add(seq);
    while (this.#above.delete(this.#floor + 1)) this.#floor++;
  }

  /** Every seq up to and including this one is in the set. */
  get floor(): number {
    return this.#floor;
  }

  get size(): number {
    return this.#floor + this.#above.size;
  }
}
