// A primary's place in the parity group: whether it is a member, joining it
// (claim 3: parity merges our blocks into Q) and leaving it (parity XORs them
// out). It counts as a member from the moment it is told to join, and stops
// taking host writes the moment it is told to leave. Each order supersedes the
// last: a join request still being resent is dropped once a leave is ordered.
import type { Clock } from '../ports/clock.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId } from '../ports/transport.js';
import { type Rpc, isRefused } from '../protocol/rpc.js';
import { assert } from '../util/assert.js';
import type { VerifiedDisk } from '../util/verified-disk.js';
import type { Outbox } from './outbox.js';
import type { RestoreState } from './restore-state.js';

interface MembershipDeps {
  readonly name: NodeId;
  readonly clock: Clock;
  readonly rpc: Rpc;
  readonly parity: NodeId;
  readonly outbox: Outbox;
  readonly restore: RestoreState;
  readonly probe: Probe;
  /** In the group when it starts (false: outside until join()). */
  readonly member: boolean;
  /** Outside the group and not joining it: it left (the platform knows). */
  readonly left: boolean;
  readonly disk: VerifiedDisk;
  /** Resolves once journal recovery (and a restore's handshake) is done. */
  readonly ready: () => Promise<void>;
  /** Resolves once the restore under way is complete. */
  readonly restored: () => Promise<void>;
  /** Parity has taken us out of the group. */
  readonly departed: () => void;
}

export class Membership {
  readonly #d: MembershipDeps;
  #member: boolean;
  #leaving = false;
  /** Join and leave orders so far: a join request is resent only while its order is the latest. */
  #orders = 0;

  constructor(deps: MembershipDeps) {
    this.#d = deps;
    this.#member = deps.member;
  }

  /** In the group now (a member, or one leaving, or one joining). */
  get member(): boolean {
    return this.#member;
  }

  /** Told to leave: host writes are refused from now on. */
  get leaving(): boolean {
    return this.#leaving;
  }

  /** Outside the group and not joining it again: its journal's deltas are owed to no parity array. */
  get gone(): boolean {
    return this.#d.left && !this.#member;
  }

  /**
   * Join the parity group (claim 3): parity merges our blocks into Q. We count
   * as a member from this moment: every write from now on sends its delta, and
   * every earlier one is in the copies parity takes (under the block lock).
   */
  join(): void {
    const d = this.#d;
    assert(!this.#member, `${d.name}: already a member`);
    this.#member = true;
    // A member again after a leave: host writes are taken again (a restarted controller starts so anyway).
    this.#leaving = false;
    const asked = ++this.#orders;
    d.outbox.rejoin();
    const blockCount = d.disk.blockCount;
    d.clock.spawn('join', async () => {
      // Asked until answered — but not once we are leaving: a join request still being resent after the
      // leave completed made parity merge a member that had left back into Q (generated seed 1927).
      const answer = await d.rpc.call(d.parity, 'join-begin', (id) => ({ type: 'join-request', id, blockCount }), () => this.#member && asked === this.#orders);
      if (isRefused(answer)) {
        d.probe.hit('request-refused'); // parity will not have us (larger than it, or unknown to it): we stay outside
        this.#member = false;
      }
    });
  }

  /**
   * Leave the parity group (the array is being decommissioned): refuse host
   * writes from now on (reads go on), let pending deltas drain, and ask parity
   * to XOR our blocks out of Q.
   */
  leave(): void {
    const d = this.#d;
    assert(this.#member, `${d.name}: not a member`);
    this.#leaving = true;
    this.#orders++; // a join still being asked for is not wanted any more
    d.clock.spawn('leave', async () => {
      // Restored first (recovery tells whether a restore is under way):
      // parity would take out of Q blocks not back yet, and they would be lost.
      await d.ready();
      if (d.restore.active) {
        d.probe.hit('leave-waited-for-restore');
        await d.restored();
      }
      const answer = await d.rpc.call(d.parity, 'leave-complete', (id) => ({ type: 'leave-request', id }));
      if (isRefused(answer)) return void d.probe.hit('request-refused');
      this.#member = false;
      d.outbox.abandon();
      d.departed();
    });
  }
}
