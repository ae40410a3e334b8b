// Every point where a controller asks the simulator for trouble
// (src/ports/buggify.ts), with its kind and the race it widens. A delay point
// waits on the controller's own clock; a drop point skips one message, as a
// lossy link might; a crash point dies there, as a controller may at any
// instant — only a simulated crash between two events cannot land exactly
// there. None does what the real world could not: each is a slow thread, a
// lost message or a crash at an unlucky moment. New points go at the end: the
// simulator draws which points a run enables in this order, from one stream
// (sim/world/buggify.ts), so a point inserted earlier would change the draws.
export type BuggifyKind = 'delay' | 'drop' | 'crash';

export const BUGGIFY_POINTS = {
  // Parity.
  'delta-before-apply': {
    kind: 'delay',
    what: 'hardened parity: a delta marked as being applied waits before its read-modify-write of Q[k]: a retransmission arriving meanwhile must be dropped as a duplicate, and deltas of other members for k queue behind it (H2)',
  },
  'delta-ack-drop': {
    kind: 'drop',
    what: 'hardened parity: the ack of an applied delta is not sent: the member retransmits it, and the duplicate must be acknowledged, not applied again (H1, H2)',
  },
  'parity-crash-after-apply-write': {
    kind: 'crash',
    what: "parity dies with a delta's new Q[k] written (hardened: logged first) and its ack not sent: the replay and the member's retransmission must leave the delta applied exactly once (H3)",
  },
  'join-before-merge': {
    kind: 'delay',
    what: "parity holds a joining member's copy of k (hardened: and the Q[k] lock) before merging it: the member writes on meanwhile, and its deltas must be judged against what the copy reflects (H6)",
  },
  'parity-crash-after-merge': {
    kind: 'crash',
    what: "parity dies right after a join's merge of one block was logged and written: the join resumes from the log without merging the block twice",
  },
  'leave-before-unmerge': {
    kind: 'delay',
    what: "parity holds a leaving member's copy of k (hardened: and the Q[k] lock) before XORing it out of Q[k]",
  },
  'restore-before-send': {
    kind: 'delay',
    what: 'parity rebuilt a block for a member being restored and waits before sending it: the member may write the block meanwhile, and the older restored copy must not overwrite it',
  },
  'scrub-between-reads': {
    kind: 'delay',
    what: "the scrub has read Q[k] (holding its lock) and waits before asking the members for their copies: their writes meanwhile leave copies ahead of Q[k], and the cut must be retried (H7)",
  },
  'repair-before-gather': {
    kind: 'delay',
    what: "a recomputation of Q[k] has checked Q[k] (holding its lock) and waits before gathering the members' copies",
  },
  // Primaries.
  'copy-reply-delay': {
    kind: 'delay',
    what: "a primary has read its copy of k for parity (a restore, leave, repair or scrub) and waits before replying: parity holds Q[k] waiting for it while the host writes on",
  },
  'join-copy-reply-delay': {
    kind: 'delay',
    what: 'a joining primary has read its copy of k and the last delta it reflects, and waits before replying: later writes send deltas the merge must apply, not absorb (H6)',
  },
  'restore-data-before-store': {
    kind: 'delay',
    what: 'a primary being restored received a rebuilt block and waits before taking its lock to store it: a host write of the block may overtake it, and must win',
  },
  'primary-crash-after-journal': {
    kind: 'crash',
    what: "hardened primary dies with a write's intent journaled and its data not written yet: recovery redoes the write and resends its delta (H3)",
  },
  'primary-crash-after-data-write': {
    kind: 'crash',
    what: "a primary dies with a write's data on its disk and its delta not sent yet (hardened: recovery resends it from the journal; literal: the write hole)",
  },
} as const satisfies Record<string, { readonly kind: BuggifyKind; readonly what: string }>;

export type BuggifyPoint = keyof typeof BUGGIFY_POINTS;

/** The points of one kind. */
export type BuggifyPointOf<K extends BuggifyKind> = { [P in BuggifyPoint]: (typeof BUGGIFY_POINTS)[P]['kind'] extends K ? P : never }[BuggifyPoint];
