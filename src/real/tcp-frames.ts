// Framing on a TCP stream (tcp-transport.ts): each message travels as
//
//   u32 LE length of the rest · u16 LE length of the sender's name · the name (UTF-8) · the encoded message
//
// TCP delivers bytes, not messages: a frame may arrive in pieces, or several
// in one chunk; FrameReader puts them back together.

/**
 * No frame is longer by default (a block of 64 MiB and change): a length past it is a peer's garbage,
 * not a message. A node sets its own from its block size (a message carries at most one block), so a
 * connection never makes it buffer more than a block and change.
 */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024 + 4096;

export function encodeFrame(self: Uint8Array, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + 2 + self.length + body.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, frame.length - 4, true);
  view.setUint16(4, self.length, true);
  frame.set(self, 6);
  frame.set(body, 6 + self.length);
  return frame;
}

export interface DecodedFrame {
  readonly from: string;
  readonly body: Uint8Array;
}

/** Splits a byte stream into frames. */
export class FrameReader {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  readonly #maxFrameBytes: number;

  constructor(maxFrameBytes = MAX_FRAME_BYTES) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /**
   * Takes the next bytes off the stream; returns every frame they complete,
   * in order — or 'garbage' once a frame cannot be one (the stream is
   * beyond repair: nothing after it can be framed).
   */
  push(chunk: Uint8Array): (DecodedFrame | undefined)[] | 'garbage' {
    // A plain view, not the socket's Buffer: the codec copies fields out with slice(), which on a Buffer would share memory.
    this.#chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#buffered += chunk.length;
    const out: (DecodedFrame | undefined)[] = [];
    for (;;) {
      if (this.#buffered < 4) return out;
      const length = this.#peekLength();
      if (length < 2 || length > this.#maxFrameBytes) return 'garbage';
      if (this.#buffered < 4 + length) return out;
      const frame = this.#take(4 + length).subarray(4);
      out.push(parse(frame));
    }
  }

  #peekLength(): number {
    const head = this.#chunks[0]!.length >= 4 ? this.#chunks[0]! : this.#join();
    return new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
  }

  /** Joins the buffered chunks into one (only when a frame spans chunks). */
  #join(): Uint8Array {
    const whole = new Uint8Array(this.#buffered);
    let at = 0;
    for (const c of this.#chunks) {
      whole.set(c, at);
      at += c.length;
    }
    this.#chunks = [whole];
    return whole;
  }

  #take(bytes: number): Uint8Array {
    const head = this.#chunks[0]!.length >= bytes ? this.#chunks[0]! : this.#join();
    const taken = head.subarray(0, bytes);
    if (head.length === bytes) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(bytes);
    this.#buffered -= bytes;
    return taken;
  }
}

/** A frame's sender and message bytes; undefined if its header does not fit in it. */
function parse(frame: Uint8Array): DecodedFrame | undefined {
  const nameLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint16(0, true);
  if (frame.length < 2 + nameLength) return undefined;
  return { from: new TextDecoder().decode(frame.subarray(2, 2 + nameLength)), body: frame.subarray(2 + nameLength) };
}
