// A 4-ary min-heap over parallel typed arrays (time, seq, slot): the pending
// events too far ahead for the timing wheel (see event-queue.ts). Ties in time
// are broken by insertion sequence, so the heap is stable.
import type { Time } from './time.js';

const ARITY = 4;

export class FarHeap {
  #time = new Float64Array(1024);
  #seq = new Float64Array(1024);
  #slot = new Int32Array(1024);
  #size = 0;

  #nextSeq = 0;

  get size(): number {
    return this.#size;
  }

  /** Time of the earliest event, or Infinity if empty. */
  peekTime(): number {
    return this.#size === 0 ? Infinity : this.#time[0]!;
  }

  /** Queues `slot` at `time`, after every event already queued for that time. */
  push(time: Time, slot: number): void {
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

  /** Removes and returns the slot of the earliest event. Must be non-empty. */
  pop(): number {
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
}
