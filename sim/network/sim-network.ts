// What the simulated world needs from any simulated network, beyond handing
// out Transport endpoints: how many messages about a block are still on the
// wire (the checker only judges a block once nothing about it is in flight),
// and a hook when such a message stops being in flight.
import type { NodeId, Transport } from '../../src/ports/transport.js';

export interface NetworkObserver {
  /** A message about `block` has just been delivered (after its handler ran) or dropped. */
  settled(block: number): void;
}

export interface SimNetwork {
  endpoint(self: NodeId): Transport;
  /**
   * Puts raw bytes on the wire from `from` (any name: a node or a stranger)
   * to `to`, as one message would travel; a frame that does not decode is
   * dropped at the receiver (as a real transport drops it) and `malformed`
   * is called. The fault model's confused peer (sim/faults/rogue-peer.ts).
   */
  inject(from: NodeId, to: NodeId, wire: Uint8Array, malformed: () => void): void;
  inFlight(block: number): number;
  observe(observer: NetworkObserver): void;
  /** bytes: as encoded (payloads as fingerprints); modeledBytes: with block payloads at the modelled block size. */
  readonly stats: { readonly messages: number; readonly bytes: number; readonly modeledBytes: number };
}
