// What the node runtime asks of a node's role — a primary or the parity
// array (primary-node.ts, parity-node.ts): start, take an order, say its
// status. Its own file, so the roles do not import the runtime that holds them.
import type { AdminReply } from './admin-socket.js';

/** What is particular to a role: the controller and its orders. */
export interface RoleNode {
  /** Starts the controller and gives it the orders that stand; a primary lets its hosts' requests through. */
  begin(): Promise<void>;
  order(op: 'join' | 'leave' | 'restore' | 'rebuild'): Promise<AdminReply>;
  status(): Record<string, unknown>;
}
