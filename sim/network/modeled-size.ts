// The size a message would have on a real wire. Blocks travel as short
// fingerprints (payloadBytes, docs/SCENARIOS.md) while timing models the full block:
// a message carrying a block's data counts that data at the modelled block
// size, so link bandwidth and the byte counts of reports are those of real
// blocks. Messages without data (requests, acks) count as encoded.
import type { Message } from '../../src/protocol/messages.js';

/** `wireBytes` (the encoding) with any block payload counted as `blockBytes` (undefined: as encoded). */
export function modeledBytes(message: Message, wireBytes: number, blockBytes: number | undefined): number {
  if (blockBytes === undefined || !('data' in message) || message.data.length === 0) return wireBytes;
  return wireBytes - message.data.length + Math.max(blockBytes, message.data.length);
}
