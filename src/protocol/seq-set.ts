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

  /** The members above the floor, ascending (for checkpoints). */
  above(): number[] {
    return [...this.#above].sort((a, b) => a - b);
  }

  /** Rebuilds the set from a checkpoint. */
  static from(floor: number, above: readonly number[]): SeqSet {
    const s = new SeqSet();
    s.#floor = floor;
    for (const x of above) s.add(x);
    return s;
  }

  get size(): number {
    return this.#floor + this.#above.size;
  }
}
