// The pending-event set, ordered by (time, insertion sequence).
//
// A 4-ary min-heap over parallel typed arrays (time, seq, slot) plus a FIFO for
// events due at the current instant. No object is allocated per event: an event
// is a slot number; what the slot means is the engine's business.
//
// Why the FIFO is exact: an event scheduled for `now` while the clock reads `now`
// has a larger sequence number than every event already queued, and every heap
// event due at `now` was queued before the clock got there. So "heap events due
// now, then the FIFO in order" is precisely (time, seq) order, and zero-delay
// chains (the common case in controller code) never touch the heap.
import type { Time } from './time.js';

const ARITY = 4;

export class EventQueue {
  #time = new Float64Array(1024);
  #seq = new Float64Array(1024);
  #slot = new Int32Array(1024);
  #size = 0;

  #fifo = new Int32Array(1024);
  #fifoHead = 0;
  #fifoLen = 0;

  #nextSeq = 0;

  get size(): number {
    return this.#size + this.#fifoLen;
  }

  /** Time of the earliest heap event, or Infinity if the heap is empty. */
  peekHeapTime(): number {
    return this.#size === 0 ? Infinity : this.#time[0]!;
  }

  get fifoLength(): number {
    return this.#fifoLen;
  }

  /** Queues `slot` at `time`, after every event already queued for that time. */
  pushHeap(time: Time, slot: number): void {
    if (this.#size === this.#time.length) this.#growHeap();
    const seq = this.#nextSeq++;
    const t = this.#time;
    const s = this.#seq;
    const id = this.#slot;
    let i = this.#size++;
    // Sift up: move parents down until the new key fits.
    while (i > 0) {
      const p = ((i - 1) / ARITY) | 0;
      const pt = t[p]!;
      if (pt < time || (pt === time && s[p]! < seq)) break;
      t[i] = pt;
      s[i] = s[p]!;
      id[i] = id[p]!;
      i = p;
    }
    t[i] = time;
    s[i] = seq;
    id[i] = slot;
  }

  /** Queues `slot` for the current instant (after everything else due now). */
  pushNow(slot: number): void {
    if (this.#fifoLen === this.#fifo.length) this.#growFifo();
    this.#nextSeq++;
    this.#fifo[(this.#fifoHead + this.#fifoLen) & (this.#fifo.length - 1)] = slot;
    this.#fifoLen++;
  }

  popFifo(): number {
    const slot = this.#fifo[this.#fifoHead]!;
    this.#fifoHead = (this.#fifoHead + 1) & (this.#fifo.length - 1);
    this.#fifoLen--;
    return slot;
  }

  /** Removes and returns the slot of the earliest heap event. Heap must be non-empty. */
  popHeap(): number {
    const t = this.#time;
    const s = this.#seq;
    const id = this.#slot;
    const top = id[0]!;
    const n = --this.#size;
    if (n === 0) return top;
    const lt = t[n]!;
    const ls = s[n]!;
    const lid = id[n]!;
    let i = 0;
    // Sift down the last element from the root.
    for (;;) {
      const first = i * ARITY + 1;
      if (first >= n) break;
      let best = first;
      let bt = t[first]!;
      let bs = s[first]!;
      const end = first + ARITY < n ? first + ARITY : n;
      for (let c = first + 1; c < end; c++) {
        const ct = t[c]!;
        if (ct < bt || (ct === bt && s[c]! < bs)) {
          best = c;
          bt = ct;
          bs = s[c]!;
        }
      }
      if (lt < bt || (lt === bt && ls < bs)) break;
      t[i] = bt;
      s[i] = bs;
      id[i] = id[best]!;
      i = best;
    }
    t[i] = lt;
    s[i] = ls;
    id[i] = lid;
    return top;
  }

  #growHeap(): void {
    const n = this.#time.length * 2;
    const t = new Float64Array(n);
    t.set(this.#time);
    const s = new Float64Array(n);
    s.set(this.#seq);
    const id = new Int32Array(n);
    id.set(this.#slot);
    this.#time = t;
    this.#seq = s;
    this.#slot = id;
  }

  #growFifo(): void {
    const old = this.#fifo;
    const next = new Int32Array(old.length * 2);
    for (let i = 0; i < this.#fifoLen; i++) next[i] = old[(this.#fifoHead + i) & (old.length - 1)]!;
    this.#fifo = next;
    this.#fifoHead = 0;
  }
}
