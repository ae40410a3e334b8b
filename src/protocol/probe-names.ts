// Every code probe the controllers can mark (src/ports/probe.ts), with what
// reaching it means. Tests assert that each standard scenario reaches the
// probes it exists for.
export const PROBE_NAMES = {
  'delta-retransmitted': 'hardened primary: an unacknowledged delta was sent again (H1)',
  'duplicate-delta-dropped': 'hardened parity: a delta already applied or being applied was dropped (H2)',
  'stale-epoch-delta-dropped': "hardened parity: a delta from a member's previous life was dropped",
  'primary-journal-redo': 'hardened primary: a journaled write was redone after a crash (H3)',
  'parity-journal-redo': 'hardened parity: a logged Q[k] was rewritten after a crash (H3)',
  'build-copy-reasked': 'hardened parity: the build asked again for copies that did not arrive',
  'join-delta-absorbed': "hardened parity: a joiner's delta was already in its merged copy (H6)",
  'restore-cut-retried': 'hardened parity: a restore gather saw a copy ahead of Q[k] and retried (H7)',
  'media-error-repaired': "hardened primary: its own unreadable block (latent error, lost drive) was rebuilt by parity and rewritten",
  'degraded-read-served': 'hardened primary: a read of a block not yet restored was rebuilt by parity (H8)',
  'restore-resumed-after-crash': 'hardened primary: a restore interrupted by a crash resumed (H8)',
  'stale-restore-data-ignored': 'hardened primary: restored data older than the block was not stored',
  'block-reported-lost': 'a block could not be rebuilt and was reported lost (H9, H11)',
} as const;

export type ProbeName = keyof typeof PROBE_NAMES;
