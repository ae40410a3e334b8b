// Transport over TCP: each node listens on one address and sends to each peer
// over a connection of its own (peer-link.ts: reopened with bounded backoff
// when the peer restarts, frames queued meanwhile up to a bound). Frames are
// a length, the sender's name and the encoded message (tcp-frames.ts,
// src/protocol/codec.ts). Whatever cannot be delivered is dropped, as the
// Transport port allows: the protocol is built for an unreliable network.
import { type Server, type Socket, createServer } from 'node:net';
import type { MessageHandler, NodeId, Transport } from '../ports/transport.js';
import { DecodeError, decode, encode } from '../protocol/codec.js';
import type { Message } from '../protocol/messages.js';
import { type LinkOptions, type PeerAddress, PeerLink } from './peer-link.js';
import { FrameReader, encodeFrame } from './tcp-frames.js';

export type { LinkOptions, PeerAddress } from './peer-link.js';

export class TcpTransport implements Transport {
  readonly self: NodeId;
  readonly #name: Uint8Array;
  readonly #server: Server;
  readonly #links = new Map<NodeId, PeerLink>();
  readonly #accepted = new Set<Socket>();
  readonly #onFatal: (error: unknown) => void;
  readonly #linkOptions: LinkOptions;
  #handler: MessageHandler | undefined;
  #closed = false;
  /** Frames dropped because they did not decode (a peer's garbage). */
  malformed = 0;

  private constructor(self: NodeId, server: Server, onFatal: (error: unknown) => void, linkOptions: LinkOptions) {
    this.self = self;
    this.#name = new TextEncoder().encode(self);
    if (this.#name.length > 0xffff) throw new RangeError('TcpTransport: node name too long');
    this.#server = server;
    this.#onFatal = onFatal;
    this.#linkOptions = linkOptions;
  }

  /**
   * Listens on `host:port` (port 0: any free port; see `address`). `onFatal`
   * hears of a message handler that threw or rejected (a broken invariant).
   */
  static listen(self: NodeId, host: string, port: number, onFatal: (error: unknown) => void, linkOptions: LinkOptions = {}): Promise<TcpTransport> {
    return new Promise((resolve, reject) => {
      let transport: TcpTransport | undefined;
      const server = createServer((socket) => transport!.#accept(socket));
      transport = new TcpTransport(self, server, onFatal, linkOptions);
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        // After listening, a server error (e.g. at shutdown) drops connections; it is not fatal to the node.
        server.on('error', () => {});
        resolve(transport!);
      });
    });
  }

  get address(): PeerAddress {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('TcpTransport: not listening on TCP');
    return { host: a.address, port: a.port };
  }

  /** Tells this node where `peer` listens (again, if it moved). */
  addPeer(peer: NodeId, address: PeerAddress): void {
    const link = this.#links.get(peer);
    if (link === undefined) this.#links.set(peer, new PeerLink(address, this.#linkOptions));
    else link.address = address;
  }

  /** The outbound link to `peer` (its drop and connection counts), if the peer is known. */
  link(peer: NodeId): PeerLink | undefined {
    return this.#links.get(peer);
  }

  listen(handler: MessageHandler): void {
    this.#handler = handler;
  }

  send(to: NodeId, message: Message): void {
    if (this.#closed) return; // a stopped node sends nothing
    this.#links.get(to)?.send(encodeFrame(this.#name, encode(message))); // an unknown peer: dropped
  }

  /** Closes every connection, both ways (server.close alone waits for peers to hang up). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const link of this.#links.values()) link.close();
    for (const s of this.#accepted) s.destroy();
    this.#accepted.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    if (this.#closed) return void socket.destroy();
    this.#accepted.add(socket);
    socket.on('close', () => this.#accepted.delete(socket));
    socket.on('error', () => socket.destroy());
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk);
      if (frames === 'garbage') {
        this.malformed++;
        return void socket.destroy(); // nothing after a bad length can be framed: the sender reconnects
      }
      for (const frame of frames) {
        if (frame === undefined) this.malformed++; // a frame too short for its own header
        else this.#deliver(frame.from, frame.body);
      }
    });
  }

  #deliver(from: NodeId, body: Uint8Array): void {
    if (this.#closed) return;
    let message: Message;
    try {
      message = decode(body);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.malformed++; // a peer's garbage is dropped, as a datagram that never arrived
      return;
    }
    try {
      const result = this.#handler?.(from, message);
      if (result instanceof Promise) result.catch(this.#onFatal);
    } catch (error) {
      this.#onFatal(error); // a handler that throws is a controller crash, not the socket's
    }
  }
}
