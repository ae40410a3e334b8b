// Request/response over the unreliable transport: a request is resent until
// its response arrives, after a timeout adapted to the peer's round trips
// (retransmit-timer.ts); responses are matched by request id and
// late duplicates ignored. Requests must be idempotent (the responder may see
// one several times). Ids are unique across a node's boots (the boot number
// is their high part), so neither end takes a request or an answer of a
// previous life for one of this life.
//
// A responder serves a request once while it is under way (serve), so
// resending is cheap even when the work is slow (a disk read on a busy drive
// takes longer than the first retransmission timeout).
import type { Clock, Timer } from '../ports/clock.js';
import type { NodeId, Transport } from '../ports/transport.js';
import type { Message, MessageType } from './messages.js';
import type { RetransmitOptions } from './retransmit.js';
import { RetransmitTimer } from './retransmit-timer.js';

interface Outstanding {
  /** Where the request went, and the answer's type: an answer from elsewhere, or of another type, is not its answer. */
  readonly to: NodeId;
  readonly expect: MessageType;
  readonly resolve: (response: Message) => void;
  timer: Timer | undefined;
  /** When the request was first sent, and whether it has been sent again since (then no round trip is measured). */
  readonly sentAt: number;
  resent: boolean;
  /** The timeout toward the request's destination. */
  readonly rto: RetransmitTimer | undefined;
}

export type Refused = Extract<Message, { type: 'refused' }>;

/** Did the peer refuse the request? */
export function isRefused(answer: Message): answer is Refused {
  return answer.type === 'refused';
}

/** A request id is boot × BOOT_IDS + a count from 1: ids never repeat across a node's starts. */
const BOOT_IDS = 2 ** 32;

/** The boot number of the node that made request `id` (its Rpc's): a request of a lower boot is from an earlier start of that node. */
export function bootOf(id: number): number {
  return Math.floor(id / BOOT_IDS);
}

export class Rpc {
  readonly #net: Transport;
  readonly #clock: Clock;
  /** undefined: each request is sent once. */
  readonly #retransmit: RetransmitOptions | undefined;
  readonly #outstanding = new Map<number, Outstanding>();
  /** Per destination: its retransmission timeout, adapted to the round trips measured. */
  readonly #timeouts = new Map<NodeId, RetransmitTimer>();
  /** Requests being served, as "sender/id". */
  readonly #serving = new Set<string>();
  #nextId: number;

  /** `retransmit` undefined: never resend. `boot`: the node's boot number (0 ≤ boot < 2^21), the high part of every request id. */
  constructor(net: Transport, clock: Clock, retransmit: RetransmitOptions | undefined, boot = 0) {
    if (!Number.isSafeInteger(boot) || boot < 0 || boot >= 2 ** 21) throw new RangeError(`Rpc: boot number ${boot} out of range`);
    this.#net = net;
    this.#clock = clock;
    this.#retransmit = retransmit;
    this.#nextId = boot * BOOT_IDS + 1;
  }

  /**
   * Sends `make(id)` to `to` until `to` answers it with a message of type
   * `expect` carrying that id — or refuses it (`refused`: the peer found it
   * invalid; asking again is pointless) — see `answer`; or until
   * `keepTrying()` says the answer is no longer wanted (the call then stays
   * unanswered unless a late answer comes). Each resend is made afresh, so a
   * request can say what is true when it is resent (a loss that has ended).
   */
  call<T extends MessageType>(to: NodeId, expect: T, make: (id: number) => Message, keepTrying: () => boolean = () => true): Promise<Extract<Message, { type: T }> | Refused> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const rto = this.#timeoutTo(to);
      const entry: Outstanding = { to, expect, resolve: resolve as (m: Message) => void, timer: undefined, sentAt: this.#clock.now(), resent: false, rto };
      this.#outstanding.set(id, entry);
      const send = () => {
        this.#net.send(to, make(id));
        if (rto === undefined) return;
        const wait = rto.timeoutUs;
        entry.timer = this.#clock.timer(wait, () => {
          rto.timedOut(wait);
          if (!keepTrying()) return;
          entry.resent = true;
          send();
        });
      };
      send();
    });
  }

  /** Feeds in `response` from `from`; true if it answered an outstanding call (from the node asked, of the type expected, or a refusal). */
  answer(from: NodeId, id: number, response: Message): boolean {
    const entry = this.#outstanding.get(id);
    if (entry === undefined || entry.to !== from || (response.type !== entry.expect && response.type !== 'refused')) return false;
    this.#outstanding.delete(id);
    entry.timer?.cancel();
    if (!entry.resent) entry.rto?.sample(this.#clock.now() - entry.sentAt);
    entry.resolve(response);
    return true;
  }

  #timeoutTo(peer: NodeId): RetransmitTimer | undefined {
    if (this.#retransmit === undefined) return undefined;
    let rto = this.#timeouts.get(peer);
    if (rto === undefined) this.#timeouts.set(peer, (rto = new RetransmitTimer(this.#retransmit)));
    return rto;
  }

  /** Runs `work` for request `id` from `from`, unless that request is being served already (a retransmission). */
  async serve(from: NodeId, id: number, work: () => Promise<void>): Promise<void> {
    const key = `${from}/${id}`;
    if (this.#serving.has(key)) return;
    this.#serving.add(key);
    try {
      await work();
    } finally {
      this.#serving.delete(key);
    }
  }

  /** Calls still waiting for their response. */
  get pending(): number {
    return this.#outstanding.size;
  }
}
