// What a message record tells a reader beyond what the hash takes (block,
// bytes, peer): the message's type and, for deltas and their acks, the
// sequence number — record notes (sim/engine/trace.ts), so traces say
// "net.send p1 block=7 … type=delta seq=12" and traceHashes stay as they were.
import type { Message } from '../../src/protocol/messages.js';
import type { KindOptions, Trace } from '../engine/trace.js';

export const MESSAGE_NOTES: KindOptions = { notes: ['type', 'seq'] };

/** The notes of `message`: its type (as a trace label) and its sequence number, or NaN (none). */
export function messageNotes(trace: Trace, message: Message): readonly [number, number] {
  // Sequence numbers count from 1; a literal delta carries 0 (unnumbered), shown as none.
  return [trace.label(message.type), 'seq' in message && message.seq > 0 ? message.seq : Number.NaN];
}
