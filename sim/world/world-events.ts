// What happens in the world, as one typed stream: the installation's landings,
// messages and lives, the hosts' operations, the operator's completed orders,
// the oracle's loss reports, the probes, and the checkers' verdicts on each
// completed operation. Checkers, the world's trace records, the coverage
// map's phase tracker, the fault injector and reports subscribe to it; nothing
// in a run is wired through a mutable hook any more.
//
// Delivery is synchronous, to each kind's listeners in the order they
// subscribed — that order is part of the run (a checker posting an engine
// event before or after another one changes the trace), so the world
// subscribes its own parts first, then its checkers, then whoever composes
// the run. A publication inside a listener is delivered at once, inside it.
//
// The hot kinds (a landing on every write, a message sent or settled, a host
// operation) are published through one reused object per kind (Reused): no
// allocation per event. So a listener must not keep an event it was handed:
// copy what it needs.
import type { AnomalyName } from '../../src/protocol/anomaly-names.js';
import type { Message } from '../../src/protocol/messages.js';
import type { Time } from '../engine/time.js';

/** What the checkers judged after it happened (and the fault triggers wait for). */
export type Checked = 'restored' | 'joined' | 'left' | 'lost';

export type WorldEvent =
  /** A write of `block` reached `array`'s media (after the damage log heard it). */
  | { readonly kind: 'block-landed'; readonly array: string; readonly block: number }
  /** A message about `block` stopped being in flight: delivered (its handler ran) or dropped. */
  | { readonly kind: 'message-settled'; readonly block: number }
  /** A live controller sent `message` (before the network has it). */
  | { readonly kind: 'message-sent'; readonly from: string; readonly to: string; readonly message: Message }
  /** A controller marked probe `name` about `block` (the honesty checker follows Q[k]'s debts so). */
  | { readonly kind: 'block-probe'; readonly array: string; readonly name: string; readonly block: number }
  /** A controller met an anomaly (src/protocol/anomaly-names.ts): something only a fault explains. */
  | { readonly kind: 'anomaly'; readonly array: string; readonly name: AnomalyName; readonly block: number; readonly since: number }
  /** A host issued write `op` of `data` to `block` (numbered by the hosts: its answer carries the same `op`). */
  | { readonly kind: 'host-write-issued'; readonly op: number; readonly array: string; readonly block: number; readonly data: Uint8Array }
  /** The host heard write `op`'s answer: acknowledged (`ok`), or failed (it may still take effect). */
  | { readonly kind: 'host-write-done'; readonly op: number; readonly array: string; readonly block: number; readonly ok: boolean }
  | { readonly kind: 'host-read-issued'; readonly op: number; readonly array: string; readonly block: number }
  /** The host heard read `op`'s answer: its data, or undefined for an error. */
  | { readonly kind: 'host-read-done'; readonly op: number; readonly array: string; readonly block: number; readonly data: Uint8Array | undefined }
  /** A host operation completed, with its latency's ends (after its trace record; reports). */
  | { readonly kind: 'host-op'; readonly array: string; readonly block: number; readonly write: boolean; readonly ok: boolean; readonly startUs: Time; readonly endUs: Time }
  /** An incarnation of `array`'s controller started (`alive`) or died. */
  | { readonly kind: 'node-life'; readonly array: string; readonly incarnation: number; readonly alive: boolean }
  /** A whole array failed: media and journal lost, its controller with them. */
  | { readonly kind: 'array-failed'; readonly array: string }
  /** A primary reported `block` lost; `again`: it had before, and no host write has replaced it since. */
  | { readonly kind: 'block-reported-lost'; readonly array: string; readonly block: number; readonly again: boolean }
  /** A replaced primary's restore from parity completed. */
  | { readonly kind: 'restored'; readonly array: string }
  /** Parity merged `array` (a join, or one member of a parity rebuild). */
  | { readonly kind: 'joined'; readonly array: string }
  /** `array` left the group (parity no longer holds it). */
  | { readonly kind: 'left'; readonly array: string }
  /** The checkers judged the world after `after` happened to `array`; `ok`: they found nothing wrong. */
  | { readonly kind: 'checked'; readonly after: Checked; readonly array: string; readonly ok: boolean };

export type WorldEventKind = WorldEvent['kind'];
export type EventOf<K extends WorldEventKind> = Extract<WorldEvent, { readonly kind: K }>;
export type Listener<K extends WorldEventKind> = (event: EventOf<K>) => void;
type Mutable<T> = { -readonly [P in keyof T]: T[P] };

export class WorldEvents {
  readonly #listeners = new Map<WorldEventKind, ((event: WorldEvent) => void)[]>();

  /** `listener` hears every event of `kind` from now on, after those subscribed before it. */
  on<K extends WorldEventKind>(kind: K, listener: Listener<K>): void {
    this.listeners(kind).push(listener);
  }

  publish(event: WorldEvent): void {
    const list = this.#listeners.get(event.kind);
    if (list !== undefined) for (let i = 0; i < list.length; i++) list[i]!(event);
  }

  /** The live list of `kind`'s listeners (a hot publisher holds it: Reused). */
  listeners<K extends WorldEventKind>(kind: K): Listener<K>[] {
    let list = this.#listeners.get(kind);
    if (list === undefined) this.#listeners.set(kind, (list = []));
    return list as unknown as Listener<K>[];
  }
}

/**
 * One hot kind's publication, allocation-free: its one event object, refilled
 * for every publication, and the live list of its listeners, which the
 * publisher calls in a loop of its own — so each such call site only ever
 * calls its own kind's few listeners, a call the JIT can inline (one shared
 * loop over every kind's listeners could not be). A listener must not publish
 * an event of the kind it hears (none does: the hot kinds' listeners record
 * and post, they do not act on the world).
 */
export class Reused<K extends WorldEventKind> {
  readonly listeners: Listener<K>[];
  readonly event: Mutable<EventOf<K>>;

  constructor(events: WorldEvents, event: EventOf<K>) {
    this.listeners = events.listeners(event.kind as K);
    this.event = { ...event };
  }
}
