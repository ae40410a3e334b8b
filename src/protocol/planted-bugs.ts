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
  /** Parity applies every copy of a delta: duplicates and retransmissions too (H2). */
  | 'no-dedup'
  /** Parity acknowledges a delta before the new Q[k] is durable: a crash then loses it (H3). */
  | 'ack-before-durable'
  /** The primary stores the host's data before journaling its intent: a crash between leaves parity stale (H3). */
  | 'journal-after-data'
  /** Parity's read-modify-writes of one block run unserialised (H5). */
  | 'no-parity-lock'
  /** Restore accepts a cut in which a survivor's copy is ahead of Q[k] (H7). */
  | 'restore-without-cut'
  /** The joining primary copies a block without its block lock, racing its own writes (H6). */
  | 'join-copy-without-fence'
  /** Every 16th delta names the next block instead of its own. */
  | 'wrong-block-delta'
  /** Restore asks a smaller member for blocks past its end instead of counting them as zeros. */
  | 'no-zero-extension'
  /** The scrub, finding a member's copy bad, rewrites Q without it instead: it repairs the wrong copy. */
  | 'scrub-repairs-wrong-copy'
  /** A primary serves host reads without checking the block's checksum: corrupt data reaches the host. */
  | 'no-checksum-verify'
  /** A primary sends a block's next delta while parity has not acknowledged the previous one: parity may apply them out of order. */
  | 'unordered-deltas'
  /** Controllers act on peers' messages without checking them: a confused peer's out-of-range block or wrong-sized data reaches the controller's own assertions (or its data). */
  | 'no-peer-checks'
  /** A primary keeps its lost blocks in memory only: after a restart it serves their zeros as the host's data. */
  | 'volatile-losses'
  /** Parity's checkpoints keep each member's applied floor but not the numbers applied above it: after a crash, a retransmitted or duplicated delta among them is applied again (found by mutation testing, docs/MUTATION.md). */
  | 'checkpoint-forgets-early-deltas';

export const PLANTED_BUGS: readonly PlantedBug[] = [
  'parity-stores-delta',
  'primary-skips-delta',
  'primary-sends-data-not-delta',
  'parity-reports-false-loss',
  'no-dedup',
  'ack-before-durable',
  'journal-after-data',
  'no-parity-lock',
  'restore-without-cut',
  'join-copy-without-fence',
  'wrong-block-delta',
  'no-zero-extension',
  'scrub-repairs-wrong-copy',
  'no-checksum-verify',
  'unordered-deltas',
  'no-peer-checks',
  'volatile-losses',
  'checkpoint-forgets-early-deltas',
];

export type PlantedBugs = ReadonlySet<PlantedBug>;

export const NO_BUGS: PlantedBugs = new Set();
