// The pending-event set, ordered by (time, insertion sequence).
//
// Three tiers, each covering a range of times that moves with the clock:
//   fine wheel  — times before coarse.start (at most WHEEL µs ahead of the
//                 clock): one FIFO list per microsecond, found through a
//                 two-level bitmap, so push and pop cost a few array writes and
//                 no comparisons;
//   coarse wheel — [coarse.start, coarse.end), about 33 s: one FIFO list per
//                 SPAN µs (coarse-wheel.ts), handed whole to the fine wheel as
//                 the clock brings all of it within reach;
//   far heap    — coarse.end and later: a 4-ary heap (far-heap.ts), moved into
//                 the coarse wheel as its range moves on.
// An event goes to the tier whose range holds its time, so a retransmit or
// disk timer tens of milliseconds out costs two list appends, not a heap's
// log n comparisons (the far path of `xorsim bench`).
//
// Why the order is exact: events of one instant sit in one FIFO in the order
// they were pushed. An instant joins a nearer tier's range only when a range
// boundary moves past it, and at that moment everything the farther tier
// holds for it moves over first, in order (a coarse bucket in its FIFO order,
// the heap in (time, seq) order); only then can a push for that instant reach
// the nearer tier directly. So every FIFO holds its instant's events in
// insertion order, and zero-delay events simply queue behind everything
// already due now.
//
// An event is a slot number (< 2^26) chosen by the engine; at most one pending
// event per slot. No object is allocated per event.
import { CoarseWheel } from './coarse-wheel.js';
import { FarHeap } from './far-heap.js';
import { grownFor } from './grow.js';
import type { Time } from './time.js';

const WHEEL_BITS = 16;
const WHEEL = 1 << WHEEL_BITS; // 65.5 ms of virtual time at 1 µs per bucket
const MASK = WHEEL - 1;
const WORDS = WHEEL >>> 5; // level-1 bitmap: one bit per bucket
const SUMMARY_WORDS = WORDS >>> 5; // level-2 bitmap: one bit per non-zero level-1 word
const SPAN = WHEEL >>> 1; // a coarse bucket: 32.8 ms, so a whole one fits the fine wheel's reach with room to spare
const COARSE = 1024; // coarse buckets: 33.5 s ahead of the fine wheel

export class EventQueue {
  #now: Time = 0;
  readonly #head = new Int32Array(WHEEL).fill(-1);
  readonly #tail = new Int32Array(WHEEL).fill(-1);
  #next = new Int32Array(1024); // per slot: the next slot in its bucket
  readonly #bits = new Uint32Array(WORDS);
  readonly #summary = new Uint32Array(SUMMARY_WORDS);
  #onWheel = 0;
  readonly #coarse = new CoarseWheel(SPAN, COARSE, WHEEL);
  readonly #far = new FarHeap();
  /** Cached result of the last search: the bucket holding the earliest event. */
  #nextBucket = -1;

  /** The queue's clock: the time of the last popped event (or of advance()). */
  get now(): Time {
    return this.#now;
  }

  get size(): number {
    return this.#onWheel + this.#coarse.size + this.#far.size;
  }

  /** Queues `slot` at `time` (≥ now), after every event already queued for that time. */
  push(time: Time, slot: number): void {
    if (time >= this.#coarse.start) {
      if (time < this.#coarse.end) this.#coarse.push(time, slot);
      else this.#far.push(time, slot);
      return;
    }
    this.#append(time & MASK, slot);
    // A push can only make an earlier bucket the next one.
    if (this.#nextBucket >= 0 && ((time - this.#now) & MASK) < ((this.#nextBucket - this.#now) & MASK)) this.#nextBucket = -1;
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTime(): number {
    if (this.#onWheel === 0) return this.#coarse.size > 0 ? this.#coarse.earliest() : this.#far.peekTime();
    const b = this.#earliestBucket();
    return this.#now + ((b - this.#now) & MASK);
  }

  /** Removes the earliest event, moves the clock to its time, returns its slot. */
  pop(): number {
    if (this.#onWheel === 0) {
      if (this.#coarse.size === 0 && this.#far.size === 0) throw new RangeError('EventQueue.pop: empty');
      this.advance(this.peekTime());
    }
    const b = this.#earliestBucket();
    const t = this.#now + ((b - this.#now) & MASK);
    if (t !== this.#now) this.advance(t);
    const slot = this.#head[b]!;
    const next = this.#next[slot]!;
    this.#head[b] = next;
    this.#onWheel--;
    if (next === -1) {
      this.#tail[b] = -1;
      this.#clearBit(b);
      this.#nextBucket = -1;
    }
    return slot;
  }

  /** Moves the clock forward to `time` (no pending event may be earlier). */
  advance(time: Time): void {
    if (time < this.#now) throw new RangeError(`EventQueue.advance: ${time} is before ${this.#now}`);
    this.#now = time;
    this.#nextBucket = -1;
    const coarse = this.#coarse;
    const far = this.#far;
    // Every coarse bucket now wholly within the fine wheel's reach moves onto it, in its order.
    while (coarse.start + SPAN <= time + WHEEL) {
      if (coarse.size === 0) {
        // Nothing to hand over: restart the coarse range at its first bucket still out of reach. What
        // the heap holds before that start is within the fine wheel's reach, and joins it in order.
        coarse.jump((Math.floor((time + WHEEL - SPAN) / SPAN) + 1) * SPAN);
        while (far.size > 0 && far.peekTime() < coarse.start) {
          const t = far.peekTime();
          this.#append(t & MASK, far.pop());
        }
      } else {
        for (let s = coarse.shift(); s !== -1; ) {
          const next = coarse.next(s);
          this.#append(coarse.time(s) & MASK, s);
          s = next;
        }
      }
      // The heap's events that the coarse range now reaches join it, in (time, seq) order.
      while (far.size > 0 && far.peekTime() < coarse.end) {
        const t = far.peekTime();
        coarse.push(t, far.pop());
      }
    }
  }

  #append(bucket: number, slot: number): void {
    if (slot >= this.#next.length) this.#next = grownFor(this.#next, slot);
    this.#next[slot] = -1;
    const tail = this.#tail[bucket]!;
    if (tail === -1) {
      this.#head[bucket] = slot;
      const w = bucket >>> 5;
      if (this.#bits[w] === 0) this.#summary[w >>> 5]! |= 1 << (w & 31);
      this.#bits[w]! |= 1 << (bucket & 31);
    } else {
      this.#next[tail] = slot;
    }
    this.#tail[bucket] = slot;
    this.#onWheel++;
  }

  #clearBit(bucket: number): void {
    const w = bucket >>> 5;
    const left = (this.#bits[w]! &= ~(1 << (bucket & 31)));
    if (left === 0) this.#summary[w >>> 5]! &= ~(1 << (w & 31));
  }

  /** The bucket of the earliest wheel event: the first set bit at or after now, circularly. */
  #earliestBucket(): number {
    if (this.#nextBucket >= 0) return this.#nextBucket;
    const start = this.#now & MASK;
    let b = this.#firstSetFrom(start);
    if (b === -1) b = this.#firstSetFrom(0); // wrapped: buckets before `start` are later instants
    this.#nextBucket = b;
    return b;
  }

  /** First set bucket bit at index ≥ from, or -1. */
  #firstSetFrom(from: number): number {
    const bits = this.#bits;
    let w = from >>> 5;
    const first = bits[w]! & (~0 << (from & 31));
    if (first !== 0) return (w << 5) | ctz(first);
    // Skip empty level-1 words using the summary.
    w++;
    if (w >= WORDS) return -1;
    let s = w >>> 5;
    let summary = this.#summary[s]! & (~0 << (w & 31));
    for (;;) {
      if (summary !== 0) {
        const word = (s << 5) | ctz(summary);
        return (word << 5) | ctz(bits[word]!);
      }
      if (++s >= SUMMARY_WORDS) return -1;
      summary = this.#summary[s]!;
    }
  }

}

/** Index of the lowest set bit of a non-zero 32-bit value. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}
