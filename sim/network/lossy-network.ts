// A lossy simulated network between named nodes, one independent link per
// direction (link.ts).
//
// Models, per directed link: propagation latency + jitter (uniform or clipped
// normal), bandwidth (serialisation delay, FIFO queueing behind earlier
// messages on the same link), and in-order delivery unless reordering is on.
// Injects: loss, duplication (a second, independent delivery), reordering
// (a detour of extra delay), symmetric and one-way partitions, and scheduled
// link flaps. Every fault defaults to off; options are checked at construction.
//
// Partition rule: a message sent over a cut link is dropped at once (it never
// reaches the wire); a message already in flight is dropped when it arrives if
// its link is cut at that moment, and delivered otherwise. A lost message still
// occupies the wire and is dropped at its would-be arrival, so it counts as in
// flight until then (the sender cannot tell it apart from a slow one).
//
// The network never retransmits or deduplicates: that is the protocol's job.
// Messages travel encoded (src/protocol/codec.ts) and each delivery decodes
// its own copy, so no receiver shares a buffer with the sender or another copy.
import type { MessageHandler, NodeId, Transport } from '../../src/ports/transport.js';
import { DecodeError, decode, encode } from '../../src/protocol/codec.js';
import { type Message, blockOf } from '../../src/protocol/messages.js';
import { MESSAGE_NOTES, messageNotes } from './message-notes.js';
import type { Engine, TimerId } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import { BlockValues } from '../storage/block-values.js';
import { LINK_DEFAULTS, Link, type LinkOptions, resolveLinkOptions } from './link.js';
import { modeledBytes } from './modeled-size.js';
import type { SimNetwork } from './sim-network.js';

export type { LinkOptions } from './link.js';
export { LINK_DEFAULTS } from './link.js';

/** Defaults for every link; each link may override them with setLink(). */
export type LossyNetworkOptions = Partial<LinkOptions>;

/** Why a message was dropped; the number is what the trace records. */
export const DropReason = { loss: 1, partitionAtSend: 2, partitionInFlight: 3, noListener: 4, malformed: 5 } as const;
/** Each DropReason's name, as traces print it (the hash takes the number). */
export const DROP_REASON_NAMES: readonly string[] = ['', 'loss', 'partitioned-at-send', 'partitioned-in-flight', 'no-listener', 'malformed'];
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** Any subset of hooks; several observers may watch one network. */
export interface LossyNetworkObserver {
  /** A message about `block` has just been delivered (after its handler ran) or dropped. */
  settled?(block: number): void;
  /** A message about `block` has just been dropped (before settled is called). */
  dropped?(block: number, reason: DropReason): void;
}

export interface FlapOptions {
  /** Length of each down period. */
  readonly downUs: Time;
  /** Length of each up period between two down periods. */
  readonly upUs: Time;
  /** Number of down periods; the link stays up after the last. */
  readonly count: number;
  /** Delay before the first down period (default 0: now). */
  readonly startInUs?: Time;
  /** Only from → to goes down (default false: both directions). */
  readonly oneWay?: boolean;
}

export interface LossyNetworkStats {
  /** Messages and bytes sent by endpoints (duplicates not included). */
  readonly messages: number;
  readonly bytes: number;
  /** The bytes sent with block payloads at the modelled block size (what serialisation is timed by). */
  readonly modeledBytes: number;
  readonly delivered: number;
  readonly deliveredBytes: number;
  readonly dropped: number;
  readonly droppedBytes: number;
  readonly droppedBy: { readonly loss: number; readonly partition: number; readonly noListener: number; readonly malformed: number };
  /** Extra copies made; each is delivered or dropped on its own. */
  readonly duplicated: number;
  /** Copies sent on a detour (they may be overtaken). */
  readonly reordered: number;
}

export class LossyNetwork implements SimNetwork {
  readonly #engine: Engine;
  readonly #defaults: LinkOptions;
  readonly #links = new Map<NodeId, Map<NodeId, Link>>();
  readonly #handlers = new Map<NodeId, MessageHandler>();
  readonly #inFlight = new BlockValues('counts');
  readonly #observers: LossyNetworkObserver[] = [];
  readonly #flapTimers = new Set<TimerId>();
  readonly #kSend: KindId;
  readonly #kDeliver: KindId;
  readonly #kDrop: KindId;
  readonly #kDuplicate: KindId;
  readonly #kLink: KindId;
  readonly #kFlap: KindId;
  #messages = 0;
  #bytes = 0;
  #modeledBytes = 0;
  #delivered = 0;
  #deliveredBytes = 0;
  #droppedBytes = 0;
  readonly #droppedBy = { loss: 0, partition: 0, noListener: 0, malformed: 0 };
  #duplicated = 0;
  #reordered = 0;

  readonly #blockBytes: number | undefined;
  /** Per pair of nodes (either direction): when a message between them was last lost, cut, reordered or duplicated. Observed only (coverage). */
  readonly #disorderAt = new Map<string, Time>();

  /** `blockBytes`: the modelled block size, which block payloads (fingerprints) take on the wire (default: as encoded). */
  constructor(engine: Engine, options: LossyNetworkOptions = {}, blockBytes?: number) {
    this.#engine = engine;
    this.#blockBytes = blockBytes;
    this.#defaults = resolveLinkOptions(LINK_DEFAULTS, options, 'LossyNetwork');
    const t = engine.trace;
    this.#kSend = t.kind('net.send', ['block', 'bytes', 'to'], MESSAGE_NOTES);
    this.#kDeliver = t.kind('net.deliver', ['block', 'bytes', 'from', 'sentAt'], MESSAGE_NOTES);
    this.#kDrop = t.kind('net.drop', ['block', 'bytes', 'to', 'reason'], { ...MESSAGE_NOTES, values: { reason: DROP_REASON_NAMES } });
    this.#kDuplicate = t.kind('net.duplicate', ['block', 'bytes', 'to'], MESSAGE_NOTES);
    this.#kLink = t.kind('net.link', ['to', 'down']);
    this.#kFlap = t.kind('net.flap', ['down']);
  }

  /** The options every link starts from. */
  get defaults(): LinkOptions {
    return this.#defaults;
  }

  endpoint(self: NodeId): Transport {
    return {
      self,
      send: (to, message) => this.#send(self, to, message),
      listen: (handler) => void this.#handlers.set(self, handler),
    };
  }

  inject(from: NodeId, to: NodeId, wire: Uint8Array, malformed: () => void): void {
    const engine = this.#engine;
    const t = engine.trace;
    const link = this.#link(from, to);
    t.record(engine.now, this.#kSend, t.actor(from), -1, wire.length, t.actor(to));
    if (link.down) return this.#drop(link, -1, wire.length, DropReason.partitionAtSend);
    const passage = link.pass(link.transmit(engine.now, wire.length));
    const sentAt = engine.now;
    const bytes = wire.slice();
    engine.after(passage.arriveUs - engine.now, this.#kDeliver, () => {
      if (passage.lost) return this.#drop(link, -1, bytes.length, DropReason.loss);
      if (link.down) return this.#drop(link, -1, bytes.length, DropReason.partitionInFlight);
      const handler = this.#handlers.get(to);
      if (handler === undefined) return this.#drop(link, -1, bytes.length, DropReason.noListener);
      let message: Message;
      try {
        message = decode(bytes);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        this.#drop(link, -1, bytes.length, DropReason.malformed);
        return malformed();
      }
      t.record(engine.now, this.#kDeliver, t.actor(to), -1, bytes.length, t.actor(from), sentAt, ...messageNotes(t, message));
      const result = handler(from, message);
      if (result !== undefined) engine.watch(result, `${to}: handling ${message.type} from ${from}`);
    });
  }

  observe(observer: LossyNetworkObserver): void {
    this.#observers.push(observer);
  }

  /** Messages about `block` sent but not yet delivered or dropped (each copy counts). */
  inFlight(block: number): number {
    return this.#inFlight.get(block);
  }

  get stats(): LossyNetworkStats {
    const d = this.#droppedBy;
    return {
      messages: this.#messages,
      bytes: this.#bytes,
      modeledBytes: this.#modeledBytes,
      delivered: this.#delivered,
      deliveredBytes: this.#deliveredBytes,
      dropped: d.loss + d.partition + d.noListener,
      droppedBytes: this.#droppedBytes,
      droppedBy: { ...d },
      duplicated: this.#duplicated,
      reordered: this.#reordered,
    };
  }

  /** The options of link from → to (the defaults unless overridden). */
  linkOptions(from: NodeId, to: NodeId): LinkOptions {
    return this.#links.get(from)?.get(to)?.options ?? this.#defaults;
  }

  /** Overrides options of link from → to (merged over its current ones) for messages sent from now on. */
  setLink(from: NodeId, to: NodeId, options: Partial<LinkOptions>): void {
    const link = this.#link(from, to);
    link.options = resolveLinkOptions(link.options, options, `LossyNetwork.setLink(${from} -> ${to})`);
  }

  /** Cuts both directions between a and b until heal(). */
  partition(a: NodeId, b: NodeId): void {
    this.partitionOneWay(a, b);
    this.partitionOneWay(b, a);
  }

  /** Cuts from → to only; to → from keeps working. */
  partitionOneWay(from: NodeId, to: NodeId): void {
    this.#setCut(from, to, true);
  }

  /** Undoes partition(a, b) (and any one-way cut between them). Flaps keep their schedule. */
  heal(a: NodeId, b: NodeId): void {
    this.healOneWay(a, b);
    this.healOneWay(b, a);
  }

  healOneWay(from: NodeId, to: NodeId): void {
    this.#setCut(from, to, false);
  }

  /** Undoes every partition and cancels every flap schedule: all links up. */
  healAll(): void {
    for (const id of this.#flapTimers) this.#engine.cancel(id);
    this.#flapTimers.clear();
    for (const byTo of this.#links.values()) {
      for (const link of byTo.values()) {
        const wasDown = link.down;
        link.cut = false;
        link.flapsDown = 0;
        if (wasDown) this.#recordLink(link);
      }
    }
  }

  /** When a message between a and b (either way) was last lost, cut off, reordered or duplicated; undefined if never. */
  lastDisorder(a: NodeId, b: NodeId): Time | undefined {
    return this.#disorderAt.get(pairKey(a, b));
  }

  #disorder(link: Link): void {
    this.#disorderAt.set(pairKey(link.from, link.to), this.#engine.now);
  }

  /** Is from → to cut now (by a partition or a flap)? */
  isCut(from: NodeId, to: NodeId): boolean {
    return this.#links.get(from)?.get(to)?.down ?? false;
  }

  /**
   * Schedules `count` down periods of `downUs` separated by up periods of
   * `upUs`, starting `startInUs` from now, on a ↔ b (or a → b if oneWay).
   * A flap never heals a partition: the link is down while either holds it.
   */
  flap(a: NodeId, b: NodeId, options: FlapOptions): void {
    const where = `LossyNetwork.flap(${a}, ${b})`;
    const { downUs, upUs, count, startInUs = 0, oneWay = false } = options;
    for (const [name, v, min] of [['downUs', downUs, 1], ['upUs', upUs, 0], ['count', count, 1], ['startInUs', startInUs, 0]] as const) {
      if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${where}: ${name} must be an integer ≥ ${min}, got ${v}`);
    }
    const links = oneWay ? [this.#link(a, b)] : [this.#link(a, b), this.#link(b, a)];
    const step = (delay: Time, down: boolean, left: number): void => {
      const id = this.#engine.after(delay, this.#kFlap, () => {
        this.#flapTimers.delete(id);
        for (const link of links) {
          const wasDown = link.down;
          link.flapsDown += down ? 1 : -1;
          if (link.down !== wasDown) this.#recordLink(link);
        }
        if (down) step(downUs, false, left - 1);
        else if (left > 0) step(upUs, true, left);
      });
      this.#flapTimers.add(id);
    };
    step(startInUs, true, count);
  }

  #link(from: NodeId, to: NodeId): Link {
    let byTo = this.#links.get(from);
    if (byTo === undefined) {
      byTo = new Map();
      this.#links.set(from, byTo);
    }
    let link = byTo.get(to);
    if (link === undefined) {
      link = new Link(this.#engine.random, from, to, this.#defaults);
      byTo.set(to, link);
    }
    return link;
  }

  #setCut(from: NodeId, to: NodeId, cut: boolean): void {
    const link = this.#link(from, to);
    const wasDown = link.down;
    link.cut = cut;
    if (link.down !== wasDown) this.#recordLink(link);
  }

  #recordLink(link: Link): void {
    const t = this.#engine.trace;
    t.record(this.#engine.now, this.#kLink, t.actor(link.from), t.actor(link.to), link.down ? 1 : 0);
  }

  #send(from: NodeId, to: NodeId, message: Message): void {
    const engine = this.#engine;
    const t = engine.trace;
    const wire = encode(message);
    const block = blockOf(message) ?? -1;
    const link = this.#link(from, to);
    const [type, seq] = messageNotes(t, message);
    t.record(engine.now, this.#kSend, t.actor(from), block, wire.length, t.actor(to), 0, type, seq);
    this.#messages++;
    this.#bytes += wire.length;
    const size = modeledBytes(message, wire.length, this.#blockBytes);
    this.#modeledBytes += size;
    if (link.down) {
      this.#drop(link, block, wire.length, DropReason.partitionAtSend, type, seq);
      return;
    }
    const txEndUs = link.transmit(engine.now, size);
    this.#launch(link, block, wire, message.type, txEndUs, seq);
    if (link.duplicates()) {
      // The copy is made inside the network: it leaves with the original and
      // takes no extra transmitter time.
      this.#duplicated++;
      this.#disorder(link);
      t.record(engine.now, this.#kDuplicate, t.actor(from), block, wire.length, t.actor(to), 0, type, seq);
      this.#launch(link, block, wire, message.type, txEndUs, seq);
    }
  }

  /** Puts one copy on the wire; its fate was drawn at send, the cut is checked on arrival. */
  #launch(link: Link, block: number, wire: Uint8Array, type: Message['type'], txEndUs: Time, seq: number): void {
    const engine = this.#engine;
    const label = engine.trace.label(type);
    const passage = link.pass(txEndUs);
    if (passage.reordered) {
      this.#reordered++;
      this.#disorder(link);
    }
    if (block >= 0) this.#inFlight.add(block, 1);
    const sentAt = engine.now; // the send's time: replay pairs the two into one slice
    engine.after(passage.arriveUs - engine.now, this.#kDeliver, () => {
      if (block >= 0) this.#leaveFlight(block);
      if (passage.lost) return this.#drop(link, block, wire.length, DropReason.loss, label, seq);
      if (link.down) return this.#drop(link, block, wire.length, DropReason.partitionInFlight, label, seq);
      const handler = this.#handlers.get(link.to);
      if (handler === undefined) return this.#drop(link, block, wire.length, DropReason.noListener, label, seq);
      const t = engine.trace;
      t.record(engine.now, this.#kDeliver, t.actor(link.to), block, wire.length, t.actor(link.from), sentAt, label, seq);
      this.#delivered++;
      this.#deliveredBytes += wire.length;
      const result = handler(link.from, decode(wire));
      if (result !== undefined) engine.watch(result, `${link.to}: handling ${type} from ${link.from}`);
      if (block >= 0) for (const o of this.#observers) o.settled?.(block);
    });
  }

  #leaveFlight(block: number): void {
    this.#inFlight.add(block, -1);
  }

  #drop(link: Link, block: number, bytes: number, reason: DropReason, type = Number.NaN, seq = Number.NaN): void {
    const t = this.#engine.trace;
    t.record(this.#engine.now, this.#kDrop, t.actor(link.from), block, bytes, t.actor(link.to), reason, type, seq);
    if (reason !== DropReason.noListener) this.#disorder(link);
    if (reason === DropReason.loss) this.#droppedBy.loss++;
    else if (reason === DropReason.noListener) this.#droppedBy.noListener++;
    else if (reason === DropReason.malformed) this.#droppedBy.malformed++;
    else this.#droppedBy.partition++;
    this.#droppedBytes += bytes;
    if (block < 0) return;
    for (const o of this.#observers) o.dropped?.(block, reason);
    for (const o of this.#observers) o.settled?.(block);
  }
}

const pairKey = (a: NodeId, b: NodeId) => (a < b ? `${a}|${b}` : `${b}|${a}`);
