// Per-block mutual exclusion: one read-modify-write of a block at a time,
// waiters served in arrival order. Also the controller's answer to "is any
// work on block k unfinished?" (busy), which the scrubber and the simulator's
// checker ask.

export class BlockLocks {
  // block → queue of waiters; present while the lock is held (queue may be empty).
  readonly #held = new Map<number, (() => void)[]>();

  /** Runs `fn` holding the lock on `block`. */
  async with<T>(block: number, fn: () => Promise<T>): Promise<T> {
    await this.acquire(block);
    try {
      return await fn();
    } finally {
      this.release(block);
    }
  }

  acquire(block: number): Promise<void> {
    const waiters = this.#held.get(block);
    if (waiters === undefined) {
      this.#held.set(block, []);
      return Promise.resolve();
    }
    return new Promise((resolve) => waiters.push(resolve));
  }

  release(block: number): void {
    const waiters = this.#held.get(block);
    if (waiters === undefined) throw new Error(`BlockLocks.release: block ${block} is not locked`);
    const next = waiters.shift();
    if (next === undefined) this.#held.delete(block);
    else next();
  }

  /** True while the lock on `block` is held or awaited. */
  busy(block: number): boolean {
    return this.#held.has(block);
  }

  get size(): number {
    return this.#held.size;
  }
}
