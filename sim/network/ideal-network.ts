// An ideal simulated network: every message arrives exactly once, after a fixed
// latency, in send order per link. No bandwidth limit, no faults.
//
// The stand-in until the lossy network model arrives; it implements the same
// Transport port. Messages travel encoded (src/protocol/codec.ts), so the
// receiver never shares a buffer with the sender and sizes are exact.
import type { MessageHandler, NodeId, Transport } from '../../src/ports/transport.js';
import { DecodeError, decode, encode } from '../../src/protocol/codec.js';
import { type Message, blockOf } from '../../src/protocol/messages.js';
import { MESSAGE_NOTES, messageNotes } from './message-notes.js';
import type { Engine } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import { BlockValues } from '../storage/block-values.js';
import { modeledBytes } from './modeled-size.js';
import type { NetworkObserver, SimNetwork } from './sim-network.js';

export interface IdealNetworkOptions {
  readonly latencyUs: Time;
  /** The modelled block size: block payloads count as this many bytes in modeledBytes (default: as encoded). */
  readonly blockBytes?: number;
}

export class IdealNetwork implements SimNetwork {
  readonly #engine: Engine;
  readonly #latency: Time;
  readonly #blockBytes: number | undefined;
  readonly #handlers = new Map<NodeId, MessageHandler>();
  readonly #inFlight = new BlockValues('counts');
  readonly #kSend: KindId;
  readonly #kDeliver: KindId;
  #observer: NetworkObserver | undefined;
  #messages = 0;
  #bytes = 0;
  #modeledBytes = 0;

  constructor(engine: Engine, options: IdealNetworkOptions) {
    this.#engine = engine;
    this.#latency = options.latencyUs;
    this.#blockBytes = options.blockBytes;
    this.#kSend = engine.trace.kind('net.send', ['block', 'bytes', 'to'], MESSAGE_NOTES);
    this.#kDeliver = engine.trace.kind('net.deliver', ['block', 'bytes', 'from', 'sentAt'], MESSAGE_NOTES);
  }

  endpoint(self: NodeId): Transport {
    return {
      self,
      send: (to, message) => this.#send(self, to, message),
      listen: (handler) => void this.#handlers.set(self, handler),
    };
  }

  inject(from: NodeId, to: NodeId, wire: Uint8Array, malformed: () => void): void {
    const trace = this.#engine.trace;
    trace.record(this.#engine.now, this.#kSend, trace.actor(from), -1, wire.length, trace.actor(to));
    const sentAt = this.#engine.now;
    const bytes = wire.slice();
    this.#engine.after(this.#latency, this.#kDeliver, () => {
      trace.record(this.#engine.now, this.#kDeliver, trace.actor(to), -1, bytes.length, trace.actor(from), sentAt);
      const handler = this.#handlers.get(to);
      if (handler === undefined) return;
      let message: Message;
      try {
        message = decode(bytes);
      } catch (error) {
        if (error instanceof DecodeError) return malformed();
        throw error;
      }
      const result = handler(from, message);
      if (result !== undefined) this.#engine.watch(result, `${to}: handling ${message.type} from ${from}`);
    });
  }

  observe(observer: NetworkObserver): void {
    this.#observer = observer;
  }

  /** Messages about `block` sent but not yet delivered or dropped. */
  inFlight(block: number): number {
    return this.#inFlight.get(block);
  }

  get stats(): { readonly messages: number; readonly bytes: number; readonly modeledBytes: number } {
    return { messages: this.#messages, bytes: this.#bytes, modeledBytes: this.#modeledBytes };
  }

  #send(from: NodeId, to: NodeId, message: Message): void {
    const wire = encode(message);
    const block = blockOf(message) ?? -1;
    const trace = this.#engine.trace;
    const [type, seq] = messageNotes(trace, message);
    trace.record(this.#engine.now, this.#kSend, trace.actor(from), block, wire.length, trace.actor(to), 0, type, seq);
    this.#messages++;
    this.#bytes += wire.length;
    this.#modeledBytes += modeledBytes(message, wire.length, this.#blockBytes);
    if (block >= 0) this.#inFlight.add(block, 1);
    const sentAt = this.#engine.now;
    this.#engine.after(this.#latency, this.#kDeliver, () => {
      if (block >= 0) this.#inFlight.add(block, -1);
      trace.record(this.#engine.now, this.#kDeliver, trace.actor(to), block, wire.length, trace.actor(from), sentAt, type, seq);
      const handler = this.#handlers.get(to);
      if (handler !== undefined) {
        const result = handler(from, decode(wire));
        if (result !== undefined) this.#engine.watch(result, `${to}: handling ${message.type} from ${from}`);
      } // else nobody is listening: the datagram is lost
      if (block >= 0) this.#observer?.settled(block);
    });
  }
}
