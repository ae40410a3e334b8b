// Counts code probes (src/ports/probe.ts) over one run, across every
// controller incarnation; the run summary reports the counts.
import type { Probe } from '../../src/ports/probe.js';

export class ProbeCounter implements Probe {
  readonly #counts = new Map<string, number>();

  /** Product probes (ProbeName) and the simulator's own (e.g. a torn write). */
  hit(name: string): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  /** Counts by name, names sorted (a stable order for JSON and tables). */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
