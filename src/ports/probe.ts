// Port: code probes (FoundationDB's CODE_PROBE, TigerBeetle's marks).
//
// The product marks situations worth having reached — a duplicate delta
// dropped, a degraded read served — so an exploration can show what it
// exercised, not only that nothing failed. Marking has no effect on behaviour;
// outside the simulator the port does nothing.
import type { AnomalyName } from '../protocol/anomaly-names.js';
import type { ProbeName } from '../protocol/probe-names.js';

export interface Probe {
  /** `block`: the block it concerns, where the checker wants to know (e.g. when a Q[k] took a delta it could not apply). */
  hit(name: ProbeName, block?: number): void;
  /**
   * Something happened that only a fault explains (src/protocol/anomaly-names.ts),
   * about `block`, observed since `since` (the controller's clock): the
   * simulator fails the run unless its record of faults explains it.
   */
  anomaly(name: AnomalyName, block: number, since: number): void;
}

export const NO_PROBE: Probe = { hit() {}, anomaly() {} };
