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
   */
  | { readonly type: 'delta'; readonly block: number; readonly seq: number; readonly data: Uint8Array }
  /** parity → primary: delta `seq` (for `block`) is applied and durable (hardened). */
  | { readonly type: 'delta-ack'; readonly block: number; readonly seq: number };

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
    ['seq', 'uint'],
    ['data', 'bytes'],
  ],
  'delta-ack': [
    ['block', 'uint'],
    ['seq', 'uint'],
  ],
};

export const MESSAGE_TYPES = Object.keys(MESSAGE_SPECS) as MessageType[];

/** The block a message is about, if it is about exactly one. */
export function blockOf(message: Message): number | undefined {
  return 'block' in message ? message.block : undefined;
}
