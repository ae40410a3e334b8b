// Binary encoding of messages: what crosses a real socket, and what the
// simulated network carries (so a message's size on the wire is exact and the
// receiver never shares a buffer with the sender).
//
// Layout: u8 type index, then each field of MESSAGE_SPECS in order:
// uint → 8 bytes little-endian (float64 of a safe integer); bytes → u32 length + bytes.
import { MESSAGE_SPECS, MESSAGE_TYPES, type Message, type MessageType } from './messages.js';

const TYPE_INDEX = new Map<MessageType, number>(MESSAGE_TYPES.map((t, i) => [t, i]));

export function encodedSize(message: Message): number {
  let size = 1;
  const fields = message as unknown as Record<string, unknown>;
  for (const [name, kind] of MESSAGE_SPECS[message.type]) {
    size += kind === 'uint' ? 8 : 4 + (fields[name] as Uint8Array).length;
  }
  return size;
}

export function encode(message: Message): Uint8Array {
  const out = new Uint8Array(encodedSize(message));
  const view = new DataView(out.buffer);
  const fields = message as unknown as Record<string, unknown>;
  out[0] = TYPE_INDEX.get(message.type)!;
  let at = 1;
  for (const [name, kind] of MESSAGE_SPECS[message.type]) {
    if (kind === 'uint') {
      const v = fields[name] as number;
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`encode ${message.type}.${name}: not a uint: ${v}`);
      view.setFloat64(at, v, true);
      at += 8;
    } else {
      const bytes = fields[name] as Uint8Array;
      view.setUint32(at, bytes.length, true);
      out.set(bytes, at + 4);
      at += 4 + bytes.length;
    }
  }
  return out;
}

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export function decode(bytes: Uint8Array): Message {
  const type = MESSAGE_TYPES[bytes[0] ?? 255];
  if (type === undefined) throw new DecodeError(`unknown message type index ${bytes[0]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, unknown> = { type };
  let at = 1;
  for (const [name, kind] of MESSAGE_SPECS[type]) {
    if (kind === 'uint') {
      if (at + 8 > bytes.length) throw new DecodeError(`${type}.${name}: truncated`);
      out[name] = view.getFloat64(at, true);
      at += 8;
    } else {
      if (at + 4 > bytes.length) throw new DecodeError(`${type}.${name}: truncated length`);
      const n = view.getUint32(at, true);
      if (at + 4 + n > bytes.length) throw new DecodeError(`${type}.${name}: truncated bytes`);
      out[name] = bytes.slice(at + 4, at + 4 + n);
      at += 4 + n;
    }
  }
  if (at !== bytes.length) throw new DecodeError(`${type}: ${bytes.length - at} trailing bytes`);
  return out as unknown as Message;
}
