// The Clock port in virtual time.
import type { Clock, Micros, Timer } from '../../src/ports/clock.js';
import type { Engine } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';

export class SimClock implements Clock {
  readonly #engine: Engine;
  readonly #node: string;
  readonly #kSleep: KindId;
  readonly #kTimer: KindId;
  readonly #kSpawn: KindId;

  constructor(engine: Engine, node: string) {
    this.#engine = engine;
    this.#node = node;
    this.#kSleep = engine.trace.kind('clock.sleep');
    this.#kTimer = engine.trace.kind('clock.timer');
    this.#kSpawn = engine.trace.kind('clock.spawn');
  }

  now(): Micros {
    return this.#engine.now;
  }

  sleep(us: Micros): Promise<void> {
    return this.#engine.sleep(Math.max(0, Math.round(us)), this.#kSleep);
  }

  timer(us: Micros, fn: () => void): Timer {
    const id = this.#engine.after(Math.max(0, Math.round(us)), this.#kTimer, fn);
    return { cancel: () => void this.#engine.cancel(id) };
  }

  spawn(name: string, task: () => Promise<void>): void {
    this.#engine.after(0, this.#kSpawn, () => this.#engine.watch(task(), `${this.#node}: ${name}`));
  }
}
