// The journal file's layout (file-durable-log.ts): an 8-byte magic, then
// frames, each
//
//   u32 LE body length · u32 LE CRC-32C of the body · body
//
// and the body is one kind byte, then
//
//   append  (1): u64 LE position · the record's bytes
//   trim    (2): u64 LE position (every record at or below it is gone)
//   header  (3): the header's bytes (replaces the previous header)
//
// The file is a history: reading it from the start and applying each frame
// in turn gives the log's contents. A frame whose length runs past the end of
// the file or whose CRC does not match is where a write was torn by a crash:
// it and everything after it are not part of the log.
import { crc32c } from '../protocol/checksum.js';

export const MAGIC = new TextEncoder().encode('XJOURNL1');
/** Length and CRC words before each body. */
const FRAME_HEAD = 8;
const POSITION_BYTES = 8;

export const FrameKind = { Append: 1, Trim: 2, Header: 3 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export type Frame =
  | { readonly kind: typeof FrameKind.Append; readonly position: number; readonly data: Uint8Array }
  | { readonly kind: typeof FrameKind.Trim; readonly position: number }
  | { readonly kind: typeof FrameKind.Header; readonly data: Uint8Array };

export function encodeFrame(frame: Frame): Uint8Array {
  const payload = frame.kind === FrameKind.Trim ? new Uint8Array(0) : frame.data;
  const positioned = frame.kind !== FrameKind.Header;
  const bodyLength = 1 + (positioned ? POSITION_BYTES : 0) + payload.length;
  const out = new Uint8Array(FRAME_HEAD + bodyLength);
  const view = new DataView(out.buffer);
  out[FRAME_HEAD] = frame.kind;
  if (frame.kind !== FrameKind.Header) writeU64(view, FRAME_HEAD + 1, frame.position);
  out.set(payload, FRAME_HEAD + 1 + (positioned ? POSITION_BYTES : 0));
  view.setUint32(0, bodyLength, true);
  view.setUint32(4, crc32c(out.subarray(FRAME_HEAD)), true);
  return out;
}

/** Bytes a frame of `kind` with `payload` bytes takes in the file. */
export function frameBytes(kind: FrameKind, payload: number): number {
  return FRAME_HEAD + 1 + (kind === FrameKind.Header ? 0 : POSITION_BYTES) + payload;
}

export interface Scan {
  /** Where the valid frames end: the file's length, unless a torn or corrupt frame follows. */
  readonly end: number;
}

/**
 * Hands `accept` each frame of `bytes` from offset `from` on, up to the first
 * that does not verify or that `accept` refuses (returns false).
 */
export function scanFrames(bytes: Uint8Array, from: number, accept: (frame: Frame) => boolean): Scan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = from;
  while (bytes.length - at >= FRAME_HEAD) {
    const length = view.getUint32(at, true);
    if (length < 1 || length > bytes.length - at - FRAME_HEAD) break;
    const body = bytes.subarray(at + FRAME_HEAD, at + FRAME_HEAD + length);
    if (view.getUint32(at + 4, true) !== crc32c(body)) break;
    const frame = decodeBody(body);
    if (frame === undefined || !accept(frame)) break;
    at += FRAME_HEAD + length;
  }
  return { end: at };
}

function decodeBody(body: Uint8Array): Frame | undefined {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const kind = body[0];
  if (kind === FrameKind.Header) return { kind, data: body.slice(1) };
  if (kind !== FrameKind.Append && kind !== FrameKind.Trim) return undefined;
  if (body.length < 1 + POSITION_BYTES) return undefined;
  const position = readU64(view, 1);
  if (position === undefined) return undefined;
  if (kind === FrameKind.Trim) return body.length === 1 + POSITION_BYTES ? { kind, position } : undefined;
  return { kind, position, data: body.slice(1 + POSITION_BYTES) };
}

function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, true);
  view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

/** A safe integer, or undefined (a CRC collision on garbage could still pass; nothing past 2^53 is a position). */
function readU64(view: DataView, at: number): number | undefined {
  const hi = view.getUint32(at + 4, true);
  if (hi >= 2 ** 21) return undefined;
  return hi * 2 ** 32 + view.getUint32(at, true);
}
