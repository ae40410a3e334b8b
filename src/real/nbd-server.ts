// An NBD server for one export (a primary array, nbd-export.ts), so that any
// NBD client — the Linux kernel's nbd-client, qemu, libnbd's tools, fio's nbd
// engine — is a host. Fixed newstyle handshake: NBD_OPT_EXPORT_NAME,
// NBD_OPT_INFO and NBD_OPT_GO, NBD_OPT_LIST, NBD_OPT_ABORT; every other
// option is answered NBD_REP_ERR_UNSUP (structured replies among them, so
// every reply is a simple one). Transmission: READ, WRITE, FLUSH, TRIM, DISC.
//
// Every write is durable when it is answered (the controller acknowledges a
// write only once its journal and its array, and under parity-durable
// parity, have it), so FLUSH has nothing to wait for and FUA nothing to do;
// TRIM is a hint the spec lets a server ignore ("MAY discard"), and this one
// does. Everything a client sends is input: a bad magic or an unknown client
// flag ends the connection (the spec's hard disconnect), a bad request is
// answered with an error. No length a client sends is allocated beyond
// MAX_PAYLOAD: longer writes are read and discarded, and a connection has at
// most MAX_IN_FLIGHT requests (and MAX_IN_FLIGHT_BYTES) being served at once
// before its next request is read.
//
// With `tls` the export is private: a client must send NBD_OPT_STARTTLS first
// and complete a TLS-PSK handshake with one of the hosts' keys (psk.ts) —
// libnbd's `nbds://user@host:port/?tls-psk-file=FILE`. Until then every
// other option is answered NBD_REP_ERR_TLS_REQD (EXPORT_NAME, which cannot be
// refused, with a hang-up), so nothing about the export and none of its
// blocks is reachable without a key; a failed handshake is closed and logged.
// A connection has HANDSHAKE_MS to reach transmission, so strangers cannot
// hold connections open, and a listener holds at most MAX_CONNECTIONS.
import { type Server, type Socket, createServer } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { BlockExport } from './nbd-export.js';
import * as P from './nbd-protocol.js';
import { PSK_TLS, quoteIdentity } from './psk.js';
import { SocketReader } from './socket-reader.js';

const MAX_IN_FLIGHT = 64;
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;
/** The option haggling, TLS handshake included, must be over by then. */
const HANDSHAKE_MS = 10_000;
const MAX_CONNECTIONS = 256;
const TRANSMISSION_FLAGS = P.TRANSMISSION.HAS_FLAGS | P.TRANSMISSION.SEND_FLUSH | P.TRANSMISSION.SEND_FUA | P.TRANSMISSION.SEND_TRIM | P.TRANSMISSION.CAN_MULTI_CONN;

export interface NbdServerOptions {
  /** The export's name; the empty name (the default export) is accepted too. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** A client connected or went away (for the node's log). */
  readonly onClient?: (event: 'connected' | 'disconnected', peer: string) => void;
  /** The export threw instead of answering (a broken invariant below it): the request was answered EIO. */
  readonly onFatal?: (error: unknown) => void;
  /** Set: TLS-PSK required, with these keys by identity (the hosts' key file). */
  readonly tls?: { readonly keys: ReadonlyMap<string, Uint8Array> };
  /** A connection refused: failed TLS, or TLS not started (for the log; never a key). */
  readonly onRefused?: (peer: string, why: string) => void;
}

/** One client connection's requests being served. */
class Connection {
  inFlight = 0;
  bytes = 0;
  #waiters: (() => void)[] = [];

  /** The client's socket: the TCP one, then the TLS one over it after STARTTLS. */
  socket: Socket;
  /** TLS is up (or not required). */
  secure: boolean;

  constructor(socket: Socket, secure: boolean) {
    this.socket = socket;
    this.secure = secure;
  }

  /** Waits until another request of `bytes` may be served. */
  async admit(bytes: number): Promise<void> {
    while (this.inFlight >= MAX_IN_FLIGHT || (this.inFlight > 0 && this.bytes + bytes > MAX_IN_FLIGHT_BYTES)) await new Promise<void>((r) => this.#waiters.push(r));
    this.inFlight++;
    this.bytes += bytes;
  }

  done(bytes: number): void {
    this.inFlight--;
    this.bytes -= bytes;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves once nothing is being served. */
  async idle(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((r) => this.#waiters.push(r));
  }

  send(...parts: Uint8Array[]): void {
    if (this.socket.destroyed) return;
    for (const p of parts) this.socket.write(p);
  }
}

export class NbdServer {
  readonly #export: BlockExport;
  readonly #options: NbdServerOptions;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #closing = false;
  /** Requests answered, and those answered with an error. */
  requests = 0;
  errors = 0;

  private constructor(exp: BlockExport, options: NbdServerOptions, server: Server) {
    this.#export = exp;
    this.#options = options;
    this.#server = server;
  }

  static listen(exp: BlockExport, options: NbdServerOptions): Promise<NbdServer> {
    return new Promise((resolve, reject) => {
      let nbd: NbdServer | undefined;
      const server = createServer((socket) => void nbd!.#serve(socket));
      server.maxConnections = MAX_CONNECTIONS;
      nbd = new NbdServer(exp, options, server);
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        server.on('error', () => {});
        resolve(nbd!);
      });
    });
  }

  get address(): { host: string; port: number } {
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('NbdServer: not listening on TCP');
    return { host: a.address, port: a.port };
  }

  get clients(): number {
    return this.#connections.size;
  }

  /** Stops taking connections and requests, lets those being served finish (at most `drainMs`), then hangs up. */
  async close(drainMs = 5000): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const drained = Promise.all([...this.#connections].map((c) => c.idle()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)))]);
    clearTimeout(timer);
    for (const c of this.#connections) c.socket.destroy();
    await closed;
  }

  async #serve(socket: Socket): Promise<void> {
    if (this.#closing) return void socket.destroy();
    const c = new Connection(socket, this.#options.tls === undefined);
    this.#connections.add(c);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.#options.onClient?.('connected', peer);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    const deadline = setTimeout(() => {
      this.#options.onRefused?.(peer, `no export chosen within ${HANDSHAKE_MS / 1000} s`);
      c.socket.destroy();
    }, HANDSHAKE_MS);
    try {
      c.send(P.serverGreeting());
      const reader = new SocketReader(socket);
      const flags = await reader.read(4);
      if (flags === undefined) return;
      const clientFlags = new DataView(flags.buffer).getUint32(0);
      if ((clientFlags & ~(P.CLIENT.FIXED_NEWSTYLE | P.CLIENT.NO_ZEROES)) !== 0) return; // a flag we did not offer: the spec says hang up
      const chosen = await this.#haggle(c, reader, (clientFlags & P.CLIENT.NO_ZEROES) !== 0, peer);
      clearTimeout(deadline);
      if (chosen !== undefined) await this.#transmit(c, chosen);
      await c.idle();
    } finally {
      clearTimeout(deadline);
      c.socket.end();
      c.socket.destroySoon();
      this.#connections.delete(c);
      this.#options.onClient?.('disconnected', peer);
    }
  }

  /** Option haggling; the reader to go on with once the client chose the export (transmission follows), undefined if it left. */
  async #haggle(c: Connection, first: SocketReader, noZeroes: boolean, peer: string): Promise<SocketReader | undefined> {
    let reader = first;
    let told = false;
    for (;;) {
      const raw = await reader.read(P.OPTION_HEADER_BYTES);
      const h = raw === undefined ? undefined : P.parseOptionHeader(raw);
      if (h === undefined) return undefined;
      if (h.length > P.MAX_OPTION_DATA) {
        if (!(await reader.skip(h.length)) || h.option === P.OPT.EXPORT_NAME) return undefined; // EXPORT_NAME cannot be refused but by hanging up
        c.send(P.optionError(h.option, P.REP.ERR_TOO_BIG, 'option data too long'));
        continue;
      }
      const data = await reader.read(h.length);
      if (data === undefined) return undefined;
      if (this.#closing && h.option !== P.OPT.ABORT) {
        c.send(P.optionError(h.option, P.REP.ERR_SHUTDOWN, 'the node is shutting down'));
        continue;
      }
      if (h.option === P.OPT.STARTTLS && this.#options.tls !== undefined) {
        if (c.secure || data.length > 0) {
          c.send(P.optionError(h.option, P.REP.ERR_INVALID, c.secure ? 'TLS is already up' : 'STARTTLS takes no data'));
          continue;
        }
        c.send(P.optionReply(h.option, P.REP.ACK));
        const upgraded = await this.#startTls(c, reader, peer);
        if (upgraded === undefined) return undefined;
        reader = upgraded;
        continue;
      }
      if (!c.secure && h.option !== P.OPT.ABORT) {
        // A private export: nothing but STARTTLS (or leaving) before TLS is up.
        if (h.option === P.OPT.EXPORT_NAME) return void this.#options.onRefused?.(peer, 'NBD_OPT_EXPORT_NAME without TLS (this export requires it)');
        c.send(P.optionError(h.option, P.REP.ERR_TLS_REQD, 'this export requires TLS: send NBD_OPT_STARTTLS (nbds:// with a tls-psk-file)'));
        if (!told) this.#options.onRefused?.(peer, `option ${h.option} without TLS (this export requires it)`);
        told = true; // once a connection: a client looping on options must not flood the log
        continue;
      }
      const answer = this.#option(h.option, data, noZeroes);
      c.send(...answer.send);
      if (answer.then !== 'continue') return answer.then === 'transmit' ? reader : undefined;
    }
  }

  /**
   * The TLS handshake after STARTTLS's ACK, on the same connection: the reader over the TLS
   * socket once a hosts' key is proved, else undefined (the connection closed, the refusal
   * logged). A client that sent anything after STARTTLS before TLS began broke the protocol.
   */
  async #startTls(c: Connection, plain: SocketReader, peer: string): Promise<SocketReader | undefined> {
    if (plain.detach() > 0) {
      this.#options.onRefused?.(peer, 'bytes sent after NBD_OPT_STARTTLS before the TLS handshake');
      return undefined;
    }
    const keys = this.#options.tls!.keys;
    let claimed: string | undefined;
    const secure = new TLSSocket(c.socket, {
      isServer: true,
      ...PSK_TLS,
      pskCallback: (_socket: TLSSocket, identity: string) => {
        claimed = identity;
        return keys.get(identity) ?? null;
      },
    } as ConstructorParameters<typeof TLSSocket>[1]);
    const outcome = await new Promise<string | undefined>((resolve) => {
      secure.once('secure', () => resolve(undefined));
      secure.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      secure.once('close', () => resolve('closed during the handshake'));
    });
    secure.on('error', () => secure.destroy());
    c.socket = secure;
    if (outcome !== undefined) {
      const who = claimed === undefined ? '' : ` as ${quoteIdentity(claimed)}${keys.has(claimed) ? '' : ' (no such identity)'}`;
      this.#options.onRefused?.(peer, `TLS${who} failed: ${outcome}`);
      secure.destroy();
      return undefined;
    }
    c.secure = true;
    return new SocketReader(secure);
  }

  /** What to send for one option, and what follows it. */
  #option(option: number, data: Uint8Array, noZeroes: boolean): { send: Uint8Array[]; then: 'continue' | 'transmit' | 'close' } {
    const size = BigInt(this.#export.size);
    switch (option) {
      case P.OPT.EXPORT_NAME:
        if (!this.#known(new TextDecoder().decode(data))) return { send: [], then: 'close' };
        return { send: [P.exportNameReply(size, TRANSMISSION_FLAGS, noZeroes)], then: 'transmit' };
      case P.OPT.ABORT:
        return { send: [P.optionReply(option, P.REP.ACK)], then: 'close' };
      case P.OPT.LIST:
        if (data.length > 0) return { send: [P.optionError(option, P.REP.ERR_INVALID, 'LIST takes no data')], then: 'continue' };
        return { send: [P.optionReply(option, P.REP.SERVER, P.serverEntry(this.#options.name)), P.optionReply(option, P.REP.ACK)], then: 'continue' };
      case P.OPT.INFO:
      case P.OPT.GO: {
        const asked = P.parseInfoRequest(data);
        if (asked === undefined) return { send: [P.optionError(option, P.REP.ERR_INVALID, 'malformed INFO/GO request')], then: 'continue' };
        if (!this.#known(asked.name)) return { send: [P.optionError(option, P.REP.ERR_UNKNOWN, `no export named ${JSON.stringify(asked.name)}; this server has ${JSON.stringify(this.#options.name)}`)], then: 'continue' };
        const B = this.#export.blockBytes;
        const infos = [P.infoExport(size, TRANSMISSION_FLAGS), P.infoBlockSize(1, B, P.MAX_PAYLOAD)];
        if (asked.requests.includes(P.INFO.NAME)) infos.push(P.infoName(this.#options.name));
        return { send: [...infos.map((i) => P.optionReply(option, P.REP.INFO, i)), P.optionReply(option, P.REP.ACK)], then: option === P.OPT.GO ? 'transmit' : 'continue' };
      }
      default:
        return { send: [P.optionError(option, P.REP.ERR_UNSUP, 'option not supported')], then: 'continue' };
    }
  }

  #known(name: string): boolean {
    return name === '' || name === this.#options.name;
  }

  /** The transmission phase: requests until the client disconnects. */
  async #transmit(c: Connection, reader: SocketReader): Promise<void> {
    for (;;) {
      const raw = await reader.read(P.REQUEST_BYTES);
      const req = raw === undefined ? undefined : P.parseRequest(raw);
      if (req === undefined || req.type === P.CMD.DISC) return; // gone, garbage (hard disconnect), or a soft disconnect
      let payload: Uint8Array | undefined;
      if (req.type === P.CMD.WRITE) {
        if (req.length > P.MAX_PAYLOAD) {
          if (!(await reader.skip(req.length))) return;
          this.#reply(c, req.cookie, P.NBD_ERR.EINVAL);
          continue;
        }
        payload = await reader.read(req.length);
        if (payload === undefined) return;
      }
      const bytes = req.type === P.CMD.READ || req.type === P.CMD.WRITE ? req.length : 0;
      await c.admit(bytes);
      void this.#handle(req, payload)
        .catch((error: unknown) => {
          this.#options.onFatal?.(error);
          return { ok: false, error: P.NBD_ERR.EIO } as const;
        })
        .then((r) => {
          this.#reply(c, req.cookie, r.ok ? 0 : r.error, r.ok ? r.data : undefined);
          c.done(bytes);
        });
    }
  }

  /** Serves one request; its error number, or its data. */
  async #handle(req: P.Request, payload: Uint8Array | undefined): Promise<{ ok: true; data?: Uint8Array } | { ok: false; error: number }> {
    if (this.#closing) return { ok: false, error: P.NBD_ERR.ESHUTDOWN };
    if ((req.flags & ~P.CMD_FLAG.FUA) !== 0) return { ok: false, error: P.NBD_ERR.EINVAL };
    const size = BigInt(this.#export.size);
    const inRange = req.offset <= size && BigInt(req.length) <= size - req.offset;
    switch (req.type) {
      case P.CMD.READ:
        if (!inRange || req.length > P.MAX_PAYLOAD) return { ok: false, error: P.NBD_ERR.EINVAL };
        return this.#export.read(Number(req.offset), req.length);
      case P.CMD.WRITE:
        if (!inRange) return { ok: false, error: P.NBD_ERR.ENOSPC };
        return this.#export.write(Number(req.offset), payload!);
      case P.CMD.FLUSH:
        return { ok: true }; // every write answered is durable already
      case P.CMD.TRIM:
        return inRange ? { ok: true } : { ok: false, error: P.NBD_ERR.EINVAL }; // a hint: ignored, as the spec allows
      default:
        return { ok: false, error: P.NBD_ERR.EINVAL };
    }
  }

  #reply(c: Connection, cookie: bigint, error: number, data?: Uint8Array): void {
    this.requests++;
    if (error !== 0) this.errors++;
    if (error === 0 && data !== undefined && data.length > 0) c.send(P.simpleReply(cookie, 0), data);
    else c.send(P.simpleReply(cookie, error));
  }
}
