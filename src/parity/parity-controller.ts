// The controller of the parity array.
//
// build (claims 1, 6, 11): ask every member for copies of a window of blocks,
// XOR the copies per block number, store Q[k]; window by window, so memory
// stays bounded on arrays of any size. A block past the end of a smaller member
// counts as zeros: the member simply has no copy to send.
// update (claims 2, 7, 12): on (k, d) from a member, store Q[k] ^ d.
// literal applies every delta it receives, as it arrives. hardened applies
// deltas for one block one at a time (read-modify-write under a block lock),
// applies each (member, seq) exactly once — duplicates and retransmissions are
// dropped, even while the first copy is still being applied — and acknowledges
// a delta only once the new Q[k] is durable. With a journal, each new Q[k] is
// logged (redo record) before it overwrites the old one, and the applied sets
// are checkpointed now and then; after a crash, start() replays the journal —
// rewrite every logged Q[k] in order, rebuild the applied sets — before taking
// deltas again, so no delta is lost or applied twice across a crash.
import type { BlockDevice, WriteResult } from '../ports/block-device.js';
import type { Clock } from '../ports/clock.js';
import type { DurableLog } from '../ports/durable-log.js';
import { NO_PROBE, type Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { type ParityJournalRecord, decodeParityRecord, encodeParityRecord } from '../protocol/parity-journal.js';
import { DEFAULT_RETRANSMIT, type RetransmitOptions, retransmitDelay } from '../protocol/retransmit.js';
import { Rpc } from '../protocol/rpc.js';
import { SeqSet } from '../protocol/seq-set.js';
import { xorInto } from '../protocol/xor.js';
import { NO_BUGS, type PlantedBugs } from '../protocol/planted-bugs.js';
import type { ProtocolVariant } from '../protocol/variant.js';
import { assert } from '../util/assert.js';
import { BlockLocks } from '../util/block-locks.js';
import { RecoveryGate } from '../util/recovery-gate.js';
import { VerifiedDisk } from '../util/verified-disk.js';
import { Joiner } from './joiner.js';
import { Leaver } from './leaver.js';
import { Repairer } from './repairer.js';
import { Restorer } from './restorer.js';
import { Scrubber } from './scrubber.js';

export interface Member {
  readonly name: NodeId;
  readonly blockCount: number;
}

export interface ParityDeps {
  readonly disk: BlockDevice;
  readonly transport: Transport;
  readonly clock: Clock;
  /** `literal` leaves concurrent read-modify-writes of one block unserialised, as the claims do. */
  readonly variant: ProtocolVariant;
  /** Deliberate mutations for the checker's self-test; empty in every normal run. */
  readonly bugs?: PlantedBugs;
  readonly members: readonly Member[];
  /** Blocks gathered per build round (bounds memory: window × blockBytes). */
  readonly buildWindow?: number;
  /** hardened: the redo journal (without one, a crash can lose or double a delta). */
  readonly journal?: DurableLog;
  /** Applies between checkpoints of the applied sets (bounds journal length). */
  readonly checkpointEvery?: number;
  readonly retransmit?: RetransmitOptions;
  /** Code probes: marks situations reached (no effect on behaviour). */
  readonly probe?: Probe;
}

interface BuildWindow {
  readonly first: number;
  readonly count: number;
  readonly acc: Uint8Array[];
  /** Copies still expected per block of the window. */
  readonly missing: Int32Array;
  /** hardened: copies taken, as "member:block index" (a duplicate is ignored). */
  readonly seen: Set<string>;
  outstanding: number;
  done: boolean;
  /** Copies taken so far (a retry waits for a whole timeout without progress). */
  progress: number;
  /** hardened: empty copies taken (the member could not read its block): it went in as zeros. */
  readonly noCopies: { member: NodeId; block: number }[];
  readonly complete: () => void;
}

export class ParityController {
  readonly name: NodeId;
  readonly #disk: VerifiedDisk;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #members: Map<NodeId, Member>;
  readonly #window: number;
  readonly #locks: BlockLocks;
  readonly #bugs: PlantedBugs;
  readonly #probe: Probe;
  readonly #hardened: boolean;
  /** Per member: deltas applied (hardened). */
  readonly #applied = new Map<NodeId, SeqSet>();
  /** Per member: deltas being applied right now (their duplicates wait for the ack). */
  readonly #applying = new Map<NodeId, Set<number>>();
  readonly #journal: DurableLog | undefined;
  readonly #checkpointEvery: number;
  readonly #retransmit: RetransmitOptions;
  readonly #rpc: Rpc;
  readonly restorer: Restorer;
  readonly joiner: Joiner;
  readonly leaver: Leaver;
  readonly repairer: Repairer;
  readonly scrubber: Scrubber;
  /** Called when a member has left (every block XORed out of Q). */
  onLeft: ((member: NodeId) => void) | undefined;
  /** Called when a member's join is complete (every block merged). */
  onJoined: ((member: NodeId) => void) | undefined;
  /** Per member: blocks merged as zeros (it had no copy) whose loss it has not acknowledged yet. */
  readonly #noCopy = new Map<NodeId, Set<number>>();
  /** Per member: the epoch its deltas must carry (hardened). */
  readonly #epochs = new Map<NodeId, number>();
  /** Per member: the last restore request answered, so a retransmitted one gets the same answer. */
  readonly #lastBegin = new Map<NodeId, { id: number; epoch: number; session: number }>();
  /** Journal positions of applies whose Q[k] write has not completed. */
  readonly #inProgress = new Set<number>();
  #lastPosition = 0;
  #sinceCheckpoint = 0;
  #checkpointing = false;
  readonly #gate = new RecoveryGate();
  #build: BuildWindow | undefined;
  /** Deltas dropped as duplicates, for the run summary and probes. */
  duplicatesDropped = 0;

  constructor(deps: ParityDeps) {
    this.#probe = deps.probe ?? NO_PROBE;
    this.#disk = new VerifiedDisk(deps.disk, this.#probe, deps.variant === 'hardened');
    const disk = this.#disk;
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#locks = new BlockLocks(deps.variant === 'hardened');
    this.#bugs = deps.bugs ?? NO_BUGS;
    this.#hardened = deps.variant === 'hardened';
    this.#journal = this.#hardened ? deps.journal : undefined;
    this.#checkpointEvery = deps.checkpointEvery ?? 128;
    const retransmit = deps.retransmit ?? DEFAULT_RETRANSMIT;
    this.#retransmit = retransmit;
    this.#rpc = Rpc.forVariant(deps.transport, deps.clock, this.#hardened, retransmit);
    this.restorer = new Restorer({
      disk,
      net: deps.transport,
      clock: deps.clock,
      rpc: this.#rpc,
      locks: this.#locks,
      members: () => this.#members.values(),
      contributes: (member, block) => this.contributes(member, block),
      noCopy: (member, block) => this.#noCopy.get(member)?.has(block) ?? false,
      hardened: this.#hardened,
      retransmit,
      bugs: this.#bugs,
      probe: this.#probe,
    });
    this.joiner = new Joiner({
      disk,
      net: deps.transport,
      clock: deps.clock,
      rpc: this.#rpc,
      locks: this.#locks,
      hardened: this.#hardened,
      probe: this.#probe,
      learnEpoch: (member, epoch) => {
        if (!this.#epochs.has(member)) this.#epochs.set(member, epoch);
      },
      repairQ: (block) => this.repairer.repair(block),
      noCopy: (member, block) => void this.#notifyLost(member, block),
    });
    this.leaver = new Leaver({ disk, clock: deps.clock, rpc: this.#rpc, locks: this.#locks, hardened: this.#hardened, retransmit, repairQ: (block) => this.repairer.repair(block) });
    this.repairer = new Repairer({
      disk,
      clock: deps.clock,
      rpc: this.#rpc,
      locks: this.#locks,
      members: () => this.#members.values(),
      contributes: (member, block) => this.contributes(member, block),
      intact: async (block) => (await this.#disk.read(block)).ok,
      storeQ: (block, q) => this.#storeQ(block, q),
      ready: () => this.#gate.ready,
      retransmit,
      probe: this.#probe,
    });
    this.scrubber = new Scrubber({
      disk,
      clock: deps.clock,
      rpc: this.#rpc,
      locks: this.#locks,
      members: () => this.#members.values(),
      contributes: (member, block) => this.contributes(member, block),
      storeQ: (block, q) => this.#storeQ(block, q),
      ready: () => this.#gate.ready,
      retransmit,
      probe: this.#probe,
      bugs: this.#bugs,
    });
    this.name = deps.transport.self;
    this.#window = deps.buildWindow ?? 64;
    this.#members = new Map(deps.members.map((m) => [m.name, m]));
    assert(this.#members.size === deps.members.length, `${this.name}: duplicate member names`);
    for (const m of deps.members) {
      assert(m.blockCount <= this.#disk.blockCount, `${this.name}: member ${m.name} (${m.blockCount} blocks) larger than parity (${this.#disk.blockCount})`);
    }
  }

  start(): void {
    this.#net.listen((from, message) => this.#onMessage(from, message));
    const journal = this.#journal;
    if (journal !== undefined) this.#gate.hold(this.#clock, 'journal recovery', () => this.#recover(journal));
    this.rebuildLostBlocks(); // a drive replaced while we were down
  }

  /** hardened: rebuild from the members every Q block the array reports lost (a replaced drive's). */
  rebuildLostBlocks(): void {
    if (!this.#hardened) return;
    for (const block of this.#disk.lostBlocks?.() ?? []) this.repairer.repair(block);
  }

  /** hardened: scrub Q in the background, one block every `intervalUs` (scrubber.ts); literal has no scrub. */
  startScrub(intervalUs: number): void {
    if (this.#hardened) this.scrubber.start(intervalUs);
  }

  busy(block: number): boolean {
    if (this.#gate.busy) return true;
    if (this.joiner.merging(block) || this.repairer.repairing(block)) return true;
    const w = this.#build;
    if (w !== undefined && block >= w.first && block < w.first + w.count) return true;
    return this.#locks.busy(block);
  }

  /** Computes every Q[k] from the members' copies (claim 1). */
  async build(): Promise<void> {
    assert(this.#build === undefined, `${this.name}: build already running`);
    const total = this.#disk.blockCount;
    for (let first = 0; first < total; first += this.#window) {
      const count = Math.min(this.#window, total - first);
      await this.#buildWindow(first, count);
    }
  }

  async #buildWindow(first: number, count: number): Promise<void> {
    const bytes = this.#disk.blockBytes;
    const missing = new Int32Array(count);
    let outstanding = 0;
    for (const m of this.#members.values()) {
      for (let i = 0; i < count && first + i < m.blockCount; i++) {
        missing[i]!++;
        outstanding++;
      }
    }
    const acc = Array.from({ length: count }, () => new Uint8Array(bytes));
    const gathered = new Promise<void>((complete) => {
      const window: BuildWindow = { first, count, acc, missing, seen: new Set(), outstanding, done: false, progress: 0, noCopies: [], complete: () => {
        window.done = true;
        complete();
      } };
      this.#build = window;
      if (outstanding === 0) window.complete();
    });
    const ask = () => {
      for (const m of this.#members.values()) if (m.blockCount > first && this.#copiesMissing(m)) this.#net.send(m.name, { type: 'build-request', first, count });
    };
    ask();
    // hardened: copies lost or never sent are asked for again once the window
    // stalls: no copy for 4× the mean gap between copies so far (slow disks
    // stream copies slowly) or the retransmission delay, whichever is longer,
    // with backoff (the claims ask once).
    const window = this.#build!;
    const started = this.#clock.now();
    for (let attempt = 1; this.#hardened && !window.done; ) {
      const before = window.progress;
      const gap = window.progress > 0 ? (this.#clock.now() - started) / window.progress : 0;
      const wait = Math.max(retransmitDelay(this.#retransmit, attempt), Math.ceil(4 * gap));
      let timer: { cancel(): void } | undefined;
      await Promise.race([gathered, new Promise<void>((expired) => (timer = this.#clock.timer(wait, expired)))]);
      timer?.cancel();
      if (window.done || window.progress > before) continue;
      this.#probe.hit('build-copy-reasked');
      ask();
      attempt++;
    }
    await gathered;
    await Promise.all(
      acc.map((q, i) =>
        this.#locks.with(first + i, async () => {
          const stored = await this.#disk.write(first + i, q);
          if (!stored.ok && this.#hardened) this.repairer.repair(first + i); // its drive failed: rebuilt from the members later
        }),
      ),
    );
    // Before any host I/O: each member learns which of its blocks went in as zeros.
    await Promise.all(window.noCopies.map(({ member, block }) => this.#notifyLost(member, block)));
    this.#build = undefined;
  }

  /**
   * This parity array is new and empty (the old one was lost): rebuild Q from
   * every member while their hosts keep writing (H10). hardened joins every
   * member at once (each block merged with a copy that says which deltas it
   * reflects: see joiner.ts); literal runs build (claim 1) as the claims say.
   */
  rebuild(): void {
    if (!this.#hardened) {
      this.#clock.spawn('rebuild', async () => {
        await this.build();
        for (const m of this.#members.values()) this.onJoined?.(m.name);
      });
      return;
    }
    for (const m of this.#members.values()) {
      this.joiner.begin(m, () => {
        void this.#rpc.call(m.name, (id) => ({ type: 'join-complete', id })).then(() => this.onJoined?.(m.name));
      });
    }
  }

  /** Does Q[block] include `member`'s data (false for a joining member's blocks not merged yet)? */
  contributes(member: NodeId, block: number): boolean {
    return this.#members.has(member) && this.joiner.contributes(member, block) && this.leaver.contributes(member, block);
  }

  #onMessage(from: NodeId, message: Message): void | Promise<void> {
    if (message.type === 'join-request') return this.#beginJoin(from, message.id, message.blockCount);
    if (message.type === 'leave-request' && !this.#members.has(from)) {
      this.#net.send(from, { type: 'leave-complete', id: message.id }); // gone already: our answer was lost
      return;
    }
    // A delta may overtake its sender's join request: unacknowledged, it comes back.
    if (message.type === 'delta' && !this.#members.has(from)) return;
    assert(this.#members.has(from), `${this.name}: ${message.type} from ${from}, which is not a member`);
    switch (message.type) {
      case 'block-copy':
        return this.#takeCopy(from, message.block, message.data);
      case 'delta':
        if (!this.#hardened) return this.#applyDelta(message.block, message.data);
        if (message.epoch !== (this.#epochs.get(from) ?? 0)) {
          this.#probe.hit('stale-epoch-delta-dropped'); // from the member's previous life
          return;
        }
        return this.#applyOnce(from, message.seq, message.block, message.data);
      case 'leave-request':
        return this.#leave(from, message.id);
      case 'restore-request':
        return this.#rpc.serve(from, message.id, () => this.#beginRestore(from, message.id, message.epoch, message.resume === 1));
      case 'reconstruct-request':
        return this.#rpc.serve(from, message.id, () => this.#answerReconstruct(from, message.id, message.block));
      case 'copy-reply':
      case 'restore-ack':
      case 'join-copy':
      case 'join-ack':
      case 'block-lost-ack':
      case 'scrub-repair-done':
        this.#rpc.answer(message.id, message);
        return;
      default:
        assert(false, `${this.name}: unexpected ${message.type} from ${from}`);
    }
  }

  /** Tells `member` its `block` went into Q as zeros (it had no copy); until it knows, we rebuild nothing of that block for it. */
  async #notifyLost(member: NodeId, block: number): Promise<void> {
    let blocks = this.#noCopy.get(member);
    if (blocks === undefined) this.#noCopy.set(member, (blocks = new Set()));
    blocks.add(block);
    await this.#rpc.call(member, (id) => ({ type: 'block-lost', id, block }));
    blocks.delete(block);
  }

  /** Does the current build window still lack a copy from `m`? */
  #copiesMissing(m: Member): boolean {
    const w = this.#build!;
    for (let i = 0; i < w.count && w.first + i < m.blockCount; i++) if (!w.seen.has(`${m.name}:${i}`)) return true;
    return false;
  }

  #takeCopy(from: NodeId, block: number, data: Uint8Array): void {
    const w = this.#build;
    // A late duplicate of a finished window, or of a copy already taken.
    if (w === undefined || w.done || block < w.first || block >= w.first + w.count) return;
    const i = block - w.first;
    if (w.missing[i] === 0) return; // literal: a duplicate beyond what the block expects
    if (this.#hardened) {
      const key = `${from}:${i}`;
      if (w.seen.has(key)) return;
      w.seen.add(key);
    } else {
      w.seen.add(`${from}:${i}`);
    }
    if (data.length > 0) xorInto(w.acc[i]!, data);
    else w.noCopies.push({ member: from, block }); // the member could not read it: it counts as zeros
    w.progress++;
    w.missing[i]!--;
    if (--w.outstanding === 0) w.complete();
  }

  /** A member is decommissioned: XOR it out of Q, then forget it. */
  async #leave(member: NodeId, id: number): Promise<void> {
    await this.#gate.ready;
    const m = this.#members.get(member);
    if (m !== undefined) {
      if (this.leaver.leaving(member)) return; // a retransmitted request: the answer comes when done
      await this.leaver.remove(m);
      this.#members.delete(member);
      this.#applied.delete(member);
      this.#epochs.delete(member);
      this.onLeft?.(member);
    }
    this.#net.send(member, { type: 'leave-complete', id });
  }

  /** A new member (claim 3): add it, then merge its blocks into Q (joiner.ts). */
  #beginJoin(member: NodeId, id: number, blockCount: number): void {
    if (this.#members.has(member)) {
      this.#net.send(member, { type: 'join-begin', id, epoch: this.#epochs.get(member) ?? 0 }); // a retransmitted request
      return;
    }
    assert(blockCount <= this.#disk.blockCount, `${this.name}: ${member} (${blockCount} blocks) is larger than parity`);
    const joined: Member = { name: member, blockCount };
    this.#members.set(member, joined);
    this.joiner.begin(joined, () => {
      const complete = this.#hardened ? this.#rpc.call(member, (cid) => ({ type: 'join-complete', id: cid })) : Promise.resolve();
      void complete.then(() => this.onJoined?.(member));
    });
    this.#net.send(member, { type: 'join-begin', id, epoch: this.#epochs.get(member) ?? 0 });
  }

  /** A member lost its data: (hardened) settle its epoch, then stream its blocks back. */
  async #beginRestore(member: NodeId, id: number, epoch: number, resume: boolean): Promise<void> {
    await this.#gate.ready;
    const last = this.#lastBegin.get(member);
    if (last !== undefined && last.id === id) {
      this.#net.send(member, { type: 'restore-begin', ...last }); // our answer was lost
      return;
    }
    let current = this.#epochs.get(member) ?? 0;
    if (this.#hardened && (!resume || epoch !== current)) {
      // A new journal: its sequence numbers restart, so forget the old ones.
      current = Math.max(current, epoch) + 1;
      if (this.#journal !== undefined) await this.#journal.append(encodeParityRecord({ kind: 'epoch', member, epoch: current }));
      this.#epochs.set(member, current);
      this.#applied.set(member, new SeqSet());
      this.#applying.set(member, new Set());
    }
    const session = this.restorer.begin(this.#members.get(member)!);
    const begin = { id, epoch: current, session };
    this.#lastBegin.set(member, begin);
    this.#net.send(member, { type: 'restore-begin', ...begin });
  }

  /** Degraded read, or a write to a block not yet restored: rebuild one block now. */
  async #answerReconstruct(member: NodeId, id: number, block: number): Promise<void> {
    await this.#gate.ready;
    const rebuilt = await this.restorer.reconstruct(member, block);
    this.#net.send(member, { type: 'reconstruct-reply', id, block, lost: rebuilt.lost ? 1 : 0, data: rebuilt.lost ? new Uint8Array(0) : rebuilt.data });
  }

  /** hardened: apply (member, seq) exactly once, then acknowledge it. */
  async #applyOnce(member: NodeId, seq: number, block: number, delta: Uint8Array): Promise<void> {
    assert(seq >= 1, `${this.name}: delta from ${member} without a sequence number`);
    await this.#gate.ready; // the applied sets are only whole once recovery is done
    const applied = this.#seqs(this.#applied, member, () => new SeqSet());
    const applying = this.#seqs(this.#applying, member, () => new Set<number>());
    if (applied.has(seq)) {
      // Applied before: our ack was lost or overtaken by a retransmission.
      this.duplicatesDropped++;
      this.#probe.hit('duplicate-delta-dropped');
      this.#net.send(member, { type: 'delta-ack', block, seq });
      return;
    }
    if (applying.has(seq)) {
      this.duplicatesDropped++; // the first copy will be acknowledged when it is durable
      this.#probe.hit('duplicate-delta-dropped');
      return;
    }
    applying.add(seq);
    if ((await this.joiner.classify(member, block, seq)) === 'absorbed') {
      // Already in the copy merged at join: applying it again would count it twice.
      applying.delete(seq);
      applied.add(seq);
      this.#net.send(member, { type: 'delta-ack', block, seq });
      return;
    }
    await this.#applyDelta(block, delta, { member, seq });
    applying.delete(seq);
    applied.add(seq);
    this.#net.send(member, { type: 'delta-ack', block, seq });
    if (this.#journal !== undefined && ++this.#sinceCheckpoint >= this.#checkpointEvery) this.#checkpoint(this.#journal);
  }

  /** Logs the applied sets, then trims every record whose apply was complete at that moment. */
  #checkpoint(journal: DurableLog): void {
    if (this.#checkpointing) return;
    this.#checkpointing = true;
    this.#sinceCheckpoint = 0;
    const members = new Set([...this.#applied.keys(), ...this.#epochs.keys()]);
    const applied = [...members].map((member) => {
      const set = this.#applied.get(member) ?? new SeqSet();
      return { member, epoch: this.#epochs.get(member) ?? 0, floor: set.floor, above: set.above() };
    });
    // Records after the last known position, or still being applied, must survive.
    const keepFrom = Math.min(this.#lastPosition + 1, ...this.#inProgress);
    this.#clock.spawn('journal checkpoint', async () => {
      await journal.append(encodeParityRecord({ kind: 'checkpoint', applied }));
      await journal.trim(keepFrom - 1);
      this.#checkpointing = false;
    });
  }

  /**
   * Rebuilds epochs and applied sets, and redoes every logged Q[k] write, in
   * order. A checkpoint omits applies still in progress when it was taken, so
   * the applies seen since a member's last epoch change are added back to it.
   */
  async #recover(journal: DurableLog): Promise<void> {
    const contents = await journal.read();
    const seen = new Map<NodeId, number[]>();
    const unavailable = new Set<number>();
    for (const entry of contents.records) {
      const record = decodeParityRecord(entry.data);
      this.#lastPosition = Math.max(this.#lastPosition, entry.position);
      if (record.kind === 'checkpoint') {
        this.#applied.clear();
        for (const a of record.applied) {
          this.#epochs.set(a.member, a.epoch);
          const set = SeqSet.from(a.floor, a.above);
          for (const seq of seen.get(a.member) ?? []) set.add(seq);
          this.#applied.set(a.member, set);
        }
        continue;
      }
      if (record.kind === 'epoch') {
        this.#epochs.set(record.member, record.epoch);
        this.#applied.set(record.member, new SeqSet());
        seen.set(record.member, []);
        continue;
      }
      if (record.kind === 'apply') {
        this.#seqs(seen, record.member, () => []).push(record.seq);
        this.#seqs(this.#applied, record.member, () => new SeqSet()).add(record.seq);
      }
      this.#probe.hit('parity-journal-redo');
      // An empty newQ: Q[block] was unavailable when the delta came (its rebuild takes it from the copies).
      const redone = record.newQ.length === 0 ? { ok: false } : await this.#locks.with(record.block, () => this.#disk.write(record.block, record.newQ));
      if (!redone.ok) unavailable.add(record.block);
    }
    // Rebuilt from the members once recovery is done (a rebuild finding Q intact stops there).
    for (const block of [...unavailable].sort((a, b) => a - b)) this.repairer.repair(block);
  }

  #seqs<T>(table: Map<NodeId, T>, member: NodeId, make: () => T): T {
    let t = table.get(member);
    if (t === undefined) {
      t = make();
      table.set(member, t);
    }
    return t;
  }

  async #applyDelta(block: number, delta: Uint8Array, from?: { member: NodeId; seq: number }): Promise<void> {
    assert(block >= 0 && block < this.#disk.blockCount, `${this.name}: delta for block ${block} beyond the array`);
    await this.#locks.with(block, async () => {
      const q = await this.#disk.read(block);
      if (!q.ok) {
        // literal: nothing to apply it to (parity silently stale). hardened: the
        // delta is in its member's copy, which the rebuild of Q[block] gathers.
        if (!this.#hardened) return;
        this.#probe.hit('parity-delta-absorbed');
        if (from !== undefined) await this.#journaled({ kind: 'apply', member: from.member, seq: from.seq, block, newQ: new Uint8Array(0) }, () => Promise.resolve({ ok: true } as const));
        this.repairer.repair(block);
        return;
      }
      const next = this.#bugs.has('parity-stores-delta') ? delta : xorInto(q.data, delta);
      const write = () => this.#disk.write(block, next);
      const stored = from === undefined ? await write() : await this.#journaled({ kind: 'apply', member: from.member, seq: from.seq, block, newQ: next }, write);
      if (!stored.ok && this.#hardened) this.repairer.repair(block); // its drive failed under it
    });
  }

  /** Journals a new Q[block] (a repair) and writes it; call holding the Q[block] lock. */
  #storeQ(block: number, q: Uint8Array): Promise<WriteResult> {
    return this.#journaled({ kind: 'write', block, newQ: q }, () => this.#disk.write(block, q));
  }

  /** Appends a redo record (if there is a journal), then does `write`, tracking it as in progress for checkpoints. */
  async #journaled(record: ParityJournalRecord, write: () => Promise<WriteResult>): Promise<WriteResult> {
    if (this.#journal === undefined) return write();
    const position = await this.#journal.append(encodeParityRecord(record));
    this.#lastPosition = Math.max(this.#lastPosition, position);
    this.#inProgress.add(position);
    const stored = await write();
    this.#inProgress.delete(position);
    return stored;
  }
}
