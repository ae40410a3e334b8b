// A primary array's node: the built-in primary controller over the node's
// ports, serving its host (any NBD client) on the node's NBD export, and the operator's
// standing orders (node-orders.ts) — a restore after the array was replaced,
// a join, a leave — given at every start until done, as the simulator's
// operator gives them (sim/world/operator.ts).
//
// A restore is done when the controller reports it. A join or a leave is done
// when parity says so, and parity says so to this node only in its protocol
// messages: `join-complete` (Q holds every block of ours) and `leave-complete`
// (Q holds none). The node watches for them on their way to the controller
// and records the new membership durably *before* handing them on — the
// controller answers `join-complete` with the ack that lets parity journal
// the join as done, so a crash in between leaves the order standing and
// parity asking again, never a join done that the node forgot.
import { builtinControllers } from '../builtin-controllers.js';
import type { PrimaryRole } from '../controller-api.js';
import type { Transport } from '../ports/transport.js';
import type { AdminReply } from './admin-socket.js';
import type { PrimarySpec } from './cluster-config.js';
import type { BlockTarget } from './nbd-export.js';
import type { PrimaryOrders } from './node-orders.js';
import type { RoleNode, RoleSetup } from './role-node.js';

export interface PrimaryNodeSetup extends RoleSetup<PrimarySpec, PrimaryOrders> {
  /** Hands the host operations to the NBD export (listening already; its requests wait for this). */
  readonly attach: (target: BlockTarget) => void;
}

export class PrimaryNode implements RoleNode {
  readonly #s: PrimaryNodeSetup;
  readonly #role: PrimaryRole;
  #lost = 0;
  /** The last membership change being written: a duplicate of the message that caused it waits for it too. */
  #membershipWritten: Promise<void> = Promise.resolve();

  constructor(setup: PrimaryNodeSetup) {
    this.#s = setup;
    const { cluster, orders } = setup;
    const m = orders.current.membership;
    this.#role = builtinControllers().primary(
      {
        ...setup.ports,
        transport: this.#watched(setup.ports.transport),
        report: {
          blockLost: (block) => {
            this.#lost++;
            setup.log(`block ${block} reported lost: its reads fail until the host writes it again`);
          },
          restored: () => void this.#restored(),
        },
      },
      {
        protocol: cluster.protocol,
        retransmit: cluster.retransmit,
        parity: cluster.parity.name,
        member: m === 'member' || m === 'leaving',
        left: m === 'outside',
        ackPolicy: cluster.ackPolicy,
      },
    );
  }

  /** Starts the controller, gives it the orders that stand, then lets the NBD export's requests through. */
  async begin(): Promise<void> {
    const { spec, orders, log } = this.#s;
    this.#role.start();
    const o = orders.current;
    if (o.restore) log('restore from parity ordered (a replacement array): under way');
    if (o.restore) this.#role.restore();
    if (o.membership === 'joining') this.#role.join();
    if (o.membership === 'leaving') this.#role.leave();
    this.#s.attach({ blockBytes: this.#s.cluster.blockBytes, blockCount: spec.blocks, read: (k) => this.#role.hostRead(k), write: (k, d) => this.#role.hostWrite(k, d) });
  }

  async order(op: 'join' | 'leave' | 'restore' | 'rebuild'): Promise<AdminReply> {
    const { orders, spec, log } = this.#s;
    const m = orders.current.membership;
    if (op === 'join') {
      if (m !== 'outside') return { ok: false, error: `${spec.name} is ${m}: only a primary outside the group can join` };
      await orders.update({ membership: 'joining' });
      log('join ordered');
      this.#role.join();
    } else if (op === 'leave') {
      if (m !== 'member') return { ok: false, error: `${spec.name} is ${m}: only a member can leave` };
      await orders.update({ membership: 'leaving' });
      log('leave ordered: host writes are refused from now on');
      this.#role.leave();
    } else if (op === 'restore') {
      if (!orders.current.restore) return { ok: false, error: `${spec.name}: no restore to order (its array was not replaced, or its restore is done)` };
      this.#role.restore(); // ordered again: the controller resumes the one under way
    } else {
      return { ok: false, error: `${spec.name} is a primary: rebuild is parity's order` };
    }
    return { ok: true };
  }

  status(): Record<string, unknown> {
    const o = this.#s.orders.current;
    return {
      membership: o.membership,
      restoring: o.restore,
      lostReported: this.#lost,
    };
  }

  async #restored(): Promise<void> {
    await this.#s.orders.update({ restore: false });
    this.#s.log('restore done: every block back from parity (or reported lost)');
  }

  /** The node's transport, with parity's join-complete and leave-complete recorded in the orders before the controller sees them. */
  #watched(transport: Transport): Transport {
    const { orders, log, cluster } = this.#s;
    return {
      self: transport.self,
      send: (to, message) => transport.send(to, message),
      listen: (handler) =>
        transport.listen((from, message) => {
          if (from !== cluster.parity.name || (message.type !== 'join-complete' && message.type !== 'leave-complete')) return handler(from, message);
          const m = orders.current.membership;
          const done = message.type === 'join-complete' && m === 'joining' ? 'member' : message.type === 'leave-complete' && m === 'leaving' ? 'outside' : undefined;
          if (done !== undefined) {
            const said = done === 'member' ? 'join done: parity holds every block of this array' : 'leave done: parity holds nothing of this array';
            this.#membershipWritten = orders.update({ membership: done }).then(() => log(said));
          }
          // A retransmission of the message whose change is still being written waits for it as well.
          return this.#membershipWritten.then(() => handler(from, message));
        }),
    };
  }
}
