// Counts code probes (src/ports/probe.ts) over one run, across every
// controller incarnation; the run summary reports the counts. A probe marked
// with the block it concerns is published (`block-probe`), and so is each
// anomaly (src/protocol/anomaly-names.ts; `anomaly`), with the array that
// raised it: the checkers judge them. Anomalies count as probes too.
import type { Probe } from '../../src/ports/probe.js';
import { Reused, type WorldEvents } from './world-events.js';

export class ProbeCounter {
  readonly #counts = new Map<string, number>();
  readonly #events: WorldEvents;
  readonly #blockProbe: Reused<'block-probe'>;

  constructor(events: WorldEvents) {
    this.#events = events;
    this.#blockProbe = new Reused(events, { kind: 'block-probe', array: '', name: '', block: 0 });
  }

  /** Product probes (ProbeName) and the simulator's own (e.g. a torn write). */
  hit(name: string): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  /** The port `array`'s controllers mark probes through. */
  for(array: string): Probe {
    const { listeners, event } = this.#blockProbe;
    return {
      hit: (name, block) => {
        this.hit(name);
        if (block === undefined) return;
        event.array = array;
        event.name = name;
        event.block = block;
        for (let i = 0; i < listeners.length; i++) listeners[i]!(event);
      },
      anomaly: (name, block, since) => {
        this.hit(`anomaly:${name}`);
        this.#events.publish({ kind: 'anomaly', array, name, block, since });
      },
    };
  }

  /** Counts by name, names sorted (a stable order for JSON and tables). */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
