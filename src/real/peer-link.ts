// The outbound half of a TCP link to one peer (tcp-transport.ts): one
// connection, opened on the first send and again whenever it drops — the peer
// restarted, or was never up. Frames sent while there is no connection wait in
// a bounded queue and go out, in order, once one is made; past the bound the
// oldest are dropped (a controller resends what matters, and its latest copy
// is the one worth keeping). A connection attempt that fails is retried after
// a backoff that doubles up to a bound, and starts small again after a
// connection succeeds: a peer that is down costs a few attempts a second, not
// one per message, and one that comes back is reached within the bound.
//
// Frames written to a connection that then breaks are lost: TCP cannot say
// which of them arrived. The Transport port allows exactly that.
//
// With a key, the connection is TLS-PSK (psk.ts) as this node's name, and it
// counts as made only once the handshake has proved that both ends hold the
// key: a listener without it never gets a frame.
import { type Socket, connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { PSK_TLS } from './psk.js';
import { MAX_FRAME_BYTES } from './tcp-frames.js';
import { performance } from 'node:perf_hooks';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface LinkOptions {
  /** Wait after the first failed connection attempt, ms (default 10). */
  readonly initialBackoffMs?: number;
  /** The wait doubles up to this, ms (default 1000). */
  readonly maxBackoffMs?: number;
  /** Bytes of frames queued for a peer (waiting for a connection, or in the socket's buffer) before frames are dropped (default 8 MiB). */
  readonly maxQueuedBytes?: number;
  /** The longest frame this node's listener takes (default tcp-frames.ts's MAX_FRAME_BYTES): a longer length closes the connection. */
  readonly maxFrameBytes?: number;
}

/** TLS-PSK for the link: the cluster's key, and the name this node authenticates as. */
export interface LinkAuth {
  readonly key: Uint8Array;
  readonly identity: string;
}

export const LINK_DEFAULTS: Required<LinkOptions> = { initialBackoffMs: 10, maxBackoffMs: 1000, maxQueuedBytes: 8 * 1024 * 1024, maxFrameBytes: MAX_FRAME_BYTES };

export class PeerLink {
  readonly #options: Required<LinkOptions>;
  readonly #auth: LinkAuth | undefined;
  #address: PeerAddress;
  #socket: Socket | undefined;
  #connected = false;
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #backoffMs: number;
  /** No connection attempt before this time (performance.now(), ms: monotonic, unlike the wall clock). */
  #notBefore = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Frames dropped: the queue was full, or the connection broke under them. */
  dropped = 0;
  /** Connection attempts made (for tests: the backoff bounds them). */
  attempts = 0;
  /** Hears the link come up (a connection made) and go down (one that was up broke), for a node's log. */
  onChange: ((up: boolean) => void) | undefined;

  constructor(address: PeerAddress, options: LinkOptions = {}, auth?: LinkAuth) {
    this.#address = address;
    this.#auth = auth;
    this.#options = { ...LINK_DEFAULTS, ...options };
    this.#backoffMs = this.#options.initialBackoffMs;
  }

  /** The peer moved: the next connection goes to `address` (the current one, if any, is kept until it breaks). */
  set address(address: PeerAddress) {
    this.#address = address;
  }

  send(frame: Uint8Array): void {
    if (this.#closed) return;
    const socket = this.#socket;
    if (this.#connected && socket !== undefined) {
      if (socket.writableLength + frame.length > this.#options.maxQueuedBytes) this.dropped++; // a peer that does not read
      else socket.write(frame);
      return;
    }
    this.#queue.push(frame);
    this.#queuedBytes += frame.length;
    while (this.#queuedBytes > this.#options.maxQueuedBytes) {
      this.#queuedBytes -= this.#queue.shift()!.length;
      this.dropped++;
    }
    if (socket === undefined) this.#scheduleConnect();
  }

  /** A connection is up. */
  get connected(): boolean {
    return this.#connected;
  }

  close(): void {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#socket?.destroy();
    this.#socket = undefined;
    this.dropped += this.#queue.length;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
  }

  #scheduleConnect(): void {
    if (this.#retry !== undefined || this.#closed) return;
    const wait = Math.max(0, this.#notBefore - performance.now());
    if (wait === 0) return this.#connect();
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#socket === undefined && this.#queue.length > 0) this.#connect();
    }, wait);
  }

  #connect(): void {
    this.attempts++;
    const auth = this.#auth;
    const { host, port } = this.#address;
    // No certificate to check: the PSK handshake itself proves the listener holds the key.
    const socket = auth === undefined ? connect(port, host) : connectTls({ host, port, ...PSK_TLS, pskCallback: () => ({ psk: auth.key, identity: auth.identity }), checkServerIdentity: () => undefined });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.once(auth === undefined ? 'connect' : 'secureConnect', () => {
      this.#connected = true;
      this.onChange?.(true);
      this.#backoffMs = this.#options.initialBackoffMs;
      for (const frame of this.#queue) socket.write(frame);
      this.#queue.length = 0;
      this.#queuedBytes = 0;
    });
    socket.on('error', () => {}); // 'close' follows, and handles it
    socket.on('close', () => this.#closedUnder(socket));
  }

  #closedUnder(socket: Socket): void {
    if (this.#socket !== socket) return;
    const wasConnected = this.#connected;
    this.#socket = undefined;
    this.#connected = false;
    if (this.#closed) return;
    if (wasConnected) {
      this.onChange?.(false);
      this.#notBefore = 0; // it was up a moment ago: try again at once
    } else {
      this.#notBefore = performance.now() + this.#backoffMs;
      this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs);
    }
    if (this.#queue.length > 0) this.#scheduleConnect();
  }
}
