// Port: an unreliable datagram transport between named nodes.
//
// A message may be lost, duplicated, delayed or reordered; the transport never
// retransmits or deduplicates (that is the protocol's job). Implementations copy
// the message on send, so the sender may reuse its buffers.
import type { Message } from '../protocol/messages.js';

export type NodeId = string;

/** A handler may be async; a rejection is a controller crash. */
export type MessageHandler = (from: NodeId, message: Message) => void | Promise<void>;

export interface Transport {
  readonly self: NodeId;
  send(to: NodeId, message: Message): void;
  /** Installs the one handler for messages to `self` (replaces any earlier one). */
  listen(handler: MessageHandler): void;
}
