// The event queue's middle tier: a ring of COUNT buckets, each SPAN µs of
// virtual time wide, holding the events between the fine wheel's reach and the
// far heap's (event-queue.ts). Each bucket is a FIFO list of slots in
// insertion order; the queue hands a bucket's events to the fine wheel, in that
// order, when the whole bucket comes within the fine wheel's reach.
//
// It covers exactly [start, end) = COUNT consecutive buckets, so a time's
// bucket is its ring index and a scan from start's index meets them in time
// order. No object per event: per-slot next pointers and times in typed arrays.
import { grownFor } from './grow.js';
import type { Time } from './time.js';

export class CoarseWheel {
  readonly #span: number;
  readonly #mask: number;
  readonly #head: Int32Array;
  readonly #tail: Int32Array;
  #next = new Int32Array(1024);
  #time = new Float64Array(1024);
  #size = 0;
  /** First time covered: every earlier event belongs to the fine wheel. */
  start: Time;
  /** First time past the last bucket: every later event belongs to the far heap. */
  end: Time;

  /** `count` buckets (a power of two) of `span` µs, the first starting at `start` (a multiple of span). */
  constructor(span: number, count: number, start: Time) {
    this.#span = span;
    this.#mask = count - 1;
    this.#head = new Int32Array(count).fill(-1);
    this.#tail = new Int32Array(count).fill(-1);
    this.start = start;
    this.end = start + count * span;
  }

  get size(): number {
    return this.#size;
  }

  /** Queues `slot` at `time` (start ≤ time < end) behind its bucket's earlier events. */
  push(time: Time, slot: number): void {
    if (slot >= this.#next.length) this.#grow(slot);
    this.#next[slot] = -1;
    this.#time[slot] = time;
    const b = this.#bucket(time);
    const tail = this.#tail[b]!;
    if (tail === -1) this.#head[b] = slot;
    else this.#next[tail] = slot;
    this.#tail[b] = slot;
    this.#size++;
  }

  /**
   * Detaches the first bucket ([start, start + span)) and moves the ring on by
   * one bucket; returns the bucket's first slot (-1 if it was empty). Walk it
   * with next() and time() before the next push.
   */
  shift(): number {
    const b = this.#bucket(this.start);
    const first = this.#head[b]!;
    this.#head[b] = this.#tail[b] = -1;
    for (let s = first; s !== -1; s = this.#next[s]!) this.#size--;
    this.start += this.#span;
    this.end += this.#span;
    return first;
  }

  /** Restarts the (empty) ring at `start`, a multiple of span. */
  jump(start: Time): void {
    this.end += start - this.start;
    this.start = start;
  }

  next(slot: number): number {
    return this.#next[slot]!;
  }

  time(slot: number): Time {
    return this.#time[slot]!;
  }

  /** Time of the earliest event, or Infinity: the least time in the first non-empty bucket. */
  earliest(): number {
    if (this.#size === 0) return Infinity;
    let b = this.#bucket(this.start);
    while (this.#head[b] === -1) b = (b + 1) & this.#mask;
    let least = Infinity;
    for (let s = this.#head[b]!; s !== -1; s = this.#next[s]!) if (this.#time[s]! < least) least = this.#time[s]!;
    return least;
  }

  #bucket(time: Time): number {
    // Times reach 2^53: the bucket number is exact in a double, and & keeps its low bits.
    return Math.floor(time / this.#span) & this.#mask;
  }

  #grow(slot: number): void {
    this.#next = grownFor(this.#next, slot);
    this.#time = grownFor(this.#time, slot);
  }
}
