// Deliberate, named mutations of the controllers, for proving the checker can
// fail (tests, and `xorsim selftest`). Off unless a caller passes them in code:
// no scenario field or `run` flag can switch one on.

export type PlantedBug =
  /** Parity stores the delta itself instead of Q ^ delta. */
  | 'parity-stores-delta'
  /** The primary stores the host's write but never sends its delta. */
  | 'primary-skips-delta'
  /** The primary sends the new data instead of new ^ old. */
  | 'primary-sends-data-not-delta'
  /** Restore reports every tenth block lost although it could rebuild it. */
  | 'parity-reports-false-loss'
  /** The scrub, finding a member's copy bad, rewrites Q without it instead: it repairs the wrong copy. */
  | 'scrub-repairs-wrong-copy'
  /** A primary serves host reads without checking the block's checksum: corrupt data reaches the host. */
  | 'no-checksum-verify';

export const PLANTED_BUGS: readonly PlantedBug[] = [
  'parity-stores-delta',
  'primary-skips-delta',
  'primary-sends-data-not-delta',
  'parity-reports-false-loss',
  'scrub-repairs-wrong-copy',
  'no-checksum-verify',
];

export type PlantedBugs = ReadonlySet<PlantedBug>;

export const NO_BUGS: PlantedBugs = new Set();
