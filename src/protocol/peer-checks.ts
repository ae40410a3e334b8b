// Messages from peers are input, not invariants: every field of every message
// a controller takes is checked here before it acts on it — its type for the
// receiver's role, who sent it, block numbers against the arrays' sizes, data
// lengths against the block size, flags against their few values. A message
// that fails is refused (a request gets a `refused` answer naming the reason,
// so its sender stops asking) or dropped, and marked with a probe; it never
// reaches an assertion. Assertions stay for the controller's own state.
//
// What this cannot catch is a well-formed message with plausible contents
// from a peer that impersonates another: that takes authenticated links.
import type { Message, MessageType } from './messages.js';

/** Why a peer's message was refused (the `reason` of a `refused` answer). */
export const REFUSAL = {
  /** The sender is not in the parity group (or not the parity array, at a primary). */
  'not-a-member': 1,
  /** The sender is not a node of this installation. */
  'unknown-peer': 2,
  /** A block number outside the arrays. */
  'bad-block': 3,
  /** Data of the wrong length for the block size. */
  'bad-size': 4,
  /** A field outside its values (a flag, a status, a count). */
  'bad-field': 5,
  /** A message type this node never takes in its role. */
  unexpected: 6,
} as const;

export type RefusalReason = keyof typeof REFUSAL;

const REASON_NAMES = new Map<number, RefusalReason>(Object.entries(REFUSAL).map(([name, code]) => [code, name as RefusalReason]));

export function refusalName(code: number): RefusalReason | 'unknown' {
  return REASON_NAMES.get(code) ?? 'unknown';
}

/** Requests a primary serves (each answerable with `refused`). */
const PRIMARY_REQUESTS: ReadonlySet<MessageType> = new Set(['copy-request', 'join-copy-request', 'repair-request', 'restore-data', 'restore-complete', 'join-complete']);
/** Answers to a primary's own requests (matched by id). */
const PRIMARY_ANSWERS: ReadonlySet<MessageType> = new Set(['restore-begin', 'reconstruct-reply', 'join-begin', 'leave-complete', 'refused']);
/** Requests the parity array serves. */
const PARITY_REQUESTS: ReadonlySet<MessageType> = new Set(['join-request', 'leave-request', 'restore-request', 'reconstruct-request']);
/** Answers to parity's own requests (matched by id). */
const PARITY_ANSWERS: ReadonlySet<MessageType> = new Set(['copy-reply', 'restore-ack', 'join-copy', 'join-ack', 'repair-done', 'refused']);

/** Does this message ask for an answer (so a refusal can be sent back)? */
export function isRequest(message: Message): boolean {
  return PRIMARY_REQUESTS.has(message.type) || PARITY_REQUESTS.has(message.type);
}

/** Is this message an answer to a request (matched by its id)? */
export function isAnswer(message: Message): boolean {
  return PRIMARY_ANSWERS.has(message.type) || PARITY_ANSWERS.has(message.type);
}

/** The refusal to send for `message`, if it is a request (a message that is not gets no answer). */
export function refusalFor(message: Message, reason: RefusalReason): Extract<Message, { type: 'refused' }> | undefined {
  return isRequest(message) && 'id' in message ? { type: 'refused', id: message.id, reason: REFUSAL[reason] } : undefined;
}

/** What a primary knows to check a message from parity against. */
export interface PrimaryView {
  readonly blockCount: number;
  readonly blockBytes: number;
}

/** Checks a message arriving at a primary (already known to come from its parity array). */
export function checkAtPrimary(m: Message, v: PrimaryView): RefusalReason | undefined {
  const block = (k: number) => (k < v.blockCount ? undefined : 'bad-block');
  switch (m.type) {
    case 'build-request':
      if (m.first >= v.blockCount) return 'bad-block';
      return m.count >= 1 && m.count <= 1 << 20 ? undefined : 'bad-field';
    case 'delta-ack':
      if (m.seq < 1) return 'bad-field';
      return block(m.block);
    case 'copy-request':
    case 'join-copy-request':
      return block(m.block);
    case 'repair-request':
      return m.lost > 1 ? 'bad-field' : block(m.block);
    case 'restore-data':
      if (m.lost > 1) return 'bad-field';
      if (m.data.length !== (m.lost === 1 ? 0 : v.blockBytes)) return 'bad-size';
      return block(m.block);
    case 'reconstruct-reply':
      if (m.lost > 1) return 'bad-field';
      if (m.data.length !== (m.lost === 1 ? 0 : v.blockBytes)) return 'bad-size';
      return block(m.block);
    case 'refused':
      return REASON_NAMES.has(m.reason) ? undefined : 'bad-field';
    case 'restore-complete':
    case 'restore-begin':
    case 'join-begin':
    case 'leave-complete':
    case 'join-complete':
      return undefined;
    default:
      return 'unexpected'; // a primary never takes what primaries send
  }
}

/** What the parity array knows to check a message from a member against. */
export interface ParityView {
  /** Parity's own size: no block number reaches past it. */
  readonly blockCount: number;
  readonly blockBytes: number;
  /** The sender's size if it is a member (or joining, or leaving); undefined if not. */
  readonly senderBlocks: number | undefined;
  /** Is the sender a node of this installation (one of the primaries it knows)? */
  readonly knownPeer: boolean;
  /** hardened numbers its deltas from 1 (literal sends 0). */
  readonly hardened: boolean;
}

/** A block of the sending member's, and of parity's. */
function memberBlock(v: ParityView, k: number): RefusalReason | undefined {
  return v.senderBlocks !== undefined && k < v.senderBlocks && k < v.blockCount ? undefined : 'bad-block';
}

/** A copy: a whole block, or none (empty: the member could not read it). */
function copyLength(v: ParityView, data: Uint8Array): RefusalReason | undefined {
  return data.length === 0 || data.length === v.blockBytes ? undefined : 'bad-size';
}

/** Checks a message arriving at the parity array. Answers to its own requests are checked by shape only (the request fixed the rest). */
export function checkAtParity(m: Message, v: ParityView): RefusalReason | undefined {
  const member = v.senderBlocks !== undefined;
  switch (m.type) {
    case 'join-request':
      if (!v.knownPeer) return 'unknown-peer';
      return m.blockCount >= 1 && m.blockCount <= v.blockCount ? undefined : 'bad-field';
    case 'leave-request':
      return v.knownPeer ? undefined : 'unknown-peer';
    case 'restore-request':
      if (!member) return 'not-a-member';
      return m.resume <= 1 ? undefined : 'bad-field';
    case 'reconstruct-request':
      if (!member) return 'not-a-member';
      return memberBlock(v, m.block);
    case 'delta':
      if (!member) return 'not-a-member';
      if (v.hardened && m.seq < 1) return 'bad-field';
      if (m.data.length !== v.blockBytes) return 'bad-size';
      return memberBlock(v, m.block);
    case 'block-copy':
      if (!member) return 'not-a-member';
      return copyLength(v, m.data) ?? memberBlock(v, m.block);
    case 'copy-reply':
      if (m.status > 4) return 'bad-field';
      return m.status === 2 ? (m.data.length === 0 ? undefined : 'bad-size') : m.data.length === v.blockBytes ? undefined : 'bad-size';
    case 'join-copy':
      return copyLength(v, m.data);
    case 'refused':
      return REASON_NAMES.has(m.reason) ? undefined : 'bad-field';
    case 'restore-ack':
    case 'join-ack':
    case 'repair-done':
      return undefined;
    default:
      return 'unexpected'; // parity never takes what parity sends
  }
}
