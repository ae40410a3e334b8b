// The draws the world generator makes, over one seeded stream each
// (sim/engine/prng.ts): ranges, log-uniform sizes, weighted choices. Pure
// functions of the stream, so a seed always draws the same world.
import type { Random } from '../engine/prng.js';

export class Dice {
  readonly #rng: Random;

  constructor(rng: Random) {
    this.#rng = rng;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return this.#rng.range(lo, hi);
  }

  /** Real in [lo, hi). */
  real(lo: number, hi: number): number {
    return lo + this.#rng.float() * (hi - lo);
  }

  /** Integer in [lo, hi], uniform in its logarithm: small values as likely as large ranges of big ones. */
  logInt(lo: number, hi: number): number {
    const x = Math.exp(Math.log(lo) + this.#rng.float() * (Math.log(hi + 1) - Math.log(lo)));
    return Math.min(hi, Math.max(lo, Math.floor(x)));
  }

  chance(p: number): boolean {
    return this.#rng.chance(p);
  }

  pick<T>(items: readonly T[]): T {
    return this.#rng.pick(items);
  }

  /** One of `items`, with probability proportional to `weight` (all zero: uniform). */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    const weights = items.map(weight);
    const total = weights.reduce((a, b) => a + b, 0);
    if (!(total > 0)) return this.pick(items);
    let x = this.#rng.float() * total;
    for (const [i, w] of weights.entries()) {
      x -= w;
      if (x < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** `items` in a random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.#rng.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
