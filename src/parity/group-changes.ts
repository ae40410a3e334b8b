// The parity group's changes, each journaled before it counts: a member
// joining (claim 3: admitted, its blocks merged by joiner.ts, then counted),
// leaving (its blocks taken out of Q by leaver.ts, then forgotten), and the
// handshake that begins a member's restore (its epoch settled, a restore
// session begun by restorer.ts). A request asked again — by a retransmission
// or by the member's next life — joins the change under way, or gets the
// answer already given.
import type { Clock } from '../ports/clock.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { MemberState } from '../protocol/parity-journal.js';
import { type Rpc, bootOf } from '../protocol/rpc.js';
import { assert } from '../util/assert.js';
import type { Group } from './group.js';
import type { Joiner } from './joiner.js';
import type { Leaver } from './leaver.js';
import type { Member } from './member.js';
import type { ParityLog } from './parity-log.js';
import type { Restorer } from './restorer.js';

interface GroupChangesDeps {
  readonly name: NodeId;
  /** Parity's own size: no member may be larger. */
  readonly blockCount: number;
  readonly group: Group;
  readonly log: ParityLog;
  readonly joiner: Joiner;
  readonly leaver: Leaver;
  readonly restorer: Restorer;
  readonly rpc: Rpc;
  readonly net: Transport;
  readonly clock: Clock;
  readonly probe: Probe;
  /** Resolves once journal recovery is done (the group is whole). */
  readonly ready: () => Promise<void>;
  /** A join is complete (every block merged, journaled): the platform is told. */
  readonly joined: (member: NodeId) => void;
  /** A leave is complete: the platform is told. */
  readonly left: (member: NodeId) => void;
}

export class GroupChanges {
  readonly #d: GroupChangesDeps;
  /** Joins under way: each resolves once the member is journaled as a member. */
  readonly #joins = new Map<NodeId, Promise<void>>();
  /** Leaves under way. */
  readonly #departing = new Map<NodeId, Promise<void>>();
  /** Joins whose membership record is being journaled. */
  readonly #admitting = new Map<NodeId, Promise<void>>();
  /** Per member: the last restore request answered, so a retransmitted one gets the same answer. */
  readonly #lastBegin = new Map<NodeId, { id: number; epoch: number; session: number }>();
  /** Per member: the highest boot number a restore request came from (rpc.ts bootOf). */
  readonly #restoreBoots = new Map<NodeId, number>();

  constructor(deps: GroupChangesDeps) {
    this.#d = deps;
  }

  /** A member is decommissioned: XOR it out of Q, then forget it. */
  async leave(member: NodeId, id: number): Promise<void> {
    await this.#d.ready();
    const m = this.#d.group.members.get(member);
    if (m !== undefined) {
      // One removal however many requests (the member's next life asks again): each is answered when it is done.
      let departed = this.#departing.get(member);
      if (departed === undefined) {
        departed = (async () => {
          // A member still joining (a new parity array merges every member) leaves once it has joined.
          const joining = this.#joins.get(member);
          if (joining !== undefined) {
            this.#d.probe.hit('leave-waited-for-join');
            await joining;
          }
          if (this.#d.group.state(member) !== 'leaving') await this.#changeState(m, 'leaving');
          await this.#d.leaver.remove(m);
          await this.#changeState(m, 'left');
          assert(!this.#d.group.members.has(member), `${this.#d.name}: ${member} left but is still in the group`);
          this.#departing.delete(member);
          this.#d.left(member);
        })();
        this.#departing.set(member, departed);
      }
      await departed;
    }
    this.#d.net.send(member, { type: 'leave-complete', id });
  }

  /** A new member (claim 3): add it (journaled), then merge its blocks into Q (joiner.ts). */
  async beginJoin(member: NodeId, id: number, blockCount: number): Promise<void> {
    await this.#d.ready();
    // A request of the member's next life may come while the first is being journaled: it waits for that.
    if (!this.#d.group.members.has(member) && !this.#admitting.has(member)) {
      assert(blockCount <= this.#d.blockCount, `${this.#d.name}: ${member} (${blockCount} blocks) is larger than parity`);
      const m = { name: member, blockCount };
      const admitted = this.#changeState(m, 'joining').then(() => {
        this.#admitting.delete(member);
        this.startJoin(m);
      });
      this.#admitting.set(member, admitted);
    }
    await this.#admitting.get(member);
    this.#d.net.send(member, { type: 'join-begin', id, epoch: this.#d.group.epochs.get(member) ?? 0 });
  }

  /** Merges (or goes on merging) `m`; once all is in Q, it is told, and the join is journaled as complete. */
  startJoin(m: Member): void {
    assert(!this.#joins.has(m.name), `${this.#d.name}: join of ${m.name} started twice`);
    let joined: () => void = () => {};
    this.#joins.set(m.name, new Promise((resolve) => (joined = resolve)));
    this.#d.joiner.begin(m, () => {
      this.#d.clock.spawn(`joined ${m.name}`, async () => {
        await this.#d.rpc.call(m.name, 'join-ack', (id) => ({ type: 'join-complete', id }));
        await this.#changeState(m, 'member');
        this.#joins.delete(m.name);
        joined();
        this.#d.joined(m.name);
      });
    });
  }

  /** A member lost its data: settle its epoch, then stream its blocks back. */
  async beginRestore(member: NodeId, id: number, epoch: number, resume: boolean): Promise<void> {
    await this.#d.ready();
    // A request of an earlier start of the member, late (a dead life's retransmission): a new epoch
    // for it would void the live life's, whose deltas would then be dropped as stale for ever (stale-life seed 2).
    // The boot that began the member's epoch is journaled: a crash of ours must not let such a request through.
    const boot = bootOf(id);
    const began = this.#d.group.restoreRequests.get(member);
    if (boot < Math.max(this.#restoreBoots.get(member) ?? 0, began === undefined ? 0 : bootOf(began))) return void this.#d.probe.hit('stale-restore-request-ignored');
    this.#restoreBoots.set(member, boot);
    const last = this.#lastBegin.get(member);
    if (last !== undefined && last.id === id) {
      this.#d.net.send(member, { type: 'restore-begin', ...last }); // our answer was lost
      return;
    }
    let current = this.#d.group.epochs.get(member) ?? 0;
    if (began === id) {
      // The request that began this epoch, retransmitted: our answer died with our last life. The epoch stands.
      this.#d.probe.hit('restore-request-answered-again');
    } else if (resume && epoch > current) {
      // A resume in an epoch we have not heard of: a rebuilt parity array that has not merged the
      // member yet. Its numbering goes on in that epoch (bumping it left the member sending the
      // old one, every delta dropped as stale for ever).
      await this.#d.log.append({ kind: 'epoch', member, epoch, request: id });
      this.#d.group.newEpoch(member, epoch, id);
      current = epoch;
    } else if (!resume || epoch !== current) {
      // A new journal: its sequence numbers restart, so forget the old ones.
      current = Math.max(current, epoch) + 1;
      await this.#d.log.append({ kind: 'epoch', member, epoch: current, request: id });
      this.#d.group.newEpoch(member, current, id);
    }
    // A new journal's numbering starts above every epoch either side has known.
    assert(current >= epoch, `${this.#d.name}: ${member} restored in epoch ${current}, below its ${epoch}`);
    const session = this.#d.restorer.begin(this.#d.group.members.get(member)!);
    const begin = { id, epoch: current, session };
    this.#lastBegin.set(member, begin);
    this.#d.net.send(member, { type: 'restore-begin', ...begin });
  }

  /** Journals that `m` is now in `state`, then makes it so. */
  async #changeState(m: Member, state: MemberState): Promise<void> {
    await this.#d.log.append({ kind: 'member', name: m.name, blockCount: m.blockCount, state });
    this.#d.group.set(m.name, state, m.blockCount);
  }
}
