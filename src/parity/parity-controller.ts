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
// a delta only once the new Q[k] is durable.
import type { BlockDevice } from '../ports/block-device.js';
import type { Clock } from '../ports/clock.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { SeqSet } from '../protocol/seq-set.js';
import { xorInto } from '../protocol/xor.js';
import { NO_BUGS, type PlantedBugs } from '../protocol/planted-bugs.js';
import type { ProtocolVariant } from '../protocol/variant.js';
import { assert } from '../util/assert.js';
import { BlockLocks } from '../util/block-locks.js';

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
}

interface BuildWindow {
  readonly first: number;
  readonly count: number;
  readonly acc: Uint8Array[];
  /** Copies still expected per block of the window. */
  readonly missing: Int32Array;
  outstanding: number;
  readonly complete: () => void;
}

export class ParityController {
  readonly name: NodeId;
  readonly #disk: BlockDevice;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #members: Map<NodeId, Member>;
  readonly #window: number;
  readonly #locks: BlockLocks;
  readonly #bugs: PlantedBugs;
  readonly #hardened: boolean;
  /** Per member: deltas applied (hardened). */
  readonly #applied = new Map<NodeId, SeqSet>();
  /** Per member: deltas being applied right now (their duplicates wait for the ack). */
  readonly #applying = new Map<NodeId, Set<number>>();
  #build: BuildWindow | undefined;
  /** Deltas dropped as duplicates, for the run summary and probes. */
  duplicatesDropped = 0;

  constructor(deps: ParityDeps) {
    this.#disk = deps.disk;
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#locks = new BlockLocks(deps.variant === 'hardened');
    this.#bugs = deps.bugs ?? NO_BUGS;
    this.#hardened = deps.variant === 'hardened';
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
  }

  busy(block: number): boolean {
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
      this.#build = { first, count, acc, missing, outstanding, complete };
      if (outstanding === 0) complete();
    });
    for (const m of this.#members.values()) {
      if (m.blockCount > first) this.#net.send(m.name, { type: 'build-request', first, count });
    }
    await gathered;
    await Promise.all(
      acc.map((q, i) =>
        this.#locks.with(first + i, async () => {
          const stored = await this.#disk.write(first + i, q);
          assert(stored.ok, `${this.name}: cannot store Q[${first + i}] (${stored.ok ? '' : stored.error})`);
        }),
      ),
    );
    this.#build = undefined;
  }

  #onMessage(from: NodeId, message: Message): void | Promise<void> {
    assert(this.#members.has(from), `${this.name}: ${message.type} from ${from}, which is not a member`);
    switch (message.type) {
      case 'block-copy':
        return this.#takeCopy(message.block, message.data);
      case 'delta':
        return this.#hardened ? this.#applyOnce(from, message.seq, message.block, message.data) : this.#applyDelta(message.block, message.data);
      default:
        assert(false, `${this.name}: unexpected ${message.type} from ${from}`);
    }
  }

  #takeCopy(block: number, data: Uint8Array): void {
    const w = this.#build;
    assert(w !== undefined && block >= w.first && block < w.first + w.count, `${this.name}: copy of block ${block} outside the build window`);
    const i = block - w.first;
    assert(w.missing[i]! > 0, `${this.name}: more copies of block ${block} than members`);
    xorInto(w.acc[i]!, data);
    w.missing[i]!--;
    if (--w.outstanding === 0) w.complete();
  }

  /** hardened: apply (member, seq) exactly once, then acknowledge it. */
  async #applyOnce(member: NodeId, seq: number, block: number, delta: Uint8Array): Promise<void> {
    assert(seq >= 1, `${this.name}: delta from ${member} without a sequence number`);
    const applied = this.#seqs(this.#applied, member, () => new SeqSet());
    const applying = this.#seqs(this.#applying, member, () => new Set<number>());
    if (applied.has(seq)) {
      // Applied before: our ack was lost or overtaken by a retransmission.
      this.duplicatesDropped++;
      this.#net.send(member, { type: 'delta-ack', block, seq });
      return;
    }
    if (applying.has(seq)) {
      this.duplicatesDropped++; // the first copy will be acknowledged when it is durable
      return;
    }
    applying.add(seq);
    await this.#applyDelta(block, delta);
    applying.delete(seq);
    applied.add(seq);
    this.#net.send(member, { type: 'delta-ack', block, seq });
  }

  #seqs<T>(table: Map<NodeId, T>, member: NodeId, make: () => T): T {
    let t = table.get(member);
    if (t === undefined) {
      t = make();
      table.set(member, t);
    }
    return t;
  }

  async #applyDelta(block: number, delta: Uint8Array): Promise<void> {
    assert(block >= 0 && block < this.#disk.blockCount, `${this.name}: delta for block ${block} beyond the array`);
    await this.#locks.with(block, async () => {
      const q = await this.#disk.read(block);
      assert(q.ok, `${this.name}: cannot read Q[${block}] (${q.ok ? '' : q.error})`);
      const next = this.#bugs.has('parity-stores-delta') ? delta : xorInto(q.data, delta);
      const stored = await this.#disk.write(block, next);
      assert(stored.ok, `${this.name}: cannot store Q[${block}] (${stored.ok ? '' : stored.error})`);
    });
  }

}
