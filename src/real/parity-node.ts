// The parity array's node: the built-in parity controller over the node's
// ports, configured with the group it was installed for (node-orders.ts) and
// every primary of the cluster file as a peer. A replaced parity array was
// installed with every member joining; its controller merges them all, each
// reported `joined` as it is done, and the node keeps the rebuild ordered
// until the last one is.
import { builtinControllers } from '../builtin-controllers.js';
import type { ParityRole } from '../controller-api.js';
import type { AdminReply } from './admin-socket.js';
import type { ParitySpec } from './cluster-config.js';
import type { ParityOrders } from './node-orders.js';
import type { RoleNode, RoleSetup } from './role-node.js';

export type ParityNodeSetup = RoleSetup<ParitySpec, ParityOrders>;

export class ParityNode implements RoleNode {
  readonly #s: ParityNodeSetup;
  readonly #role: ParityRole;
  /** Joins and leaves reported in this life. */
  readonly #joined: string[] = [];
  readonly #left: string[] = [];

  constructor(setup: ParityNodeSetup) {
    this.#s = setup;
    const { cluster, orders } = setup;
    this.#role = builtinControllers().parity(
      { ...setup.ports, report: { joined: (member) => void this.#merged(member), left: (member) => this.#gone(member) } },
      { protocol: cluster.protocol, retransmit: cluster.retransmit, members: orders.current.installed, peers: cluster.primaries.map((p) => p.name) },
    );
  }

  async begin(): Promise<void> {
    this.#role.start();
    const pending = this.#s.orders.current.rebuild;
    if (pending.length === 0) return;
    this.#s.log(`rebuild of this replaced parity array under way: merging ${pending.join(', ')}`);
    this.#role.rebuild(); // hardened: start() already resumed the merges; literal: builds Q again
  }

  async order(op: 'join' | 'leave' | 'restore' | 'rebuild'): Promise<AdminReply> {
    const name = this.#s.spec.name;
    if (op !== 'rebuild') return { ok: false, error: `${name} is the parity array: ${op} is a primary's order` };
    if (this.#s.orders.current.rebuild.length === 0) return { ok: false, error: `${name}: no rebuild to order (this parity array was not replaced, or its rebuild is done)` };
    this.#role.rebuild();
    return { ok: true };
  }

  status(): Record<string, unknown> {
    const o = this.#s.orders.current;
    return { installed: o.installed.map((m) => m.name), rebuildPending: o.rebuild, joinedNow: this.#joined, leftNow: this.#left };
  }

  async #merged(member: string): Promise<void> {
    this.#joined.push(member);
    const { orders, log } = this.#s;
    const rebuild = orders.current.rebuild;
    if (!rebuild.includes(member)) return log(`${member} joined: Q holds every block of it`);
    await orders.update({ rebuild: rebuild.filter((m) => m !== member) });
    log(`${member} merged into the rebuilt parity array`);
    if (orders.current.rebuild.length === 0) log('rebuild done: Q holds every member');
  }

  #gone(member: string): void {
    this.#left.push(member);
    this.#s.log(`${member} left: Q holds nothing of it`);
  }
}
