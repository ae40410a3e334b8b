// The controller of the parity array, `hardened` (the `literal` one, the
// claims as written: literal-parity.ts).
//
// build (claims 1, 6, 11): builder.ts. update (claims 2, 7, 12): deltas.ts.
// Every write of Q is logged first, and so is every change of the group
// (parity-log.ts); after a crash, start() replays the log — rewrite every
// logged Q[k] in order, rebuild the applied sets, the membership and the
// progress of joins and leaves — before taking deltas again, and resumes a
// join a crash interrupted.
//
// The rest is delegated: restore and degraded reads (restorer.ts), join and a
// parity rebuild (joiner.ts), leave (leaver.ts), rebuilding an unavailable
// Q[k] (repairer.ts), the background scrub (scrubber.ts).
import type { ParityRole } from '../controller-api.js';
import type { BlockDevice, WriteResult } from '../ports/block-device.js';
import { type Buggify, NO_BUGGIFY, halted } from '../ports/buggify.js';
import type { Clock } from '../ports/clock.js';
import type { DurableLog } from '../ports/durable-log.js';
import { NO_PROBE, type Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { type ParityView, type RefusalReason, checkAtParity, isAnswer, refusalFor } from '../protocol/peer-checks.js';
import type { CheckpointState } from '../protocol/parity-journal.js';
import { NO_BUGS, type PlantedBugs, type Seam, seamFor } from '../protocol/planted-bugs.js';
import { DEFAULT_RETRANSMIT, type RetransmitOptions } from '../protocol/retransmit.js';
import { Rpc } from '../protocol/rpc.js';
import { assert } from '../util/assert.js';
import { BlockLocks } from '../util/block-locks.js';
import { RecoveryGate } from '../util/recovery-gate.js';
import { VerifiedDisk } from '../util/verified-disk.js';
import { Builder } from './builder.js';
import { Deltas } from './deltas.js';
import { Group } from './group.js';
import { GroupChanges } from './group-changes.js';
import type { Member } from './member.js';
import { Joiner } from './joiner.js';
import { Leaver } from './leaver.js';
import { Losses } from './losses.js';
import { CHECKPOINT_EVERY, ParityLog } from './parity-log.js';
import { Repairer } from './repairer.js';
import { Restorer } from './restorer.js';
import { Scrubber } from './scrubber.js';

export interface ParityDeps {
  readonly disk: BlockDevice;
  readonly transport: Transport;
  readonly clock: Clock;
  /** Deliberate mutations for the checker's self-test; empty in every normal run. */
  readonly bugs?: PlantedBugs;
  /** The group this array was installed for; `joining`: still to be merged (a new parity array rebuilds them all). */
  readonly members: readonly (Member & { readonly joining?: boolean })[];
  /** Blocks gathered per build round (bounds memory: window × blockBytes). */
  readonly buildWindow?: number;
  /** The redo journal (without one, a crash can lose or double a delta). */
  readonly journal?: DurableLog;
  /** Journal records between checkpoints (bounds the journal's length; CHECKPOINT_EVERY by default). */
  readonly checkpointEvery?: number;
  readonly retransmit?: RetransmitOptions;
  /** Code probes: marks situations reached (no effect on behaviour). */
  readonly probe?: Probe;
  /** Faults from inside the code (src/ports/buggify.ts): the simulator's; default inert. */
  readonly buggify?: Buggify;
  /** This start's boot number, increasing with every start (kept by the platform): request ids never repeat across boots. Default 0. */
  readonly boot?: number;
  /** Every primary of the installation (the operator's list): only these may ask to join. Default: anyone. */
  readonly peers?: readonly NodeId[];
}

const UNAVAILABLE = Object.freeze({ ok: false, error: 'media-error' } as const);


export class ParityController implements ParityRole {
  readonly name: NodeId;
  readonly #disk: VerifiedDisk;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #group: Group;
  readonly #locks: BlockLocks;
  /** The decisions a planted bug may change (src/protocol/planted-bugs.ts); honest in every normal run. */
  readonly #seam: Seam;
  readonly #probe: Probe;
  readonly #buggify: Buggify;
  readonly #peers: ReadonlySet<NodeId> | undefined;
  readonly #rpc: Rpc;
  readonly #log: ParityLog;
  readonly #gate = new RecoveryGate();
  readonly builder: Builder;
  readonly restorer: Restorer;
  readonly joiner: Joiner;
  readonly leaver: Leaver;
  readonly repairer: Repairer;
  readonly scrubber: Scrubber;
  /** Called when a member has left (every block XORed out of Q). */
  onLeft: ((member: NodeId) => void) | undefined;
  /** Called when a member's join is complete (every block merged). */
  onJoined: ((member: NodeId) => void) | undefined;
  /** Joins, leaves and restore handshakes (group-changes.ts). */
  readonly #changes: GroupChanges;
  /** The update path (deltas.ts). */
  readonly #deltas: Deltas;

  constructor(deps: ParityDeps) {
    this.name = deps.transport.self;
    this.#peers = deps.peers === undefined ? undefined : new Set(deps.peers);
    this.#probe = deps.probe ?? NO_PROBE;
    this.#buggify = deps.buggify ?? NO_BUGGIFY;
    const disk = (this.#disk = new VerifiedDisk(deps.disk, this.#probe, true));
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#seam = seamFor(deps.bugs ?? NO_BUGS);
    this.#locks = new BlockLocks(this.#seam.locksQ);
    const retransmit = deps.retransmit ?? DEFAULT_RETRANSMIT;
    this.#rpc = new Rpc(deps.transport, deps.clock, retransmit, deps.boot);
    this.#log = new ParityLog(deps.journal, deps.clock, this.#probe, this.#seam.checkpoints ? (deps.checkpointEvery ?? CHECKPOINT_EVERY) : Number.POSITIVE_INFINITY, () => this.#checkpointState(), () => this.#disk.flush());
    const shared = { disk, clock: deps.clock, rpc: this.#rpc, locks: this.#locks, retransmit, probe: this.#probe, buggify: this.#buggify };
    const members = () => this.#group.members.values();
    const contributes = (member: NodeId, block: number) => this.contributes(member, block);
    const repairQ = (block: number) => this.repairer.repair(block);
    const storeQ = (block: number, q: Uint8Array, found?: readonly NodeId[]) => this.#log.journaled({ kind: 'write', block, newQ: q, ...(found !== undefined && { found }) }, () => this.#disk.write(block, q));
    const ready = () => this.#gate.ready;
    const losses = new Losses();
    const declareLost = (members: readonly NodeId[], block: number, stale: boolean) => this.#declareLost(members, block, stale);
    this.builder = new Builder({ ...shared, net: deps.transport, members, window: deps.buildWindow ?? 64, repairQ, declareLost });
    this.restorer = new Restorer({ ...shared, members, contributes, losses, declareLost, owes: (block) => this.repairer.owes(block), seam: this.#seam });
    this.joiner = new Joiner({
      ...shared,
      learnEpoch: (member, epoch) => this.#group.learnEpoch(member, epoch),
      epochOf: (member) => this.#group.epochs.get(member),
      repairQ,
      storeMerge: (member, block, upTo, epoch, noCopy, newQ) => this.#storeMerge(losses, { member, block, upTo, epoch, noCopy }, newQ),
    });
    const askRepair = (member: NodeId, block: number) => this.#askRepair(losses, member, block);
    this.leaver = new Leaver({ ...shared, repairQ, askRepair, storeUnmerge: (member, block, newQ) => this.#log.journaled({ kind: 'unmerge', member, block, newQ }, () => this.#disk.write(block, newQ)) });
    this.repairer = new Repairer({
      ...shared,
      members,
      contributes,
      intact: async (block) => (await this.#disk.read(block)).ok,
      storeQ,
      ready,
      losses,
      declareLost,
      askRepair,
    });
    this.scrubber = new Scrubber({ ...shared, members, contributes, storeQ, ready, losses, declareLost, owes: (block) => this.repairer.owes(block), seam: this.#seam });
    this.#group = new Group(deps.members, this.joiner, this.leaver, losses);
    this.#deltas = new Deltas({ ...shared, name: this.name, net: deps.transport, locks: this.#locks, log: this.#log, group: this.#group, joiner: this.joiner, leaver: this.leaver, repairer: this.repairer, seam: this.#seam, ready });
    this.#changes = new GroupChanges({
      name: this.name,
      clock: deps.clock,
      rpc: this.#rpc,
      probe: this.#probe,
      blockCount: disk.blockCount,
      group: this.#group,
      log: this.#log,
      joiner: this.joiner,
      leaver: this.leaver,
      restorer: this.restorer,
      net: deps.transport,
      ready,
      joined: (member) => this.onJoined?.(member),
      left: (member) => this.onLeft?.(member),
    });
    assert(this.#group.members.size === deps.members.length, `${this.name}: duplicate member names`);
    for (const m of deps.members) {
      assert(m.blockCount <= this.#disk.blockCount, `${this.name}: member ${m.name} (${m.blockCount} blocks) larger than parity (${this.#disk.blockCount})`);
    }
  }

  /** Logs the merge of a member's block and writes the new Q[block] (empty: unavailable). */
  async #storeMerge(losses: Losses, merge: { member: NodeId; block: number; upTo: number; epoch: number; noCopy: boolean }, newQ: Uint8Array): Promise<WriteResult> {
    const { member, block, noCopy } = merge;
    assert(newQ.length === 0 || newQ.length === this.#disk.blockBytes, `${this.name}: Q[${block}] merged as ${newQ.length} bytes`);
    // A copy it could not give went in as zeros: the block is lost, in the same record.
    const record = { kind: 'merge', ...merge, noCopy: noCopy ? 1 : 0, newQ } as const;
    let stored: WriteResult = UNAVAILABLE;
    if (newQ.length > 0) stored = await this.#log.journaled(record, () => this.#disk.write(block, newQ));
    else {
      // Q[block] unavailable: the copy is owed to its recomputation from the members' copies, however
      // Q[block] reads before then — a misdirected write of zeros onto a block never written reads as
      // that block's zeros, intact, and a mere repair took it so; the scrub then rebuilt a member from
      // it (generated seed 1744). As an absorbed delta, the record is held until the debt is paid: a
      // replay owes it again (parity-log.ts).
      const release = await this.#log.held(record);
      this.repairer.recompute(block, release);
    }
    if (this.#buggify.crashes('parity-crash-after-merge')) return halted();
    if (noCopy) {
      losses.add(member, block, false); // Q took zeros for it: the others can still be rebuilt from Q[block]
      this.repairer.reprotect(block); // how the member learns it (its copy is missing there)
    } else losses.found(member, block); // a copy went in: the member holds data for it (its write replaced a loss)
    return stored;
  }

  /**
   * A member whose block parity holds lost is told so (its copy may read fine, or hold anything: Q counts its zeros);
   * a resend says so only while the loss lasts (a write of the member's may have ended it meanwhile).
   */
  // unasserted: one request, its content decided at each send.
  async #askRepair(losses: Losses, member: NodeId, block: number): Promise<void> {
    await this.#rpc.call(member, 'repair-done', (id) => ({ type: 'repair-request', id, block, lost: losses.has(member, block) ? 1 : 0 }));
  }

  /** Starts taking messages, after replaying the journal; resumes (or, on a new array, starts) the joins it finds. */
  start(): void {
    this.#net.listen((from, message) => this.#onMessage(from, message));
    if (this.#log.enabled || this.#group.joining().length > 0) {
      this.#gate.hold(this.#clock, 'recovery', async () => {
        const redo = async (block: number, q: Uint8Array) => (await this.#locks.with(block, () => this.#disk.write(block, q))).ok;
        // Blocks a logged write could not restore, or whose delta was absorbed: recomputed from the members.
        for (const block of await this.#log.recover(this.#group.replay(redo))) this.repairer.recompute(block);
        for (const block of this.#group.losses.pendingBlocks()) this.repairer.reprotect(block); // stripes a loss left unprotected
        for (const m of this.#group.joining()) {
          assert(m !== undefined, `${this.name}: the journal left a member joining without its size`);
          this.#changes.startJoin(m);
        }
        // Announced again: the previous life may have journaled the end of a join or leave and died before telling.
        for (const c of this.#group.completed.splice(0)) {
          if (c.state === 'member' && this.#group.state(c.member) === 'member') this.onJoined?.(c.member);
          if (c.state === 'left' && this.#group.state(c.member) === undefined) this.onLeft?.(c.member);
        }
        this.#log.recovered(); // the replayed records count toward the next checkpoint
      });
    }
    this.rebuildLostBlocks(); // a drive replaced while we were down
  }

  /** Rebuilds from the members every Q block the array reports lost (a replaced drive's). */
  rebuildLostBlocks(): void {
    for (const block of this.#disk.lostBlocks()) this.repairer.repair(block);
    this.#log.retryCheckpoint(); // the array can flush again: a checkpoint its failed drive left untrimmed trims now
  }

  /** Scrubs Q in the background, one block every `intervalUs` (scrubber.ts). */
  startScrub(intervalUs: number): void {
    this.scrubber.start(intervalUs);
  }

  /** The load is over: the scrub does whole passes until one finds nothing to repair (and skips no stripe), then stops. */
  finishScrub(): Promise<void> {
    return this.scrubber.finish();
  }

  busy(block: number): boolean {
    return this.#gate.busy || this.joiner.merging(block) || this.repairer.repairing(block) || this.builder.building(block) || this.#locks.busy(block);
  }

  /** Computes every Q[k] from the members' copies (claim 1). */
  build(): Promise<void> {
    return this.builder.build();
  }

  /**
   * This parity array is new and empty (the old one was lost): rebuild Q from
   * every member while their hosts keep writing (H10). It was installed with
   * every member joining (ParityDeps.members), so start() merges them all
   * (each block with a copy that says which deltas it reflects: joiner.ts):
   * nothing is left to do here.
   */
  rebuild(): void {
    assert(this.#group.joining().length > 0 || this.#group.members.size === 0, `${this.name}: rebuilt without a member to merge (installed with every member joining)`);
  }

  /** What a checkpoint keeps of the group: all of it (a planted bug drops some). */
  #checkpointState(): CheckpointState {
    const state = this.#group.snapshot();
    return this.#seam.checkpoint(state);
  }

  /** Does Q[block] include `member`'s data (false for a joining member's blocks not merged yet)? */
  /** Deltas dropped as duplicates. */
  get duplicatesDropped(): number {
    return this.#deltas.duplicatesDropped;
  }

  contributes(member: NodeId, block: number): boolean {
    return this.#group.members.has(member) && this.joiner.contributes(member, block) && this.leaver.contributes(member, block);
  }

  async #onMessage(from: NodeId, message: Message): Promise<void> {
    // A peer's message is input: checked whole before anything acts on it (src/protocol/peer-checks.ts).
    // Answers to our requests are matched by id (one to a request of our previous life matches nothing).
    if (isAnswer(message) || message.type === 'join-request') {
      const refusal = !this.#seam.checksPeers ? undefined : checkAtParity(message, this.#view(from));
      if (refusal !== undefined) return this.#refuse(from, message, refusal);
      if (message.type === 'join-request') return this.#rpc.serve(from, message.id, () => this.#changes.beginJoin(from, message.id, message.blockCount));
      if ('id' in message) this.#rpc.answer(from, message.id, message);
      return;
    }
    await this.#gate.ready; // the group is only whole once the journal is replayed
    const outside = this.#knownPeer(from) && !this.#group.members.has(from);
    if (message.type === 'leave-request' && outside) {
      this.#net.send(from, { type: 'leave-complete', id: message.id }); // gone already: our answer was lost
      return;
    }
    // A delta may overtake its sender's join request: unacknowledged, it comes back.
    if (message.type === 'delta' && outside) return;
    const refusal = !this.#seam.checksPeers ? undefined : checkAtParity(message, this.#view(from));
    if (refusal !== undefined) return this.#refuse(from, message, refusal);
    assert(this.#knownPeer(from) || !this.#seam.checksPeers, `${this.name}: acting on a message from ${from}, a stranger`);
    switch (message.type) {
      case 'block-copy':
        return this.builder.take(from, message.block, message.data);
      case 'delta':
        return this.#deltas.applyOnce({ member: from, epoch: message.epoch, seq: message.seq, replaces: message.replaces }, message.block, message.data);
      case 'leave-request':
        return this.#rpc.serve(from, message.id, () => this.#changes.leave(from, message.id));
      case 'restore-request':
        return this.#rpc.serve(from, message.id, () => this.#changes.beginRestore(from, message.id, message.epoch, message.resume === 1));
      case 'reconstruct-request':
        return this.#rpc.serve(from, message.id, () => this.#answerReconstruct(from, message.id, message.block));
      default:
        return this.#refuse(from, message, 'unexpected');
    }
  }

  /** What a message from `from` is checked against. */
  #view(from: NodeId): ParityView {
    const disk = this.#disk;
    return { blockCount: disk.blockCount, blockBytes: disk.blockBytes, senderBlocks: this.#group.members.get(from)?.blockCount, knownPeer: this.#knownPeer(from), hardened: true };
  }

  #knownPeer(node: NodeId): boolean {
    return this.#peers === undefined || this.#peers.has(node) || this.#group.members.has(node);
  }

  /** A peer's message failed its checks: refused if it asks for an answer (its sender stops asking), dropped otherwise. */
  #refuse(from: NodeId, message: Message, reason: RefusalReason): void {
    this.#probe.hit('peer-message-refused');
    const refused = refusalFor(message, reason);
    if (refused !== undefined) this.#net.send(from, refused);
  }

  /**
   * These members' `block` is lost (parity cannot rebuild it): durably so
   * before anyone is told, then Q[block] is recomputed from the members'
   * current copies — the lost ones' zeros — so the stripe protects again.
   * `stale`: Q[block] holds their data (it cannot rebuild anyone until then).
   */
  async #declareLost(members: readonly NodeId[], block: number, stale: boolean): Promise<void> {
    assert(members.length > 0, `${this.name}: block ${block} declared lost for no member`);
    const losses = this.#group.losses;
    for (const member of members) {
      if (losses.has(member, block) && (!stale || losses.stale(block))) continue;
      await this.#log.append({ kind: 'lost', member, block, stale: stale ? 1 : 0 });
      losses.add(member, block, stale);
      this.#probe.hit('loss-declared');
    }
    this.repairer.reprotect(block);
  }

  /** Degraded read, or a write to a block not yet restored: rebuild one block now. */
  async #answerReconstruct(member: NodeId, id: number, block: number): Promise<void> {
    await this.#gate.ready;
    const rebuilt = await this.restorer.reconstruct(member, block);
    this.#net.send(member, { type: 'reconstruct-reply', id, block, lost: rebuilt.lost ? 1 : 0, data: rebuilt.lost ? new Uint8Array(0) : rebuilt.data });
  }

}
