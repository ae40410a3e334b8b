// Deliberate, named mutations of the controllers, for proving the checker can
// fail (tests, and `xorsim selftest`). Off unless a caller passes them in code:
// no scenario field or `run` flag can switch one on.
//
// They reach the controllers through one seam: the controllers never ask
// whether a bug is planted. They take a `Seam` — the decisions a planted bug
// may change, each in its honest form (HONEST) — and a planted bug is one of
// those decisions changed (PLANTS). So the controllers read as the protocol,
// and every wrong behaviour is written here, beside its name.
import type { CheckpointState } from './parity-journal.js';
import { xor, xorInto } from './xor.js';

/** The controllers' decisions a planted bug may change. */
export interface Seam {
  // The primary.
  /** The delta a host write of `data` over `old` sends parity: data ^ old. */
  readonly delta: (data: Uint8Array, old: Uint8Array) => Uint8Array;
  /** The block a write's delta names: its own. */
  readonly deltaBlock: (block: number, seq: number, blockCount: number) => number;
  /** A host write sends its delta at all. */
  readonly sendsDelta: boolean;
  /** The data is stored before the write's intent is journaled (honest: after). */
  readonly storesBeforeIntent: boolean;
  /** A block's next delta waits for parity's ack of its previous one. */
  readonly ordersDeltas: boolean;
  /** Lost blocks are kept in the journal's header, not in memory only. */
  readonly keepsLosses: boolean;
  /** Host reads check the block's checksum. */
  readonly verifiesReads: boolean;
  /** A join copy is taken under the block's lock. */
  readonly fencesJoinCopies: boolean;
  // Both.
  /** Peers' messages are checked whole before anything acts on them. */
  readonly checksPeers: boolean;
  // Parity.
  /** Read-modify-writes of one Q[k] are serialised. */
  readonly locksQ: boolean;
  /** The new Q[k] for a delta: Q[k] ^ delta (may write into `q`). */
  readonly newQ: (q: Uint8Array, delta: Uint8Array) => Uint8Array;
  /** A delta applied, or being applied, is not applied again. */
  readonly dedups: boolean;
  /** A delta is also acknowledged before its new Q[k] is durable (honest: never). */
  readonly acksEarly: boolean;
  /** A restore gather seeing a copy ahead of Q[k] retries (the cut). */
  readonly cutsRestores: boolean;
  /** A smaller member counts as zeros past its end. */
  readonly zeroExtends: boolean;
  /** What restore answers for `block`, given what it rebuilt. */
  readonly restored: <R>(block: number, rebuilt: R) => R | { readonly lost: true };
  /** A scrub finding one member's copy bad repairs that copy (not Q). */
  readonly repairsBadCopy: boolean;
  /** What a checkpoint keeps of the group's state: all of it. */
  readonly checkpoint: (state: CheckpointState) => CheckpointState;
  /** Parity's journal is checkpointed (and trimmed) every so many records. */
  readonly checkpoints: boolean;
}

export const HONEST: Seam = {
  delta: xor,
  deltaBlock: (block) => block,
  sendsDelta: true,
  storesBeforeIntent: false,
  ordersDeltas: true,
  keepsLosses: true,
  verifiesReads: true,
  fencesJoinCopies: true,
  checksPeers: true,
  locksQ: true,
  newQ: xorInto,
  dedups: true,
  acksEarly: false,
  cutsRestores: true,
  zeroExtends: true,
  restored: (_block, rebuilt) => rebuilt,
  repairsBadCopy: true,
  checkpoint: (state) => state,
  checkpoints: true,
};

/** Each planted bug: the decisions it changes. */
const PLANTS = {
  /** Parity stores the delta itself instead of Q ^ delta. */
  'parity-stores-delta': { newQ: (_q, delta) => delta },
  /** The primary stores the host's write but never sends its delta. */
  'primary-skips-delta': { sendsDelta: false },
  /** The primary sends the new data instead of new ^ old. */
  'primary-sends-data-not-delta': { delta: (data) => data.slice() },
  /** Restore reports every tenth block lost although it could rebuild it. */
  'parity-reports-false-loss': { restored: (block, rebuilt) => (block % 10 === 0 ? { lost: true } : rebuilt) },
  /** Parity applies every copy of a delta: duplicates and retransmissions too (H2). */
  'no-dedup': { dedups: false },
  /** Parity acknowledges a delta before the new Q[k] is durable: a crash then loses it (H3). */
  'ack-before-durable': { acksEarly: true },
  /** The primary stores the host's data before journaling its intent: a crash between leaves parity stale (H3). */
  'journal-after-data': { storesBeforeIntent: true },
  /** Parity's read-modify-writes of one block run unserialised (H5). */
  'no-parity-lock': { locksQ: false },
  /** Restore accepts a cut in which a survivor's copy is ahead of Q[k] (H7). */
  'restore-without-cut': { cutsRestores: false },
  /** The joining primary copies a block without its block lock, racing its own writes (H6). */
  'join-copy-without-fence': { fencesJoinCopies: false },
  /** Every 16th delta names the next block instead of its own. */
  'wrong-block-delta': { deltaBlock: (block, seq, blockCount) => (seq % 16 === 0 ? (block + 1) % blockCount : block) },
  /** Restore asks a smaller member for blocks past its end instead of counting them as zeros. */
  'no-zero-extension': { zeroExtends: false },
  /** The scrub, finding a member's copy bad, rewrites Q without it instead: it repairs the wrong copy. */
  'scrub-repairs-wrong-copy': { repairsBadCopy: false },
  /** A primary serves host reads without checking the block's checksum: corrupt data reaches the host. */
  'no-checksum-verify': { verifiesReads: false },
  /** A primary sends a block's next delta while parity has not acknowledged the previous one: parity may apply them out of order. */
  'unordered-deltas': { ordersDeltas: false },
  /** Controllers act on peers' messages without checking them: a confused peer's out-of-range block or wrong-sized data reaches the controller's own assertions (or its data). */
  'no-peer-checks': { checksPeers: false },
  /** A primary keeps its lost blocks in memory only: after a restart it serves their zeros as the host's data. */
  'volatile-losses': { keepsLosses: false },
  /** Parity's checkpoints keep each member's applied floor but not the numbers applied above it: after a crash, a retransmitted or duplicated delta among them is applied again (found by mutation testing, docs/MUTATION.md). */
  'checkpoint-forgets-early-deltas': { checkpoint: (state) => ({ ...state, applied: state.applied.map((a) => ({ ...a, above: [] })) }) },
  /** Parity never checkpoints its journal: it grows with every write, and nothing else goes wrong (a mutant that survived every check, docs/MUTATION.md). */
  'parity-never-checkpoints': { checkpoints: false },
} satisfies Record<string, Partial<Seam>>;

export type PlantedBug = keyof typeof PLANTS;

export const PLANTED_BUGS = Object.keys(PLANTS) as readonly PlantedBug[];

export type PlantedBugs = ReadonlySet<PlantedBug>;

export const NO_BUGS: PlantedBugs = new Set();

/** The seam with `bugs` planted (HONEST without any). */
export function seamFor(bugs: PlantedBugs): Seam {
  let seam = HONEST;
  for (const bug of bugs) seam = { ...seam, ...(PLANTS[bug] as Partial<Seam>) };
  return seam;
}
