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
  'lost-block-rebuilt': "hardened primary: a block of a replaced drive was rebuilt by parity",
  'degraded-write': 'hardened primary: a write its disk could not store (a lost drive) was kept by parity alone until the rebuild',
  'degraded-read-served': 'hardened primary: a read of a block not yet restored was rebuilt by parity (H8)',
  'restore-resumed-after-crash': 'hardened primary: a restore interrupted by a crash resumed (H8)',
  'leave-waited-for-restore': 'hardened primary: told to leave while being restored, it asked to leave once restored',
  'leave-waited-for-join': 'hardened parity: a member told to leave while still joining (a rebuilt parity array merges every member) left once merged',
  'restore-resumed-after-silence': "hardened primary: a restore session fell silent (parity restarted and forgot it) and was resumed",
  'stale-restore-data-ignored': 'hardened primary: restored data older than the block was not stored',
  'parity-block-rebuilt': "hardened parity: its own unreadable or wrong Q[k] was rebuilt from the members' copies",
  'parity-delta-absorbed': 'hardened parity: a delta for an unavailable Q[k] was acknowledged; the rebuild of Q[k] takes it from the copies',
  'checksum-mismatch-on-read': 'hardened: a block read back did not match its checksum (silent corruption, a misdirected write): repaired, not served',
  'checksum-mismatch-read-again': 'hardened: a read that failed its checksum read right the second time (a misdirected read): served, nothing repaired',
  'scrub-mismatch-found': 'hardened parity: the scrub found a block whose copies disagree (a checksum, or Q against the XOR)',
  'scrub-repaired-member': "hardened primary: the scrub found its copy bad, and it was rebuilt from parity",
  'scrub-repaired-parity': "hardened parity: the scrub found Q[k] bad and rebuilt it from the members' copies",
  'scrub-found-loss': 'hardened parity: the scrub found two or more bad copies in one stripe: beyond single parity, the bad members\' blocks declared lost',
  'scrub-mismatch-unresolved': 'hardened parity: every checksum matched but Q disagreed with the XOR: reported, not guessed',
  'delta-waited-for-previous': "hardened primary: a write to a block waited for parity to acknowledge the block's previous delta (deltas of one block reach parity in order)",
  'peer-message-refused': "a peer's message failed the receiver's checks (wrong type for its role, a sender outside the group, a block or size out of range) and was refused or dropped, never acted on",
  'request-refused': 'a peer refused one of our requests (we are not in its group, or it found the request invalid)',
  'loss-declared': "hardened parity: a member's block could not be rebuilt (a second damaged copy in its stripe, or nothing protected it): recorded durably, the stripe to be re-protected",
  'stripe-reprotected': "hardened parity: after a loss in its stripe, Q[k] was recomputed from the members' current copies (the lost blocks' zeros): the stripe protects the others again",
  'block-reported-lost': 'a block could not be rebuilt and was reported lost (H9, H11)',
} as const;

export type ProbeName = keyof typeof PROBE_NAMES;
