// Port: code probes (FoundationDB's CODE_PROBE, TigerBeetle's marks).
//
// The product marks situations worth having reached — a duplicate delta
// dropped, a degraded read served — so an exploration can show what it
// exercised, not only that nothing failed. Marking has no effect on behaviour;
// outside the simulator the port does nothing.
import type { ProbeName } from '../protocol/probe-names.js';

export interface Probe {
  hit(name: ProbeName): void;
}

export const NO_PROBE: Probe = { hit() {} };
