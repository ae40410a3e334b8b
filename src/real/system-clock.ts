// The Clock port on the machine's own clock and timers.
import { performance } from 'node:perf_hooks';
import type { Clock, Micros, Timer } from '../ports/clock.js';

export class SystemClock implements Clock {
  readonly #onFatal: (error: unknown, task: string) => void;

  /** `onFatal` hears of a background task that failed (a broken invariant). */
  constructor(onFatal: (error: unknown, task: string) => void) {
    this.#onFatal = onFatal;
  }

  now(): Micros {
    return Math.round(performance.now() * 1000);
  }

  sleep(us: Micros): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, us / 1000));
  }

  timer(us: Micros, fn: () => void): Timer {
    const handle = setTimeout(fn, us / 1000);
    return { cancel: () => clearTimeout(handle) };
  }

  spawn(name: string, task: () => Promise<void>): void {
    task().catch((error: unknown) => this.#onFatal(error, name));
  }
}
