// The controller of a primary array: serves its own host, and keeps the parity
// array informed.
//
// update (claims 2, 7, 12): on a host write of w to block k, read the old
// contents, compute d = w ^ old, store w, send (k, d) to the parity array.
// build (claims 1, 6, 11): on request, send copies (k, P[k]) of a range of blocks.
//
// literal sends each delta once and acknowledges the host after the local
// write, exactly as the claims describe. hardened serialises host I/O per block
// (so two writes in flight never compute deltas from the same old data),
// journals each write's intent (block, new data, delta) durably before the
// data write — its journal position is the delta's sequence number —
// retransmits the delta with backoff until parity acknowledges it, and
// acknowledges the host per the ack policy (default: only once the parity
// array has the delta durably). After a crash, start() replays the journal:
// redo each unacknowledged data write, resend its delta (parity drops the ones
// it already has), and only then serve the host again — no write hole.
import type { BlockDevice } from '../ports/block-device.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { DurableLog } from '../ports/durable-log.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { AckPolicy } from '../protocol/ack-policy.js';
import { decodeIntent, encodeIntent } from '../protocol/journal-record.js';
import type { Message } from '../protocol/messages.js';
import { NO_BUGS, type PlantedBugs } from '../protocol/planted-bugs.js';
import { DEFAULT_RETRANSMIT, type RetransmitOptions, retransmitDelay } from '../protocol/retransmit.js';
import { SeqSet } from '../protocol/seq-set.js';
import type { ProtocolVariant } from '../protocol/variant.js';
import { xor } from '../protocol/xor.js';
import { assert } from '../util/assert.js';
import { BlockLocks } from '../util/block-locks.js';
import type { HostReadResult, HostWriteResult } from './host-io.js';

export interface PrimaryDeps {
  readonly disk: BlockDevice;
  readonly transport: Transport;
  readonly clock: Clock;
  /** `literal` leaves concurrent read-modify-writes of one block unserialised, as the claims do. */
  readonly variant: ProtocolVariant;
  /** Where deltas and build copies go. */
  readonly parity: NodeId;
  /** hardened only; literal always acknowledges after the local write. */
  readonly ackPolicy?: AckPolicy;
  readonly retransmit?: RetransmitOptions;
  /** hardened: the write-intent journal (without one, a crash can leave parity stale). */
  readonly journal?: DurableLog;
  /** Deliberate mutations for the checker's self-test; empty in every normal run. */
  readonly bugs?: PlantedBugs;
}

/** A delta sent and not yet acknowledged by parity. */
interface PendingDelta {
  readonly block: number;
  readonly data: Uint8Array;
  attempts: number;
  timer: Timer | undefined;
  /** Resolves the host write waiting on this delta (parity-durable policy). */
  readonly acked: () => void;
}

export class PrimaryController {
  readonly name: NodeId;
  readonly #disk: BlockDevice;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #parity: NodeId;
  readonly #hardened: boolean;
  readonly #ackPolicy: AckPolicy;
  readonly #retransmit: RetransmitOptions;
  readonly #locks: BlockLocks;
  readonly #bugs: PlantedBugs;
  readonly #journal: DurableLog | undefined;
  readonly #acked = new SeqSet();
  #trimmed = 0;
  /** Resolves once journal recovery is done; host I/O waits for it. */
  #ready: Promise<void> = Promise.resolve();
  #recovering = false;
  readonly #pending = new Map<number, PendingDelta>();
  /** Unacknowledged deltas per block (hardened), so busy() covers them. */
  readonly #pendingPerBlock = new Map<number, number>();
  #nextSeq = 1;
  /** Deltas sent again after a timeout, for the run summary and probes. */
  retransmissions = 0;

  constructor(deps: PrimaryDeps) {
    this.#disk = deps.disk;
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#parity = deps.parity;
    this.#hardened = deps.variant === 'hardened';
    this.#ackPolicy = deps.ackPolicy ?? 'parity-durable';
    this.#retransmit = deps.retransmit ?? DEFAULT_RETRANSMIT;
    this.#journal = this.#hardened ? deps.journal : undefined;
    this.#locks = new BlockLocks(this.#hardened);
    this.#bugs = deps.bugs ?? NO_BUGS;
    this.name = deps.transport.self;
    assert(this.#disk.blockCount > 0, `${this.name}: array has no blocks`);
  }

  get blockCount(): number {
    return this.#disk.blockCount;
  }

  /** Starts taking messages, after recovering from the journal if there is one. */
  start(): void {
    this.#net.listen((from, message) => this.#onMessage(from, message));
    const journal = this.#journal;
    if (journal === undefined) return;
    this.#recovering = true;
    this.#ready = new Promise((ready) => {
      this.#clock.spawn('journal recovery', async () => {
        await this.#recover(journal);
        this.#recovering = false;
        ready();
      });
    });
  }

  /** True while any work on `block` is unfinished here (I/O, a delta parity has not acknowledged, recovery). */
  busy(block: number): boolean {
    return this.#recovering || this.#locks.busy(block) || this.#pendingPerBlock.has(block);
  }

  /** Redo every journaled write in order, then resend its delta until acknowledged. */
  async #recover(journal: DurableLog): Promise<void> {
    const contents = await journal.read();
    this.#trimmed = contents.trimmedUpTo;
    for (let seq = 1; seq <= contents.trimmedUpTo; seq++) this.#acked.add(seq);
    for (const record of contents.records) {
      const intent = decodeIntent(record.data);
      const redone = await this.#locks.with(intent.block, () => this.#disk.write(intent.block, intent.data));
      assert(redone.ok, `${this.name}: cannot redo journaled write of block ${intent.block} (${redone.ok ? '' : redone.error})`);
      void this.#sendReliably(intent.block, intent.delta, record.position);
    }
  }

  async hostWrite(block: number, data: Uint8Array): Promise<HostWriteResult> {
    if (!this.#validBlock(block) || data.length !== this.#disk.blockBytes) return { ok: false, error: 'bad-request' };
    const w = data.slice(); // the host may reuse its buffer
    await this.#ready;
    let parityDurable: Promise<void> | undefined;
    const stored = await this.#locks.with(block, async () => {
      const old = await this.#disk.read(block);
      if (!old.ok) return old;
      assert(old.data.length === w.length, `${this.name}: block ${block} read ${old.data.length} bytes`);
      const delta = this.#bugs.has('primary-sends-data-not-delta') ? w.slice() : xor(w, old.data);
      // Intent first: a crash after this point is redone from the journal.
      const seq = this.#journal === undefined ? this.#nextSeq++ : await this.#journal.append(encodeIntent({ block, data: w, delta }));
      const written = await this.#disk.write(block, w);
      if (!written.ok) return written;
      if (this.#bugs.has('primary-skips-delta')) return written;
      if (this.#hardened) parityDurable = this.#sendReliably(block, delta, seq);
      else this.#net.send(this.#parity, { type: 'delta', block, seq: 0, data: delta });
      return written;
    });
    if (!stored.ok) return stored;
    if (parityDurable !== undefined && this.#ackPolicy === 'parity-durable') await parityDurable;
    return { ok: true };
  }

  async hostRead(block: number): Promise<HostReadResult> {
    if (!this.#validBlock(block)) return { ok: false, error: 'bad-request' };
    await this.#ready;
    return this.#locks.with(block, () => this.#disk.read(block));
  }

  /** Sends delta `seq` and keeps sending it until parity acknowledges it. */
  #sendReliably(block: number, data: Uint8Array, seq: number): Promise<void> {
    return new Promise((acked) => {
      const pending: PendingDelta = { block, data, attempts: 0, timer: undefined, acked };
      this.#pending.set(seq, pending);
      this.#pendingPerBlock.set(block, (this.#pendingPerBlock.get(block) ?? 0) + 1);
      this.#transmit(seq, pending);
    });
  }

  #transmit(seq: number, pending: PendingDelta): void {
    if (pending.attempts > 0) this.retransmissions++;
    pending.attempts++;
    this.#net.send(this.#parity, { type: 'delta', block: pending.block, seq, data: pending.data });
    pending.timer = this.#clock.timer(retransmitDelay(this.#retransmit, pending.attempts), () => this.#transmit(seq, pending));
  }

  #onAck(seq: number): void {
    const pending = this.#pending.get(seq);
    if (pending === undefined) return; // a duplicate ack
    this.#pending.delete(seq);
    pending.timer?.cancel();
    const left = this.#pendingPerBlock.get(pending.block)! - 1;
    if (left === 0) this.#pendingPerBlock.delete(pending.block);
    else this.#pendingPerBlock.set(pending.block, left);
    this.#acked.add(seq);
    pending.acked();
    this.#trimJournal();
  }

  /** Every delta up to the acked floor is in parity: its intent is no longer needed. */
  #trimJournal(): void {
    const floor = this.#acked.floor;
    if (this.#journal === undefined || floor <= this.#trimmed) return;
    this.#trimmed = floor;
    this.#clock.spawn('journal trim', () => this.#journal!.trim(floor));
  }

  #onMessage(from: NodeId, message: Message): void | Promise<void> {
    assert(from === this.#parity, `${this.name}: ${message.type} from ${from}, not the parity array`);
    switch (message.type) {
      case 'build-request':
        return this.#sendCopies(message.first, message.count);
      case 'delta-ack':
        assert(this.#hardened, `${this.name}: delta-ack in the literal protocol`);
        return this.#onAck(message.seq);
      default:
        assert(false, `${this.name}: unexpected ${message.type} from ${from}`);
    }
  }

  /** Sends (k, P[k]) for every block of ours in [first, first+count). */
  async #sendCopies(first: number, count: number): Promise<void> {
    const end = Math.min(first + count, this.#disk.blockCount);
    for (let block = first; block < end; block++) {
      const copy = await this.#locks.with(block, () => this.#disk.read(block));
      assert(copy.ok, `${this.name}: cannot read block ${block} for build (${copy.ok ? '' : copy.error})`);
      this.#net.send(this.#parity, { type: 'block-copy', block, data: copy.data });
    }
  }

  #validBlock(block: number): boolean {
    return Number.isSafeInteger(block) && block >= 0 && block < this.#disk.blockCount;
  }
}
