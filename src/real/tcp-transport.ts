// Transport over TCP: each node listens on one address and sends to each peer
// over a connection of its own (peer-link.ts: reopened with bounded backoff
// when the peer restarts, frames queued meanwhile up to a bound). Frames are
// a length, the sender's name and the encoded message (tcp-frames.ts,
// src/protocol/codec.ts). Whatever cannot be delivered is dropped, as the
// Transport port allows: the protocol is built for an unreliable network.
//
// With a PeerAuth (every real node has one: node-runtime.ts), both directions
// are TLS-PSK with the cluster's key (psk.ts), and a connection is accepted
// only once its TLS handshake has proved the key: before that no byte it sent
// is framed, decoded or seen by the controller. The TLS identity is the
// connecting node's name, one of the cluster's; a frame on that connection
// claiming another sender is dropped (`impostor`), so what a controller hears
// as "from p2" came over a connection that authenticated as p2.
import { type Server, type Socket, createServer } from 'node:net';
import { type TLSSocket, createServer as createTlsServer } from 'node:tls';
import type { MessageHandler, NodeId, Transport } from '../ports/transport.js';
import { DecodeError, decode, encode } from '../protocol/codec.js';
import type { Message } from '../protocol/messages.js';
import { type LinkOptions, type PeerAddress, PeerLink } from './peer-link.js';
import { PSK_TLS, quoteIdentity } from './psk.js';
import { FrameReader, encodeFrame } from './tcp-frames.js';

export type { LinkOptions, PeerAddress } from './peer-link.js';

/** Authenticated links: the cluster's key, and who may connect. */
export interface PeerAuth {
  readonly key: Uint8Array;
  /** The names a connection may authenticate as (the cluster's nodes). */
  readonly peers: readonly string[];
  /** A connection refused (authentication failed), or a frame dropped for naming another sender: one line for the log, never the key. */
  readonly onRefused?: (what: string) => void;
}

/** Connections a listener holds at once: past it, new ones are refused by the kernel's backlog, not held in memory. */
const MAX_CONNECTIONS = 256;
/** A TLS handshake not done by then is abandoned (a stranger holding a connection open costs nothing longer). */
const HANDSHAKE_TIMEOUT_MS = 5000;

export class TcpTransport implements Transport {
  readonly self: NodeId;
  readonly #name: Uint8Array;
  readonly #server: Server;
  readonly #links = new Map<NodeId, PeerLink>();
  readonly #accepted = new Set<Socket>();
  readonly #onFatal: (error: unknown) => void;
  readonly #linkOptions: LinkOptions;
  readonly #auth: PeerAuth | undefined;
  #handler: MessageHandler | undefined;
  #closed = false;
  /** Frames dropped because they did not decode (a peer's garbage). */
  malformed = 0;
  /** Connections refused for failing authentication. */
  refused = 0;
  /** Frames dropped for naming a sender other than the one their connection authenticated as. */
  impostor = 0;

  private constructor(self: NodeId, server: Server, onFatal: (error: unknown) => void, linkOptions: LinkOptions, auth: PeerAuth | undefined) {
    this.self = self;
    this.#name = new TextEncoder().encode(self);
    if (this.#name.length > 0xffff) throw new RangeError('TcpTransport: node name too long');
    this.#server = server;
    this.#onFatal = onFatal;
    this.#linkOptions = linkOptions;
    this.#auth = auth;
  }

  /**
   * Listens on `host:port` (port 0: any free port; see `address`). `onFatal`
   * hears of a message handler that threw or rejected (a broken invariant).
   * With `auth`, every link both ways is TLS-PSK (above); without, plain TCP
   * (the tests of the transport itself).
   */
  static listen(self: NodeId, host: string, port: number, onFatal: (error: unknown) => void, linkOptions: LinkOptions = {}, auth?: PeerAuth): Promise<TcpTransport> {
    return new Promise((resolve, reject) => {
      let transport: TcpTransport | undefined;
      const server = auth === undefined ? createServer((socket) => transport!.#accept(socket, undefined)) : authenticatedServer(auth, (socket, identity) => transport!.#accept(socket, identity), () => transport!.refused++);
      server.maxConnections = MAX_CONNECTIONS;
      transport = new TcpTransport(self, server, onFatal, linkOptions, auth);
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
    const auth = this.#auth === undefined ? undefined : { key: this.#auth.key, identity: this.self };
    if (link === undefined) this.#links.set(peer, new PeerLink(address, this.#linkOptions, auth));
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

  /** A connection to serve: authenticated as `identity` (undefined: plain TCP, no authentication). */
  #accept(socket: Socket, identity: string | undefined): void {
    if (this.#closed) return void socket.destroy();
    this.#accepted.add(socket);
    socket.on('close', () => this.#accepted.delete(socket));
    socket.on('error', () => socket.destroy());
    const reader = new FrameReader(this.#linkOptions.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk);
      if (frames === 'garbage') {
        this.malformed++;
        return void socket.destroy(); // nothing after a bad length can be framed: the sender reconnects
      }
      for (const frame of frames) {
        if (frame === undefined) this.malformed++; // a frame too short for its own header
        else if (identity !== undefined && frame.from !== identity) this.#impostor(identity, frame.from);
        else this.#deliver(frame.from, frame.body);
      }
    });
  }

  /** A frame that names another sender than its connection proved: dropped, and said once in a while (not per frame: a flood of them must not flood the log). */
  #impostor(identity: string, claimed: string): void {
    this.impostor++;
    if ((this.impostor & (this.impostor - 1)) === 0) this.#auth?.onRefused?.(`frame from ${quoteIdentity(identity)} claiming to be from ${quoteIdentity(claimed)} dropped (${this.impostor} so far)`);
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

/**
 * A TLS-PSK server: a connection is handed on (with the identity it proved) once its handshake is
 * done; one that fails — no key, a wrong key, an identity not among `auth.peers`, not TLS at all,
 * too slow — is closed and said in one line (the address, the claimed identity, OpenSSL's reason).
 */
function authenticatedServer(auth: PeerAuth, accept: (socket: TLSSocket, identity: string) => void, refused: () => void): Server {
  const peers = new Set(auth.peers);
  const identities = new WeakMap<TLSSocket, string>();
  const server = createTlsServer({
    ...PSK_TLS,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    pskCallback: (socket, identity) => {
      identities.set(socket, identity);
      return peers.has(identity) ? auth.key : null; // null: the handshake fails, as for a wrong key
    },
  });
  server.on('secureConnection', (socket: TLSSocket) => accept(socket, identities.get(socket)!));
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    refused();
    const claimed = identities.get(socket);
    const who = claimed === undefined ? '' : ` as ${quoteIdentity(claimed)}${peers.has(claimed) ? '' : ' (not a node of this cluster)'}`;
    auth.onRefused?.(`peer connection from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}${who} refused: authentication failed (${error.code ?? error.message})`);
    socket.destroy();
  });
  return server;
}
