// Work a controller must finish before it serves anything (journal recovery,
// a restore's handshake): `ready` resolves when it is done, and further steps
// can be chained onto it.
import type { Clock } from '../ports/clock.js';

export class RecoveryGate {
  #ready: Promise<void> = Promise.resolve();
  #running = 0;

  /** Resolves once every step queued so far is done. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** True while a step is under way. */
  get busy(): boolean {
    return this.#running > 0;
  }

  /** Runs `step` (as a background task, after the earlier ones) and holds `ready` until it is done. */
  hold(clock: Clock, name: string, step: () => Promise<void>): void {
    this.#running++;
    const previous = this.#ready;
    this.#ready = new Promise((done) => {
      clock.spawn(name, async () => {
        await previous;
        await step();
        this.#running--;
        done();
      });
    });
  }
}
