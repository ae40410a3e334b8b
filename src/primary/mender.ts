// Mending a primary's own blocks (hardened): a block whose local copy is not
// usable — not restored yet, unreadable (a latent sector error, a lost
// drive), or failing its checksum (silent corruption, a misdirected write) —
// is rebuilt by parity (Q[k] ^ the other members' k), stored, and served.
// If parity cannot rebuild it (a second damaged copy in its group, or nothing
// protected it yet), the block is lost: recorded durably (lost-blocks.ts),
// reported, and zero-filled — reads answer data-lost, never an invention, and
// a host write may replace it (its delta against zeros, as parity counts the
// block once it has re-protected the stripe).
//
// The rebuild runs holding the block's lock, and first waits until parity has
// every delta of ours for the block (else the rebuilt copy is older than our
// last write). While it runs, parity's copy requests for the block are
// answered "no copy" at once (copies.ts): parity may hold Q[k] waiting for
// that answer, and the rebuild waits for Q[k].
import type { Clock } from '../ports/clock.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Seam } from '../protocol/planted-bugs.js';
import { assert } from '../util/assert.js';
import type { ProbeName } from '../protocol/probe-names.js';
import { type Rpc, isRefused } from '../protocol/rpc.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk, VerifiedRead } from '../util/verified-disk.js';
import type { Copies } from './copies.js';
import type { Outbox } from './outbox.js';
import type { RestoreState } from './restore-state.js';

export const DATA_LOST = Object.freeze({ ok: false, error: 'data-lost' } as const);
const MEDIA_ERROR = Object.freeze({ ok: false, error: 'media-error' } as const);

interface MenderDeps {
  readonly disk: VerifiedDisk;
  readonly net: Transport;
  readonly clock: Clock;
  readonly rpc: Rpc;
  readonly parity: NodeId;
  readonly locks: BlockLocks;
  readonly restore: RestoreState;
  readonly copies: Copies;
  readonly outbox: Outbox;
  /** The decisions a planted bug may change (src/protocol/planted-bugs.ts). */
  readonly seam: Seam;
  readonly probe: Probe;
  /** Resolves once journal recovery (and a restore's handshake) is done. */
  readonly ready: () => Promise<void>;
  /** Are we in the parity group (or joining it)? Outside it, parity holds nothing of ours to rebuild from. */
  readonly member: () => boolean;
  /** A block was reported lost. */
  readonly lost: (block: number) => void;
  /** Makes the lost-block record durable (the journal's header). */
  readonly persist: () => Promise<void>;
  /** The highest delta number assigned so far (journaled writes up to it are older than a loss now). */
  readonly highestSeq: () => number;
}

/** Lost blocks rebuilt from parity at once (bounds the load a replaced drive adds). */
const REBUILD_CONCURRENCY = 8;

export class Mender {
  readonly #d: MenderDeps;

  constructor(deps: MenderDeps) {
    this.#d = deps;
  }

  /**
   * The block's contents as the host should see them; call holding the block
   * lock. `forWrite`: a lost block's zeros (what the next delta is against).
   */
  async contents(block: number, forWrite = false, repaired: ProbeName = 'media-error-repaired'): Promise<VerifiedRead | typeof DATA_LOST> {
    const d = this.#d;
    assert(d.locks.busy(block), `${d.net.self}: contents of block ${block} read without its lock`);
    if (d.restore.lost.has(block)) return this.#lostContents(forWrite);
    if (!d.restore.usable(block)) {
      return this.#rebuild(block, 'degraded-read-served', forWrite);
    }
    // planted: host I/O reads the media unchecked, so corrupt data is served.
    const local = await (d.seam.verifiesReads ? d.disk.read(block) : d.disk.readUnchecked(block));
    if (local.ok || local.error === 'out-of-range') return local;
    if (!d.member()) return MEDIA_ERROR; // unprotected: nothing to rebuild it from, the host gets the error
    return this.#rebuild(block, repaired, forWrite);
  }

  /** A lost block: data-lost to a reader; zeros to a writer (what its delta is against). */
  #lostContents(forWrite: boolean): VerifiedRead | typeof DATA_LOST {
    return forWrite ? { ok: true, data: new Uint8Array(this.#d.disk.blockBytes) } : DATA_LOST;
  }

  /** Rebuilds, from parity, every block in `lost` (a replaced drive's), under host load. */
  rebuildAll(lost: readonly number[]): void {
    const d = this.#d;
    if (lost.length === 0) return;
    assert(lost.every((block) => block >= 0 && block < d.disk.blockCount), `${d.net.self}: lost blocks beyond the array`);
    d.clock.spawn('rebuild lost blocks', async () => {
      await d.ready();
      let next = 0;
      const worker = async () => {
        while (next < lost.length) {
          const block = lost[next++]!;
          // A block reported lost is not rebuilt: its zeros are written again (the drive lost them too).
          await d.locks.with(block, async () => {
            if (d.restore.lost.has(block)) await this.#zeroFill(block);
            else await this.contents(block, false, 'lost-block-rebuilt');
          });
        }
      };
      await Promise.all(Array.from({ length: REBUILD_CONCURRENCY }, worker));
    });
  }

  /**
   * `block` is lost (parity cannot rebuild it): durably so before anything
   * acts on it, then reported, then zero-filled on our disk. Call holding its lock.
   */
  async lose(block: number): Promise<void> {
    const d = this.#d;
    assert(d.locks.busy(block), `${d.net.self}: block ${block} lost without its lock`);
    const fresh = d.restore.lost.add(block, d.highestSeq());
    await d.persist();
    if (fresh) {
      d.probe.hit('block-reported-lost');
      d.lost(block);
    }
    if (d.restore.lost.has(block)) await this.#zeroFill(block);
  }

  /** Recovery: every lost block's zeros written again (a power failure may have reverted them). */
  zeroFillLost(): void {
    const d = this.#d;
    const lost = d.restore.lost.blocks();
    assert(lost.every((block) => block < d.disk.blockCount), `${d.net.self}: lost blocks beyond the array`);
    for (const block of lost) {
      d.clock.spawn('zero lost block', () =>
        d.locks.with(block, async () => {
          if (d.restore.lost.has(block)) await this.#zeroFill(block);
        }),
      );
    }
  }

  /** Has parity rebuild `block` (call holding its lock), store it, and return it; or record it lost. */
  async #rebuild(block: number, probe: ProbeName, forWrite: boolean): Promise<VerifiedRead | typeof DATA_LOST> {
    const d = this.#d;
    assert(d.locks.busy(block), `${d.net.self}: block ${block} rebuilt without its lock`);
    // Its stored copy may be read meanwhile (it failed a read a moment ago) unless it is not restored yet.
    d.copies.beginRepair(block, d.restore.usable(block));
    try {
      await d.outbox.settled(block);
      const reply = await d.rpc.call(d.parity, 'reconstruct-reply', (id) => ({ type: 'reconstruct-request', id, block }));
      if (isRefused(reply)) {
        d.probe.hit('request-refused');
        return MEDIA_ERROR; // parity will not rebuild it for us (we are not in its group yet): the host gets the error
      }
      if (reply.lost === 1 || d.restore.lost.has(block)) {
        await this.lose(block);
        return this.#lostContents(forWrite);
      }
      d.probe.hit(probe);
      d.copies.repairWrites(block, reply.data);
      // Rewriting clears a latent error; if the disk cannot take it (a lost drive), serve it anyway.
      const stored = await d.disk.write(block, reply.data);
      if (stored.ok) d.restore.written(block);
      return { ok: true, data: reply.data };
    } finally {
      d.copies.endRepair(block);
    }
  }

  /** A lost block holds zeros on our disk, as Q counts it. Call holding the lock. */
  async #zeroFill(block: number): Promise<void> {
    await this.#d.disk.write(block, new Uint8Array(this.#d.disk.blockBytes)); // clears a latent error; a lost drive's block is zeroed once replaced
  }
}
