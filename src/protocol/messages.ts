// The messages primaries and the parity array exchange, and their wire layout.
//
// Every message is about block numbers, which are the same in every array
// (claim 1: "said first block numbers are identical to said second block
// numbers"). Field specs drive one generic codec, so adding a message is one
// entry here.

export type Message =
  /** parity → primary: send copies of your blocks [first, first+count) (build, claims 1/6/11). */
  | { readonly type: 'build-request'; readonly first: number; readonly count: number }
  /** primary → parity: a copy of block `block` (build). */
  | { readonly type: 'block-copy'; readonly block: number; readonly data: Uint8Array }
  /**
   * primary → parity: d = new ^ old for block `block` (update, claims 2/7/12).
   * `seq` numbers the sender's deltas from 1 (hardened: acked, retransmitted,
   * deduplicated); the literal protocol sends 0 and expects no ack.
   * `replaces` = 1 (hardened): the write replaced a block the member had
   * reported lost — its delta is against zeros, and parity forgets the loss.
   */
  | { readonly type: 'delta'; readonly block: number; readonly epoch: number; readonly seq: number; readonly replaces: number; readonly data: Uint8Array }
  /**
   * parity → primary: delta `seq` of `epoch` (for `block`) is applied and
   * durable (hardened). The epoch tells a restored array's delta N from its
   * earlier life's delta N, whose ack may still be on its way.
   */
  | { readonly type: 'delta-ack'; readonly block: number; readonly epoch: number; readonly seq: number }
  /**
   * primary → parity: I lost my data, give it back (restore, claims 5/10/15).
   * `resume` = 0: a new, empty array (its journal's sequence numbers restart):
   * parity answers with a new epoch and forgets the old numbers. `resume` = 1:
   * a restore interrupted by a crash goes on in the same `epoch`.
   * `session` numbers the restore; restore-data of another session is stale.
   */
  | { readonly type: 'restore-request'; readonly id: number; readonly epoch: number; readonly resume: number }
  | { readonly type: 'restore-begin'; readonly id: number; readonly epoch: number; readonly session: number }
  /** parity → other primaries: send a copy of `block` (restore, degraded read). */
  | { readonly type: 'copy-request'; readonly id: number; readonly block: number }
  /**
   * primary → parity: the copy. `status`: 0 = consistent (no delta for the
   * block awaiting parity's ack), 1 = a delta for it is still unacknowledged,
   * 2 = cannot read it (damaged, not restored yet, being repaired), 3 = the
   * block is lost: `data` is the zeros Q counts for it, 4 = as 3, its zeros
   * found damaged and written again just now (the scrub's pass is not
   * clean: a rewrite may go astray) (hardened).
   */
  | { readonly type: 'copy-reply'; readonly id: number; readonly block: number; readonly status: number; readonly data: Uint8Array }
  /** parity → restoring primary: R[k] = Q[k] ^ XOR(others' k); `lost` = 1 if it cannot be rebuilt. */
  | { readonly type: 'restore-data'; readonly id: number; readonly session: number; readonly block: number; readonly lost: number; readonly data: Uint8Array }
  | { readonly type: 'restore-ack'; readonly id: number; readonly block: number }
  /** parity → restoring primary: every block of restore `session` has been sent (a stale session's is ignored). */
  | { readonly type: 'restore-complete'; readonly id: number; readonly session: number }
  /**
   * new primary → parity: add me to the group (join, claims 3/8/13). hardened:
   * parity answers `join-begin` with the epoch for my deltas (their numbers
   * start at my journal's), then merges my blocks into Q one by one.
   */
  | { readonly type: 'join-request'; readonly id: number; readonly blockCount: number }
  | { readonly type: 'join-begin'; readonly id: number; readonly epoch: number }
  /**
   * parity → joining primary: your copy of `block`, to XOR into Q. The reply
   * (join-copy) says up to which delta number the copy reflects: deltas for
   * the block up to there are already in it — and the member's epoch (a
   * rebuilt parity array learns it so).
   */
  | { readonly type: 'join-copy-request'; readonly id: number; readonly block: number }
  | { readonly type: 'join-copy'; readonly id: number; readonly block: number; readonly epoch: number; readonly reflectsUpTo: number; readonly data: Uint8Array }
  /** parity → joining primary: every block is merged; you are a full member. */
  | { readonly type: 'join-complete'; readonly id: number }
  | { readonly type: 'join-ack'; readonly id: number }
  /**
   * primary → parity: take me out of the group (leave: the array is being
   * decommissioned). Parity XORs every block of it out of Q (fetching copies
   * with copy-request), then answers leave-complete.
   */
  | { readonly type: 'leave-request'; readonly id: number }
  | { readonly type: 'leave-complete'; readonly id: number }
  /** restoring primary → parity: rebuild block `block` for me now (degraded read, write to an unrestored block). */
  | { readonly type: 'reconstruct-request'; readonly id: number; readonly block: number }
  | { readonly type: 'reconstruct-reply'; readonly id: number; readonly block: number; readonly lost: number; readonly data: Uint8Array }
  /**
   * parity → member: your copy of `block` is bad or missing (the scrub found
   * it so, or a stripe being re-protected has no copy of yours): if it still
   * is, rebuild it from parity — or learn from parity that it is lost, and
   * hold zeros for it. Idempotent: a copy good again is left alone.
   */
  /** `lost` = 1: parity holds the member's block lost (it learns so, and zero-fills); 0: rebuild it if it is bad. */
  | { readonly type: 'repair-request'; readonly id: number; readonly block: number; readonly lost: number }
  | { readonly type: 'repair-done'; readonly id: number; readonly block: number }
  /**
   * either → either: request `id` is refused — the message failed the
   * receiver's checks (src/protocol/peer-checks.ts: `reason` says which), so
   * asking again is pointless.
   */
  | { readonly type: 'refused'; readonly id: number; readonly reason: number };

export type MessageType = Message['type'];

import type { FieldSpec } from './fields.js';

/** Wire layout per type, in order. `uint` is a safe integer, sent as 8 bytes. */
export const MESSAGE_SPECS: { readonly [T in MessageType]: FieldSpec } = {
  'build-request': [
    ['first', 'uint'],
    ['count', 'uint'],
  ],
  'block-copy': [
    ['block', 'uint'],
    ['data', 'bytes'],
  ],
  delta: [
    ['block', 'uint'],
    ['epoch', 'uint'],
    ['seq', 'uint'],
    ['replaces', 'uint'],
    ['data', 'bytes'],
  ],
  'delta-ack': [
    ['block', 'uint'],
    ['epoch', 'uint'],
    ['seq', 'uint'],
  ],
  'restore-request': [
    ['id', 'uint'],
    ['epoch', 'uint'],
    ['resume', 'uint'],
  ],
  'restore-begin': [
    ['id', 'uint'],
    ['epoch', 'uint'],
    ['session', 'uint'],
  ],
  'copy-request': [
    ['id', 'uint'],
    ['block', 'uint'],
  ],
  'copy-reply': [
    ['id', 'uint'],
    ['block', 'uint'],
    ['status', 'uint'],
    ['data', 'bytes'],
  ],
  'restore-data': [
    ['id', 'uint'],
    ['session', 'uint'],
    ['block', 'uint'],
    ['lost', 'uint'],
    ['data', 'bytes'],
  ],
  'restore-ack': [
    ['id', 'uint'],
    ['block', 'uint'],
  ],
  'restore-complete': [
    ['id', 'uint'],
    ['session', 'uint'],
  ],
  'join-request': [
    ['id', 'uint'],
    ['blockCount', 'uint'],
  ],
  'join-begin': [
    ['id', 'uint'],
    ['epoch', 'uint'],
  ],
  'join-copy-request': [
    ['id', 'uint'],
    ['block', 'uint'],
  ],
  'join-copy': [
    ['id', 'uint'],
    ['block', 'uint'],
    ['epoch', 'uint'],
    ['reflectsUpTo', 'uint'],
    ['data', 'bytes'],
  ],
  'join-complete': [['id', 'uint']],
  'join-ack': [['id', 'uint']],
  'leave-request': [['id', 'uint']],
  'leave-complete': [['id', 'uint']],
  'reconstruct-request': [
    ['id', 'uint'],
    ['block', 'uint'],
  ],
  'reconstruct-reply': [
    ['id', 'uint'],
    ['block', 'uint'],
    ['lost', 'uint'],
    ['data', 'bytes'],
  ],
  'repair-request': [
    ['id', 'uint'],
    ['block', 'uint'],
    ['lost', 'uint'],
  ],
  'repair-done': [
    ['id', 'uint'],
    ['block', 'uint'],
  ],
  refused: [
    ['id', 'uint'],
    ['reason', 'uint'],
  ],
};

export const MESSAGE_TYPES = Object.keys(MESSAGE_SPECS) as MessageType[];

/** The block a message is about, if it is about exactly one. */
export function blockOf(message: Message): number | undefined {
  return 'block' in message ? message.block : undefined;
}
