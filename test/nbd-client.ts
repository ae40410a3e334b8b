// A small NBD client for the tests, written from the protocol document
// (doc/proto.md of NetworkBlockDevice/nbd), not from the server's code: the
// fixed newstyle handshake (NBD_OPT_GO or NBD_OPT_EXPORT_NAME), simple replies,
// several requests in flight matched by cookie; NBD_OPT_STARTTLS with a
// TLS-PSK identity and key.
import { type Socket, connect } from 'node:net';
import { connect as connectTls } from 'node:tls';

const NBDMAGIC = 0x4e42444d41474943n;
const IHAVEOPT = 0x49484156454f5054n;
const REPLY_MAGIC = 0x3e889045565a9n;

export interface Negotiated {
  readonly size: bigint;
  readonly flags: number;
  /** NBD_INFO_BLOCK_SIZE's minimum, preferred, maximum, if sent. */
  readonly blockSize?: readonly [number, number, number];
}

export interface OptionAnswer {
  readonly type: number;
  readonly data: Buffer;
}

export class NbdClient {
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: (() => void)[] = [];
  #ended = false;
  #cookie = 1n;
  /** Reads waiting for their reply, by cookie, with the length their data has. */
  readonly #pending = new Map<bigint, { length: number; resolve: (r: { error: number; data: Buffer }) => void }>();
  handshakeFlags = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#attach(socket);
  }

  #attach(socket: Socket): void {
    socket.on('data', (d: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, d]);
      this.#wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
      // Requests the server never answered: the connection is gone (error -1, no NBD error number).
      for (const p of this.#pending.values()) p.resolve({ error: -1, data: Buffer.alloc(0) });
      this.#pending.clear();
    });
    socket.on('error', () => {});
  }

  /**
   * NBD_OPT_STARTTLS, then a TLS-PSK handshake as `identity` with `key` on the same connection;
   * the option reply's type if it was not ACK, 'tls-failed' if the handshake failed.
   */
  async startTls(identity: string, key: Uint8Array): Promise<'ok' | 'tls-failed' | number> {
    this.option(5);
    const r = await this.optionReply();
    if (r.type !== 1) return r.type;
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = connectTls({ socket: plain, ciphers: 'ECDHE-PSK-CHACHA20-POLY1305', maxVersion: 'TLSv1.2', pskCallback: () => ({ psk: Buffer.from(key), identity }), checkServerIdentity: () => undefined });
    const ok = await new Promise<boolean>((resolve) => {
      secure.once('secureConnect', () => resolve(true));
      secure.once('error', () => resolve(false));
      secure.once('close', () => resolve(false));
    });
    this.#socket = secure;
    this.#attach(secure);
    if (!ok) {
      this.#ended = true;
      this.#wake();
    }
    return ok ? 'ok' : 'tls-failed';
  }

  static connect(port: number, host = '127.0.0.1'): Promise<NbdClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new NbdClient(socket)));
      socket.once('error', reject);
    });
  }

  /** The server's greeting, then our client flags. */
  async greet(clientFlags = 0b11): Promise<void> {
    const g = await this.read(18);
    if (g.readBigUInt64BE(0) !== NBDMAGIC || g.readBigUInt64BE(8) !== IHAVEOPT) throw new Error('not an NBD newstyle server');
    this.handshakeFlags = g.readUInt16BE(16);
    this.write(u32(clientFlags));
  }

  option(option: number, data: Uint8Array = new Uint8Array(0)): void {
    const h = Buffer.alloc(16);
    h.writeBigUInt64BE(IHAVEOPT, 0);
    h.writeUInt32BE(option, 8);
    h.writeUInt32BE(data.length, 12);
    this.write(Buffer.concat([h, data]));
  }

  /** One option reply. */
  async optionReply(): Promise<OptionAnswer> {
    const h = await this.read(20);
    if (h.readBigUInt64BE(0) !== REPLY_MAGIC) throw new Error('bad option reply magic');
    return { type: h.readUInt32BE(12), data: await this.read(h.readUInt32BE(16)) };
  }

  /** NBD_OPT_GO (7) or INFO (6) for `name`, asking for the given infos; the replies up to the final one. */
  async go(name = '', infos: number[] = [3], option = 7): Promise<{ final: OptionAnswer; negotiated?: Negotiated }> {
    const n = Buffer.from(name);
    const data = Buffer.concat([u32(n.length), n, u16(infos.length), ...infos.map(u16)]);
    this.option(option, data);
    let size = -1n;
    let flags = 0;
    let blockSize: [number, number, number] | undefined;
    for (;;) {
      const r = await this.optionReply();
      if (r.type !== 3) return { final: r, ...(size >= 0n && { negotiated: { size, flags, ...(blockSize && { blockSize }) } }) };
      const info = r.data.readUInt16BE(0);
      if (info === 0) [size, flags] = [r.data.readBigUInt64BE(2), r.data.readUInt16BE(10)];
      if (info === 3) blockSize = [r.data.readUInt32BE(2), r.data.readUInt32BE(6), r.data.readUInt32BE(10)];
    }
  }

  /** NBD_OPT_EXPORT_NAME: size and flags, then (unless no-zeroes) 124 zero bytes. */
  async exportName(name: string, zeroes: boolean): Promise<Negotiated> {
    this.option(1, Buffer.from(name));
    const r = await this.read(10 + (zeroes ? 124 : 0));
    if (zeroes && r.subarray(10).some((b) => b !== 0)) throw new Error('padding not zero');
    this.#startReplies();
    return { size: r.readBigUInt64BE(0), flags: r.readUInt16BE(8) };
  }

  /** After a successful GO: replies to requests from here on. */
  transmission(): void {
    this.#startReplies();
  }

  /** Sends a request; resolves with its reply (error, and a read's data). */
  request(type: number, offset: bigint | number, length: number, data?: Uint8Array, flags = 0): Promise<{ error: number; data: Buffer }> {
    const cookie = this.#cookie++;
    const h = Buffer.alloc(28);
    h.writeUInt32BE(0x25609513, 0);
    h.writeUInt16BE(flags, 4);
    h.writeUInt16BE(type, 6);
    h.writeBigUInt64BE(cookie, 8);
    h.writeBigUInt64BE(BigInt(offset), 16);
    h.writeUInt32BE(length, 24);
    const reply = new Promise<{ error: number; data: Buffer }>((resolve) => this.#pending.set(cookie, { length: type === 0 ? length : 0, resolve }));
    this.write(data === undefined ? h : Buffer.concat([h, data]));
    return reply;
  }

  async read(n: number): Promise<Buffer> {
    while (this.#buffer.length < n) {
      if (this.#ended) throw new Error(`connection closed (wanted ${n} bytes, had ${this.#buffer.length})`);
      await new Promise<void>((r) => this.#waiting.push(r));
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return Buffer.from(out);
  }

  write(data: Uint8Array): void {
    this.#socket.write(data);
  }

  /** Resolves when the server has closed the connection. */
  async closed(): Promise<void> {
    while (!this.#ended) await new Promise<void>((r) => this.#waiting.push(r));
  }

  close(): void {
    this.#socket.destroy();
  }

  /** Reads simple replies as they come, a read's data after its header. */
  #startReplies(): void {
    void (async () => {
      for (;;) {
        const h = await this.read(16).catch(() => undefined);
        if (h === undefined) return;
        if (h.readUInt32BE(0) !== 0x67446698) throw new Error('bad reply magic');
        const cookie = h.readBigUInt64BE(8);
        const p = this.#pending.get(cookie);
        if (p === undefined) throw new Error(`reply to unknown cookie ${cookie}`);
        this.#pending.delete(cookie);
        const error = h.readUInt32BE(4);
        p.resolve({ error, data: error === 0 ? await this.read(p.length) : Buffer.alloc(0) });
      }
    })();
  }

  #wake(): void {
    for (const w of this.#waiting.splice(0)) w();
  }
}

/** A connected client in the transmission phase (GO with NBD_INFO_BLOCK_SIZE). */
export async function openExport(port: number, name = '', tls?: { identity: string; key: Uint8Array }): Promise<{ client: NbdClient; negotiated: Negotiated }> {
  const client = await NbdClient.connect(port);
  await client.greet();
  if (tls !== undefined) {
    const started = await client.startTls(tls.identity, tls.key);
    if (started !== 'ok') throw new Error(`STARTTLS: ${started}`);
  }
  const { final, negotiated } = await client.go(name);
  if (final.type !== 1 || negotiated === undefined) throw new Error(`GO refused: reply type ${final.type} ${final.data.toString()}`);
  client.transmission();
  return { client, negotiated };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
