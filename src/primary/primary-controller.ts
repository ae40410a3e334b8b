// The controller of a primary array: serves its own host, and keeps the parity
// array informed.
//
// update (claims 2, 7, 12): on a host write of w to block k, read the old
// contents, compute d = w ^ old, store w, send (k, d) to the parity array.
// build (claims 1, 6, 11): on request, send copies (k, P[k]) of a range of blocks.
// Host I/O to one block is serialised, so two writes in flight never compute
// their deltas from the same old data.
import type { BlockDevice } from '../ports/block-device.js';
import type { Clock } from '../ports/clock.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { xor } from '../protocol/xor.js';
import { NO_BUGS, type PlantedBugs } from '../protocol/planted-bugs.js';
import type { ProtocolVariant } from '../protocol/variant.js';
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
  /** Deliberate mutations for the checker's self-test; empty in every normal run. */
  readonly bugs?: PlantedBugs;
}

export class PrimaryController {
  readonly name: NodeId;
  readonly #disk: BlockDevice;
  readonly #net: Transport;
  readonly #clock: Clock;
  readonly #parity: NodeId;
  readonly #locks: BlockLocks;
  readonly #bugs: PlantedBugs;

  constructor(deps: PrimaryDeps) {
    this.#disk = deps.disk;
    this.#net = deps.transport;
    this.#clock = deps.clock;
    this.#locks = new BlockLocks(deps.variant === 'hardened');
    this.#bugs = deps.bugs ?? NO_BUGS;
    this.#parity = deps.parity;
    this.name = deps.transport.self;
    assert(this.#disk.blockCount > 0, `${this.name}: array has no blocks`);
  }

  get blockCount(): number {
    return this.#disk.blockCount;
  }

  /** Starts taking messages. */
  start(): void {
    this.#net.listen((from, message) => this.#onMessage(from, message));
  }

  /** True while any work on `block` is unfinished here. */
  busy(block: number): boolean {
    return this.#locks.busy(block);
  }

  async hostWrite(block: number, data: Uint8Array): Promise<HostWriteResult> {
    if (!this.#validBlock(block) || data.length !== this.#disk.blockBytes) return { ok: false, error: 'bad-request' };
    const w = data.slice(); // the host may reuse its buffer
    return this.#locks.with(block, async () => {
      const old = await this.#disk.read(block);
      if (!old.ok) return old;
      assert(old.data.length === w.length, `${this.name}: block ${block} read ${old.data.length} bytes`);
      const delta = this.#bugs.has('primary-sends-data-not-delta') ? w.slice() : xor(w, old.data);
      const stored = await this.#disk.write(block, w);
      if (!stored.ok) return stored;
      if (!this.#bugs.has('primary-skips-delta')) this.#net.send(this.#parity, { type: 'delta', block, data: delta });
      return { ok: true } as const;
    });
  }

  async hostRead(block: number): Promise<HostReadResult> {
    if (!this.#validBlock(block)) return { ok: false, error: 'bad-request' };
    return this.#locks.with(block, () => this.#disk.read(block));
  }

  #onMessage(from: NodeId, message: Message): void | Promise<void> {
    switch (message.type) {
      case 'build-request':
        assert(from === this.#parity, `${this.name}: build-request from ${from}, not the parity array`);
        return this.#sendCopies(message.first, message.count);
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
