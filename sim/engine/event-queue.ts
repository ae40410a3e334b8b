// The pending-event set, ordered by (time, insertion sequence).
//
// Near events (within WHEEL µs of the clock) sit in a timing wheel: one FIFO
// list per microsecond, found through a two-level bitmap, so push and pop cost
// a few array writes and no comparisons. Far events wait in a 4-ary heap
// (far-heap.ts) and move onto the wheel as the clock comes within WHEEL of them.
//
// Why the order is exact: events of one instant sit in one FIFO in the order
// they were pushed. A far event is moved onto the wheel at the clock advance
// that brings it within reach — before any event can be pushed for the same
// instant directly — and the heap hands them over in (time, seq) order. So
// every FIFO holds its instant's events in insertion order, and zero-delay
// events simply queue behind everything already due now.
//
// An event is a slot number (< 2^26) chosen by the engine; at most one pending
// event per slot. No object is allocated per event.
import { FarHeap } from './far-heap.js';
import type { Time } from './time.js';

const WHEEL_BITS = 16;
const WHEEL = 1 << WHEEL_BITS; // 65.5 ms of virtual time at 1 µs per bucket
const MASK = WHEEL - 1;
const WORDS = WHEEL >>> 5; // level-1 bitmap: one bit per bucket
const SUMMARY_WORDS = WORDS >>> 5; // level-2 bitmap: one bit per non-zero level-1 word

export class EventQueue {
  #now: Time = 0;
  readonly #head = new Int32Array(WHEEL).fill(-1);
  readonly #tail = new Int32Array(WHEEL).fill(-1);
  #next = new Int32Array(1024); // per slot: the next slot in its bucket
  readonly #bits = new Uint32Array(WORDS);
  readonly #summary = new Uint32Array(SUMMARY_WORDS);
  #onWheel = 0;
  readonly #far = new FarHeap();
  /** Cached result of the last search: the bucket holding the earliest event. */
  #nextBucket = -1;

  /** The queue's clock: the time of the last popped event (or of advance()). */
  get now(): Time {
    return this.#now;
  }

  get size(): number {
    return this.#onWheel + this.#far.size;
  }

  /** Queues `slot` at `time` (≥ now), after every event already queued for that time. */
  push(time: Time, slot: number): void {
    if (time - this.#now >= WHEEL) {
      this.#far.push(time, slot);
      return;
    }
    this.#append(time & MASK, slot);
    // A push can only make an earlier bucket the next one.
    if (this.#nextBucket >= 0 && ((time - this.#now) & MASK) < ((this.#nextBucket - this.#now) & MASK)) this.#nextBucket = -1;
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTime(): number {
    if (this.#onWheel === 0) return this.#far.peekTime();
    const b = this.#earliestBucket();
    return this.#now + ((b - this.#now) & MASK);
  }

  /** Removes the earliest event, moves the clock to its time, returns its slot. */
  pop(): number {
    if (this.#onWheel === 0) {
      if (this.#far.size === 0) throw new RangeError('EventQueue.pop: empty');
      this.advance(this.#far.peekTime());
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
    // Bring far events within reach onto the wheel, in (time, seq) order.
    const far = this.#far;
    while (far.size > 0 && far.peekTime() - time < WHEEL) {
      const t = far.peekTime();
      this.#append(t & MASK, far.pop());
    }
    this.#nextBucket = -1;
  }

  #append(bucket: number, slot: number): void {
    if (slot >= this.#next.length) this.#growNext(slot);
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

  #growNext(slot: number): void {
    let n = this.#next.length * 2;
    while (n <= slot) n *= 2;
    const next = new Int32Array(n);
    next.set(this.#next);
    this.#next = next;
  }
}

/** Index of the lowest set bit of a non-zero 32-bit value. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}
