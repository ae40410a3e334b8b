// Per-block mutual exclusion: one read-modify-write of a block at a time,
// waiters served in arrival order. Also the controller's answer to "is any
// work on block k unfinished?" (busy), which the scrubber and the simulator's
// checker ask.
//
// Non-exclusive mode (the `literal` protocol, which the claims leave
// unserialised) admits everyone at once but still counts who is inside.

export class BlockLocks {
  readonly #exclusive: boolean;
  // block → queue of waiters; present while the lock is held (queue may be empty).
  readonly #held = new Map<number, (() => void)[]>();
  // Non-exclusive mode: block → holders.
  readonly #holders = new Map<number, number>();

  constructor(exclusive = true) {
    this.#exclusive = exclusive;
  }

  /** Runs `fn` holding the lock on `block` (at once when it is free: no wait for a resolved promise). */
  with<T>(block: number, fn: () => Promise<T>): Promise<T> {
    if (this.#take(block)) return this.#holding(block, fn);
    return this.#queue(block).then(() => this.#holding(block, fn));
  }

  async #holding<T>(block: number, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.release(block);
    }
  }

  acquire(block: number): Promise<void> {
    return this.#take(block) ? Promise.resolve() : this.#queue(block);
  }

  /** Waits behind the holder of `block` (exclusive mode: it is held); resolves holding it. */
  #queue(block: number): Promise<void> {
    return new Promise((resolve) => this.#held.get(block)!.push(resolve));
  }

  /** Takes the lock now if it is free (always, when not exclusive); false: it is held. */
  #take(block: number): boolean {
    if (!this.#exclusive) {
      this.#holders.set(block, (this.#holders.get(block) ?? 0) + 1);
      return true;
    }
    if (this.#held.has(block)) return false;
    this.#held.set(block, []);
    return true;
  }

  release(block: number): void {
    if (!this.#exclusive) {
      const n = this.#holders.get(block);
      if (n === undefined) throw new Error(`BlockLocks.release: block ${block} is not held`);
      if (n === 1) this.#holders.delete(block);
      else this.#holders.set(block, n - 1);
      return;
    }
    const waiters = this.#held.get(block);
    if (waiters === undefined) throw new Error(`BlockLocks.release: block ${block} is not locked`);
    const next = waiters.shift();
    if (next === undefined) this.#held.delete(block);
    else next();
  }

  /** True while the lock on `block` is held or awaited. */
  busy(block: number): boolean {
    return this.#held.has(block) || this.#holders.has(block);
  }

  /** Blocks currently held or awaited. */
  get size(): number {
    return this.#held.size + this.#holders.size;
  }
}
