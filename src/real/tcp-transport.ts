// Transport over TCP: each node listens on one address; messages are framed as
// a u32 length, the sender's name, and the encoded message (src/protocol/codec.ts).
// Connections to peers are opened on first send and kept. A send to an
// unreachable peer is dropped, as the Transport port allows: the protocol
// is built for an unreliable network.
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { MessageHandler, NodeId, Transport } from '../ports/transport.js';
import { DecodeError, decode, encode } from '../protocol/codec.js';
import type { Message } from '../protocol/messages.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export class TcpTransport implements Transport {
  readonly self: NodeId;
  readonly #server: Server;
  readonly #peers: Map<NodeId, PeerAddress>;
  readonly #connections = new Map<NodeId, Socket>();
  readonly #accepted = new Set<Socket>();
  readonly #onFatal: (error: unknown) => void;
  #handler: MessageHandler | undefined;
  #closed = false;
  /** Frames dropped because they did not decode (a peer's garbage). */
  malformed = 0;

  private constructor(self: NodeId, server: Server, peers: Map<NodeId, PeerAddress>, onFatal: (error: unknown) => void) {
    this.self = self;
    this.#server = server;
    this.#peers = peers;
    this.#onFatal = onFatal;
  }

  /** Listens on `host:port` (port 0: any free port; see `address`). */
  static listen(self: NodeId, host: string, port: number, onFatal: (error: unknown) => void): Promise<TcpTransport> {
    return new Promise((resolve, reject) => {
      const peers = new Map<NodeId, PeerAddress>();
      let transport: TcpTransport | undefined;
      const server = createServer((socket) => transport!.#accept(socket));
      transport = new TcpTransport(self, server, peers, onFatal);
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

  /** Tells this node where `peer` listens. */
  addPeer(peer: NodeId, address: PeerAddress): void {
    this.#peers.set(peer, address);
  }

  listen(handler: MessageHandler): void {
    this.#handler = handler;
  }

  send(to: NodeId, message: Message): void {
    if (this.#closed) return; // a stopped node sends nothing
    const socket = this.#connection(to);
    if (socket === undefined) return;
    const name = new TextEncoder().encode(this.self);
    const body = encode(message);
    const frame = new Uint8Array(4 + 2 + name.length + body.length);
    const view = new DataView(frame.buffer);
    view.setUint32(0, frame.length - 4, true);
    view.setUint16(4, name.length, true);
    frame.set(name, 6);
    frame.set(body, 6 + name.length);
    socket.write(frame);
  }

  /** Closes every connection, both ways (server.close alone waits for peers to hang up). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#connections.values()) s.destroy();
    this.#connections.clear();
    for (const s of this.#accepted) s.destroy();
    this.#accepted.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #connection(to: NodeId): Socket | undefined {
    const open = this.#connections.get(to);
    if (open !== undefined && !open.destroyed) return open;
    const address = this.#peers.get(to);
    if (address === undefined) return undefined;
    const socket = connect(address.port, address.host);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy()); // dropped: the protocol retries or reports
    socket.on('close', () => this.#connections.get(to) === socket && this.#connections.delete(to));
    this.#connections.set(to, socket);
    return socket;
  }

  #accept(socket: Socket): void {
    this.#accepted.add(socket);
    socket.on('close', () => this.#accepted.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = new Uint8Array(0);
    socket.on('data', (chunk: Buffer) => {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      let at = 0;
      while (joined.length - at >= 4) {
        const length = new DataView(joined.buffer, at).getUint32(0, true);
        if (joined.length - at - 4 < length) break;
        const frame = joined.subarray(at + 4, at + 4 + length);
        at += 4 + length;
        this.#deliver(frame);
      }
      pending = joined.slice(at);
    });
  }

  #deliver(frame: Uint8Array): void {
    if (this.#closed) return;
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const nameLength = view.getUint16(0, true);
    if (frame.length < 2 + nameLength) return void this.malformed++; // a frame too short for its own header
    const from = new TextDecoder().decode(frame.subarray(2, 2 + nameLength));
    let message: Message;
    try {
      message = decode(frame.subarray(2 + nameLength));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.malformed++; // a peer's garbage is dropped, as a datagram that never arrived
      return;
    }
    const result = this.#handler?.(from, message);
    if (result instanceof Promise) result.catch(this.#onFatal);
  }
}
