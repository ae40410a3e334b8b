// Mending a primary's own blocks (hardened): a block whose local copy is not
// usable — not restored yet, unreadable (a latent sector error, a lost
// drive), or failing its checksum (silent corruption, a misdirected write) —
// is rebuilt by parity (Q[k] ^ the other members' k), stored, and served.
// If parity cannot rebuild it (a second damaged copy in its group), the block
// is reported lost: refused, never invented.
//
// The rebuild runs holding the block's lock, and first waits until parity has
// every delta of ours for the block (else the rebuilt copy is older than our
// last write). While it runs, parity's copy requests for the block are
// answered "no copy" at once (copies.ts): parity may hold Q[k] waiting for
// that answer, and the rebuild waits for Q[k].
//
// A block merged into Q as zeros because we had no copy to give (the build or
// our join found it unreadable: nothing protected it) is lost but *zeroed*:
// our disk holds zeros as Q counts it, reads answer data-lost, and a host
// write may replace it.
import type { Clock } from '../ports/clock.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import type { PlantedBugs } from '../protocol/planted-bugs.js';
import type { ProbeName } from '../protocol/probe-names.js';
import type { Rpc } from '../protocol/rpc.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk, VerifiedRead } from '../util/verified-disk.js';
import type { Copies } from './copies.js';
import type { Outbox } from './outbox.js';
import type { RestoreState } from './restore-state.js';

export const DATA_LOST = Object.freeze({ ok: false, error: 'data-lost' } as const);

interface MenderDeps {
  readonly disk: VerifiedDisk;
  readonly net: Transport;
  readonly clock: Clock;
  readonly rpc: Rpc;
  readonly parity: NodeId;
  readonly locks: BlockLocks;
  readonly restore: RestoreState;
  readonly copies: Copies;
  readonly outbox: Outbox | undefined;
  readonly hardened: boolean;
  readonly bugs: PlantedBugs;
  readonly probe: Probe;
  /** Resolves once journal recovery (and a restore's handshake) is done. */
  readonly ready: () => Promise<void>;
  /** A block was reported lost. */
  readonly lost: (block: number) => void;
}

/** Lost blocks rebuilt from parity at once (bounds the load a replaced drive adds). */
const REBUILD_CONCURRENCY = 8;

export class Mender {
  readonly #d: MenderDeps;
  /** Host reads answered by parity's reconstruction while restoring. */
  degradedReads = 0;

  constructor(deps: MenderDeps) {
    this.#d = deps;
  }

  /**
   * The block's contents as the host should see them; call holding the block
   * lock. `forWrite`: a zeroed block's zeros (what the next delta is against).
   * literal returns whatever the disk says, errors included (the claims say nothing).
   */
  async contents(block: number, forWrite = false, repaired: ProbeName = 'media-error-repaired'): Promise<VerifiedRead | typeof DATA_LOST> {
    const d = this.#d;
    if (!d.hardened) return d.disk.read(block);
    if (d.restore.lost.has(block) && !(forWrite && d.restore.zeroed.has(block))) return DATA_LOST;
    if (!d.restore.usable(block)) {
      this.degradedReads++;
      return this.#rebuild(block, 'degraded-read-served');
    }
    // planted: host I/O reads the media unchecked, so corrupt data is served.
    const local = await (d.bugs.has('no-checksum-verify') ? d.disk.readUnchecked(block) : d.disk.read(block));
    if (local.ok || local.error === 'out-of-range') return local;
    return this.#rebuild(block, repaired);
  }

  /** Rebuilds, from parity, every block in `lost` (a replaced drive's), under host load. */
  rebuildAll(lost: readonly number[]): void {
    const d = this.#d;
    if (lost.length === 0) return;
    d.clock.spawn('rebuild lost blocks', async () => {
      await d.ready();
      let next = 0;
      const worker = async () => {
        while (next < lost.length) {
          const block = lost[next++]!;
          await d.locks.with(block, () => this.contents(block, false, 'lost-block-rebuilt'));
        }
      };
      await Promise.all(Array.from({ length: REBUILD_CONCURRENCY }, worker));
    });
  }

  markLost(block: number, zeroed = false): void {
    const r = this.#d.restore;
    if (zeroed) r.zeroed.add(block);
    if (r.lost.has(block)) return;
    r.lost.add(block);
    this.#d.probe.hit('block-reported-lost');
    this.#d.lost(block);
  }

  /** Parity merged our "no copy" of `block` as zeros: it is lost, and zeroed here too. */
  takeBlockLost(id: number, block: number): void {
    const d = this.#d;
    this.markLost(block, true);
    d.net.send(d.parity, { type: 'block-lost-ack', id, block });
    d.clock.spawn('zero lost block', () =>
      d.locks.with(block, async () => {
        if (d.restore.zeroed.has(block)) await this.#zeroFill(block);
      }),
    );
  }

  /** Has parity rebuild `block` (call holding its lock), store it, and return it; or report it lost. */
  async #rebuild(block: number, probe: ProbeName): Promise<VerifiedRead | typeof DATA_LOST> {
    const d = this.#d;
    d.copies.beginRepair(block);
    try {
      await d.outbox?.settled(block);
      const reply = await d.rpc.call<Extract<Message, { type: 'reconstruct-reply' }>>(d.parity, (id) => ({ type: 'reconstruct-request', id, block }));
      if (d.restore.zeroed.has(block)) return this.#zeroFill(block); // found unprotected meanwhile (a join copy)
      if (reply.lost === 1) {
        this.markLost(block);
        return DATA_LOST;
      }
      d.probe.hit(probe);
      // Rewriting clears a latent error; if the disk cannot take it (a lost drive), serve it anyway.
      const stored = await d.disk.write(block, reply.data);
      if (stored.ok) d.restore.written(block);
      return { ok: true, data: reply.data };
    } finally {
      d.copies.endRepair(block);
    }
  }

  /** Parity counts `block` as zeros (we had no copy to give): so does our disk from now on. Call holding the lock. */
  async #zeroFill(block: number): Promise<VerifiedRead> {
    const zeros = new Uint8Array(this.#d.disk.blockBytes);
    await this.#d.disk.write(block, zeros); // clears a latent error; if the drive is gone, it reads as nothing anyway
    return { ok: true, data: zeros };
  }
}
