// What the node runtime asks of a node's role — a primary or the parity
// array (primary-node.ts, parity-node.ts): start, take an order, say its
// status. Its own file, so the roles do not import the runtime that holds them.
import type { ControllerPorts } from '../controller-api.js';
import type { AdminReply } from './admin-socket.js';
import type { ClusterConfig } from './cluster-config.js';
import type { Orders, OrdersFile } from './node-orders.js';

/** What a role is built from: the cluster, its own entry in it, its ports, its standing orders, its log. */
export interface RoleSetup<Spec, O extends Orders> {
  readonly cluster: ClusterConfig;
  readonly spec: Spec;
  readonly ports: ControllerPorts;
  readonly orders: OrdersFile<O>;
  readonly log: (text: string) => void;
}

/** What is particular to a role: the controller and its orders. */
export interface RoleNode {
  /** Starts the controller and gives it the orders that stand; a primary lets its hosts' requests through. */
  begin(): Promise<void>;
  order(op: 'join' | 'leave' | 'restore' | 'rebuild'): Promise<AdminReply>;
  status(): Record<string, unknown>;
}
