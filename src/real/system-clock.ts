// The Clock port on the machine's own clock, keeping the promises the
// simulated clock keeps (test/conformance/clock.conformance.ts):
//
//  - a timer or sleep of `us` ends no earlier than `us` after it began, on
//    now(), and timers fire in deadline order, ties in the order set
//    (timer-queue.ts: a bare setTimeout rounds to whole milliseconds and
//    starts from the event loop's cached time, so it could end early);
//  - spawn starts its task after it returns, never inside the call (the
//    simulator runs it as an event of its own), so the caller's code after
//    spawn runs first either way.
import { performance } from 'node:perf_hooks';
import type { Clock, Micros, Timer } from '../ports/clock.js';
import { TimerQueue } from './timer-queue.js';

export class SystemClock implements Clock {
  readonly #onFatal: (error: unknown, task: string) => void;
  readonly #timers = new TimerQueue(() => this.now());
  #stopped = false;

  /** `onFatal` hears of a background task or timer callback that failed (a broken invariant). */
  constructor(onFatal: (error: unknown, task: string) => void) {
    this.#onFatal = onFatal;
  }

  now(): Micros {
    return Math.round(performance.now() * 1000);
  }

  sleep(us: Micros): Promise<void> {
    return new Promise((resolve) => this.#timers.add(this.#deadline(us), resolve));
  }

  timer(us: Micros, fn: () => void): Timer {
    const cancel = this.#timers.add(this.#deadline(us), () => {
      try {
        fn();
      } catch (error) {
        this.#onFatal(error, 'timer');
      }
    });
    return { cancel };
  }

  /**
   * The node is stopping (its ports closed): every timer and sleep is dropped
   * and none is set again, and no task starts. Controllers still retransmitting
   * to peers that are gone would otherwise keep the process alive for ever.
   */
  stop(): void {
    this.#stopped = true;
    this.#timers.stop();
  }

  spawn(name: string, task: () => Promise<void>): void {
    if (this.#stopped) return;
    setImmediate(() => {
      try {
        task().catch((error: unknown) => this.#onFatal(error, name));
      } catch (error) {
        this.#onFatal(error, name); // a task that throws before its first await
      }
    });
  }

  #deadline(us: Micros): number {
    return this.now() + Math.max(0, Math.round(us));
  }
}
