// The oracle: what the checkers (and the fault model's budget and phases) ask
// of the world — its god's-eye view, never a controller's claim. Whether any
// work on a block is unfinished anywhere (settled), whether Q[k] must include
// an array's block k (counts), each array's outages, the blocks each primary
// reported lost that no host write has replaced since, when a host last had a
// write acknowledged, when parity was first built, and what is still
// unfinished when the run ends.
//
// Controllers may add hints (src/controller-api.ts): busy() holds a judgement
// while a controller says work on the block is unfinished, contributes() says
// how far a join or leave has got. A hint only narrows when and against what
// Q[k] is judged; the judgement itself is of the media. Without the hints (a
// user's module may give none) the oracle goes by what the world sees: work
// in flight (block-activity.ts), and a joining or leaving member that Q[k]
// may or may not hold yet (uncertain) until parity reports the change done.
import type { Message } from '../../src/protocol/messages.js';
import type { Engine } from '../engine/engine.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import type { DamageLog } from './damage.js';
import type { BlockActivity } from './block-activity.js';
import type { Installation, PrimaryNode } from './installation.js';
import type { MemberState, Membership } from './membership.js';
import { deltaKey } from './delta-key.js';
import type { WorldEvents } from './world-events.js';

const EMPTY: ReadonlySet<number> = new Set();

/** One whole-array failure, and when the array was whole again (restored, or a parity array rebuilt). */
export interface Outage {
  readonly failedAt: number;
  restoredAt: number | undefined;
}

export class Oracle {
  readonly #engine: Engine;
  readonly #installation: Installation;
  readonly #membership: Membership;
  readonly #damage: DamageLog;
  readonly #localWrite: boolean;
  readonly #activity: BlockActivity | undefined;
  /** Per array: when it failed and when it was whole again (for honesty checks). */
  readonly outages = new Map<string, Outage[]>();
  /** When the initial parity build completed (blocks damaged before it were never protected). */
  builtAt: number | undefined;
  /** Per primary: blocks it reported lost that no acknowledged host write has replaced since. */
  readonly #lost = new Map<string, Set<number>>();
  /** local-write: deltas sent and not yet acknowledged by parity, per primary: key (delta-key.ts) → block. */
  readonly #deltasInFlight = new Map<string, Map<number, number>>();
  /** When each array's host last had a write to each block acknowledged (only blocks with damage on record). */
  readonly #lastWrite = new Map<string, Map<number, number>>();

  constructor(engine: Engine, scenario: ResolvedScenario, installation: Installation, membership: Membership, damage: DamageLog, events: WorldEvents, activity?: BlockActivity) {
    this.#engine = engine;
    this.#activity = activity;
    this.#installation = installation;
    this.#membership = membership;
    this.#damage = damage;
    // Only under local-write does a loss outlive an acknowledged write (#replaced): only then are deltas followed.
    this.#localWrite = scenario.ackPolicy === 'local-write';
    if (this.#localWrite) events.on('message-sent', (e) => this.#sent(e.from, e.to, e.message));
  }

  /** The scenario's view of `array`'s membership. */
  membership(array: string): MemberState {
    return this.#membership.of(array);
  }

  /**
   * Does Q[block] have to include `array`'s block? (For a joining or leaving array, per parity's own
   * progress; false while that is unknown — see uncertain: it is not protected as far as anyone can tell.)
   */
  counts(array: string, block: number): boolean {
    const m = this.membership(array);
    if (m === 'member') return true;
    if (m !== 'joining' && m !== 'leaving') return false;
    const contributes = this.#installation.parity.controller.contributes;
    return contributes !== undefined && contributes.call(this.#installation.parity.controller, array, block);
  }

  /**
   * May Q[block] include `array`'s block or not, either way? A joining or leaving array, while the
   * parity controller gives no contributes() hint: only parity's report (joined, left) settles it.
   */
  uncertain(array: string, block: number): boolean {
    const m = this.membership(array);
    return (m === 'joining' || m === 'leaving') && this.#installation.parity.controller.contributes === undefined && block < this.#installation.node(array).device.blockCount;
  }

  /**
   * No work on `block` is unfinished anywhere: no live controller holds it,
   * nothing about it is on the wire or only in a disk's write cache, and no
   * crashed or powered-off controller has journaled work still to replay
   * (which blocks it concerns is the product's business, so any such journal
   * holds every judgement until the restart).
   */
  settled(block: number): boolean {
    const inst = this.#installation;
    if (inst.network.inFlight(block) > 0) return false;
    for (const n of inst.nodes()) {
      if (n.device.failed) return false; // a lost array: nothing holds until it is replaced and restored
      if (!n.incarnation.alive && (n.log.length > 0 || this.restoreOrdered(n.name))) return false;
      if (block < n.device.blockCount && n.device.cached(block)) return false; // its destage will touch it again
    }
    if (inst.parity.incarnation.alive && inst.parity.controller.busy?.(block) === true) return false;
    for (const p of inst.primaries) if (p.incarnation.alive && p.controller.busy?.(block) === true) return false;
    // A user's controllers: what the world sees in flight (the built-in ones say it all through busy()),
    // and a restore ordered and not reported done — the restoring array's media does not hold its
    // data yet, and which blocks it does hold is the controller's business.
    if (this.#activity === undefined) return true;
    return !this.#activity.busy(block) && !inst.primaries.some((p) => this.restoreOrdered(p.name));
  }

  /** Is `p` restoring? By its controller's word if it gives one, else by the order given and the report not yet heard. */
  restoring(p: PrimaryNode): boolean {
    return p.controller.restoring ?? this.restoreOrdered(p.name);
  }

  /** A replaced primary whose restore has not completed yet. */
  restoreOrdered(name: string): boolean {
    const outage = this.outages.get(name)?.at(-1);
    return outage !== undefined && outage.restoredAt === undefined && !this.#installation.node(name).device.failed && name !== this.#installation.parity.name;
  }

  /** `name` fails as a whole, now. */
  outageBegins(name: string): void {
    const list = this.outages.get(name) ?? [];
    list.push({ failedAt: this.#engine.now, restoredAt: undefined });
    this.outages.set(name, list);
  }

  /** `name`'s latest outage, if still open, is over now (restored, or a parity array rebuilt). */
  outageEnds(name: string): void {
    const outage = this.outages.get(name)?.at(-1);
    if (outage !== undefined && outage.restoredAt === undefined) outage.restoredAt = this.#engine.now;
  }

  /** Is `name`'s latest outage still open? */
  outageOpen(name: string): boolean {
    const outage = this.outages.get(name)?.at(-1);
    return outage !== undefined && outage.restoredAt === undefined;
  }

  /** Blocks `array` reported lost and its host has not rewritten since. */
  lostBlocks(array: string): ReadonlySet<number> {
    return this.#lost.get(array) ?? EMPTY;
  }

  /** `array` reported `block` lost; true if it had before and its host has not rewritten it since. */
  reportedLost(array: string, block: number): boolean {
    let blocks = this.#lost.get(array);
    if (blocks === undefined) this.#lost.set(array, (blocks = new Set()));
    const again = blocks.has(block);
    blocks.add(block);
    return again;
  }

  /** When `array`'s host last had a write to `block` acknowledged (-1: never, or no damage on record then). */
  lastHostWrite(array: string, block: number): number {
    return this.#lastWrite.get(array)?.get(block) ?? -1;
  }

  /** `array`'s host had a write to `block` acknowledged, now. */
  hostWriteAcked(array: string, block: number): void {
    // The host's data again — under local-write only once parity has the write (#replaced): an
    // acknowledged write its array loses before then is one local-write allows to be lost.
    if (!this.#localWrite) this.#lost.get(array)?.delete(block);
    // Only the honesty checker asks, and only of a block with damage on record: nothing kept for others.
    if (this.#damage.intervals(array, block).length > 0) {
      let writes = this.#lastWrite.get(array);
      if (writes === undefined) this.#lastWrite.set(array, (writes = new Map()));
      writes.set(block, this.#engine.now);
    }
  }

  /** local-write: follows each delta to parity's ack, when its write replaces a loss of the block. */
  #sent(from: string, to: string, message: Message): void {
    if (message.type === 'delta' && message.seq > 0) {
      let blocks = this.#deltasInFlight.get(from);
      if (blocks === undefined) this.#deltasInFlight.set(from, (blocks = new Map()));
      blocks.set(deltaKey(message.epoch, message.seq), message.block);
    } else if (message.type === 'delta-ack' && from === this.#installation.parity.name) {
      const blocks = this.#deltasInFlight.get(to);
      const key = deltaKey(message.epoch, message.seq);
      const block = blocks?.get(key);
      if (block === undefined) return;
      blocks!.delete(key);
      this.#lost.get(to)?.delete(block);
    }
  }

  /** Arrays still failed, restoring, joining or leaving (the run's end: each is unfinished work). */
  unfinished(): string[] {
    const inst = this.#installation;
    const out = inst.primaries.filter((p) => this.restoring(p) || p.device.failed || this.membership(p.name) === 'joining' || this.membership(p.name) === 'leaving').map((p) => p.name);
    if (inst.parity.device.failed) out.push(inst.parity.name);
    return out;
  }
}
