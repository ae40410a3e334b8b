// Binary encoding of messages: what crosses a real socket, and what the
// simulated network carries (so a message's size on the wire is exact and the
// receiver never shares a buffer with the sender).
//
// Layout: u8 type index, then each field of MESSAGE_SPECS in order (fields.ts).
import { DecodeError, fieldsSize, readFields, writeFields } from './fields.js';
import { MESSAGE_SPECS, MESSAGE_TYPES, type Message, type MessageType } from './messages.js';

export { DecodeError } from './fields.js';

const TYPE_INDEX = new Map<MessageType, number>(MESSAGE_TYPES.map((t, i) => [t, i]));

export function encodedSize(message: Message): number {
  return 1 + fieldsSize(MESSAGE_SPECS[message.type], message as unknown as Record<string, unknown>);
}

export function encode(message: Message): Uint8Array {
  const out = new Uint8Array(encodedSize(message));
  out[0] = TYPE_INDEX.get(message.type)!;
  writeFields(MESSAGE_SPECS[message.type], message as unknown as Record<string, unknown>, out, 1, message.type);
  return out;
}

export function decode(bytes: Uint8Array): Message {
  const type = MESSAGE_TYPES[bytes[0] ?? 255];
  if (type === undefined) throw new DecodeError(`unknown message type index ${bytes[0]}`);
  const out: Record<string, unknown> = { type };
  readFields(MESSAGE_SPECS[type], bytes, 1, out, type);
  return out as unknown as Message;
}
