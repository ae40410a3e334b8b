// What the simulated world needs from any simulated network, beyond handing
// out Transport endpoints: how many messages about a block are still on the
// wire (the checker only judges a block once nothing about it is in flight).
import type { NodeId, Transport } from '../../src/ports/transport.js';

export interface SimNetwork {
  endpoint(self: NodeId): Transport;
  inFlight(block: number): number;
  readonly stats: { readonly messages: number; readonly bytes: number };
}
