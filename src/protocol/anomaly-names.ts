// Anomalies: what a controller meets that nothing should cause but a fault —
// and which fault is no guess of the controller's. It marks each one
// (Probe.anomaly); the simulator's checker fails a run whose anomaly the
// world's own record of faults does not explain (sim/checker/anomaly-checker.ts),
// so a controller that quietly "handles" the impossible — a mutant raising
// them by the hundred — is caught even when nothing else goes wrong yet.
// Outside the simulator they are counted like probes.
export const ANOMALY_NAMES = {
  'scrub-copies-agree-q-differs':
    "hardened parity: the scrub found Q[k] unequal to the XOR of the members' copies although every copy, Q[k] included, read back matching its checksum — no telling which copy is wrong; only damage to two copies at once explains it",
} as const;

export type AnomalyName = keyof typeof ANOMALY_NAMES;
