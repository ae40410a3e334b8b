// Reads a socket as a sequence of exact-length pieces (`await read(28)`), for
// protocols whose messages have fixed headers and announced lengths (NBD,
// nbd-server.ts). What a peer sends is buffered only up to a bound: past it
// the socket is paused, so a client that sends faster than requests are
// served is held back by TCP instead of filling memory.
import type { Socket } from 'node:net';

const DEFAULT_HIGH_WATER = 1024 * 1024;

export class SocketReader {
  readonly #socket: Socket;
  readonly #highWater: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(socket: Socket, highWater = DEFAULT_HIGH_WATER) {
    this.#socket = socket;
    this.#highWater = highWater;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#chunks.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#buffered += chunk.length;
    if (this.#buffered > this.#highWater) this.#socket.pause();
    this.#notify();
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notify();
  };

  /**
   * Stops reading the socket (another reader takes over: TLS, after NBD's STARTTLS) and pauses it;
   * the number of bytes received and not yet read, which the new reader will never see.
   */
  detach(): number {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#socket.pause();
    this.#ended = true;
    return this.#buffered;
  }

  /** Exactly `n` bytes (a fresh copy), or undefined if the stream ends first. */
  async read(n: number): Promise<Uint8Array | undefined> {
    if (!(await this.#fill(n))) return undefined;
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = this.#chunks[0]!;
      const take = Math.min(head.length, n - at);
      out.set(head.subarray(0, take), at);
      this.#consume(take);
      at += take;
    }
    return out;
  }

  /** Discards `n` bytes without holding them; false if the stream ends first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (!(await this.#fill(1))) return false;
      const take = Math.min(this.#chunks[0]!.length, left);
      this.#consume(take);
      left -= take;
    }
    return true;
  }

  /** Waits until `n` bytes are buffered; false if the stream ended. Up to `n` bytes may be buffered past the high-water mark. */
  async #fill(n: number): Promise<boolean> {
    while (this.#buffered < n) {
      if (this.#ended) return false;
      this.#socket.resume();
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return true;
  }

  #consume(bytes: number): void {
    const head = this.#chunks[0]!;
    if (bytes === head.length) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(bytes);
    this.#buffered -= bytes;
    if (this.#buffered <= this.#highWater && !this.#ended) this.#socket.resume();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
