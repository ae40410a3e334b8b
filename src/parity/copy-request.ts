// Asking a member for its copy of one block (restore, repair, scrub, leave).
// A member that refuses the request gives no copy: the same as "cannot read
// it" (status 2), never a reason to crash or to guess.
import type { NodeId } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { type Rpc, isRefused } from '../protocol/rpc.js';

export type CopyReply = Extract<Message, { type: 'copy-reply' }>;

export async function requestCopy(rpc: Rpc, member: NodeId, block: number): Promise<CopyReply> {
  const reply = await rpc.call(member, 'copy-reply', (id) => ({ type: 'copy-request', id, block }));
  return isRefused(reply) ? { type: 'copy-reply', id: reply.id, block, status: 2, data: new Uint8Array(0) } : reply;
}
