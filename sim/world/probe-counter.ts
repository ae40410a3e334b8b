// Counts code probes (src/ports/probe.ts) over one run, across every
// controller incarnation; the run summary reports the counts. Anomalies
// (src/protocol/anomaly-names.ts) count as probes too, and go to the
// checker, with the array that raised them (`for`).
import type { Probe } from '../../src/ports/probe.js';
import type { AnomalyName } from '../../src/protocol/anomaly-names.js';

export type AnomalyListener = (array: string, name: AnomalyName, block: number, since: number) => void;

export class ProbeCounter {
  readonly #counts = new Map<string, number>();
  /** Judges each anomaly raised (sim/checker/anomaly-checker.ts). */
  onAnomaly: AnomalyListener | undefined;
  /** Hears each probe marked with the block it concerns (the honesty checker follows Q[k]'s debts so). */
  onBlockProbe: ((array: string, name: string, block: number) => void) | undefined;

  /** Product probes (ProbeName) and the simulator's own (e.g. a torn write). */
  hit(name: string): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  /** The port `array`'s controllers mark probes through. */
  for(array: string): Probe {
    return {
      hit: (name, block) => {
        this.hit(name);
        if (block !== undefined) this.onBlockProbe?.(array, name, block);
      },
      anomaly: (name, block, since) => {
        this.hit(`anomaly:${name}`);
        this.onAnomaly?.(array, name, block, since);
      },
    };
  }

  /** Counts by name, names sorted (a stable order for JSON and tables). */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}
