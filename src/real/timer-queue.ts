// The system clock's timers (system-clock.ts), ordered as the simulator
// orders its events: by deadline, then by the order they were set. One Node
// timer is armed at a time, for the earliest deadline. Node arms it from the
// event loop's cached time and rounds to whole milliseconds, so it can end
// before the deadline on now(): it is then armed again for the rest. Due
// timers fire one per turn of the event loop (setImmediate), so the promise
// continuations one wakes run before the next fires — as the engine drains
// them after each event.

interface Entry {
  readonly deadline: number;
  readonly seq: number;
  fn: (() => void) | undefined;
}

export class TimerQueue {
  readonly #now: () => number;
  readonly #heap: Entry[] = [];
  #seq = 0;
  /** Timers set and neither fired nor cancelled. */
  #live = 0;
  /** The deadline the armed Node timer is for, and its handle. */
  #armed: { readonly deadline: number; readonly handle: ReturnType<typeof setTimeout> } | undefined;
  #firing = false;
  #stopped = false;

  /** `now`: the clock's time, µs. */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Calls `fn` once now() ≥ `deadline`, after every timer with an earlier deadline or set before it with the same; returns its cancel. */
  add(deadline: number, fn: () => void): () => void {
    const entry: Entry = { deadline, seq: this.#seq++, fn: this.#stopped ? undefined : fn };
    if (this.#stopped) return () => {};
    this.#push(entry);
    this.#live++;
    if (!this.#firing) this.#arm();
    return () => this.#cancel(entry);
  }

  /**
   * A cancelled timer stays in the heap until it reaches the top, but never
   * keeps the process alive: with none live, the Node timer goes, as
   * clearTimeout would have let it.
   */
  #cancel(entry: Entry): void {
    if (entry.fn === undefined) return;
    entry.fn = undefined;
    if (--this.#live > 0) return;
    this.#heap.length = 0;
    if (this.#armed !== undefined) clearTimeout(this.#armed.handle);
    this.#armed = undefined;
  }

  /** Every timer dropped, and none set from now on: nothing of the queue's keeps the process alive. */
  stop(): void {
    this.#stopped = true;
    for (const entry of this.#heap) entry.fn = undefined;
    this.#heap.length = 0;
    this.#live = 0;
    if (this.#armed !== undefined) clearTimeout(this.#armed.handle);
    this.#armed = undefined;
  }

  #arm(): void {
    this.#dropCancelled();
    const top = this.#heap[0];
    if (this.#armed !== undefined && this.#armed.deadline === top?.deadline) return;
    if (this.#armed !== undefined) clearTimeout(this.#armed.handle);
    this.#armed = undefined;
    if (top === undefined) return;
    const wait = Math.max(0, top.deadline - this.#now());
    this.#armed = { deadline: top.deadline, handle: setTimeout(() => this.#wake(), wait / 1000) };
  }

  #wake(): void {
    this.#armed = undefined;
    this.#fireOne();
  }

  /** Fires the earliest timer if it is due, then comes back for the next one a turn later. */
  #fireOne(): void {
    this.#dropCancelled();
    const top = this.#heap[0];
    if (top === undefined || top.deadline > this.#now()) return this.#arm();
    this.#pop();
    const fn = top.fn!;
    top.fn = undefined;
    this.#live--;
    this.#firing = true;
    try {
      fn();
    } finally {
      this.#firing = false;
      setImmediate(() => this.#fireOne());
    }
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.fn === undefined) this.#pop();
  }

  #push(entry: Entry): void {
    const h = this.#heap;
    let i = h.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}
