// What a stranger (or a peer gone bad) can do to a node's listeners, for the
// security tests (wire-fuzz.test.ts, cluster-security.test.ts): open a plain
// TCP connection or a TLS-PSK one with a chosen identity and key, send bytes,
// and see what comes back and whether the node hangs up.
import { type Socket, connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { freePorts } from '../cli/free-ports.js';
export { freePorts };

export interface Exchange {
  /** The node closed the connection before we gave up waiting. */
  readonly closed: boolean;
  readonly received: Buffer;
}

/** TLS-PSK as the nodes and hosts speak it (src/real/psk.ts). */
const PSK = { ciphers: 'ECDHE-PSK-CHACHA20-POLY1305', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;

/** A plain TCP connection, or a TLS-PSK one once its handshake is done; undefined if the handshake failed (refused). */
export function open(port: number, tls?: { identity: string; key: Uint8Array }): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = tls === undefined ? connect(port, '127.0.0.1') : connectTls({ host: '127.0.0.1', port, ...PSK, pskCallback: () => ({ psk: Buffer.from(tls.key), identity: tls.identity }), checkServerIdentity: () => undefined });
    socket.once(tls === undefined ? 'connect' : 'secureConnect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
    socket.once('close', () => resolve(undefined));
  });
}

/** Sends `chunks` in order on `socket`, then waits up to `waitMs` for the node to hang up; everything it said. */
export function exchange(socket: Socket, chunks: readonly Uint8Array[], waitMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    let closed = false;
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => {});
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ closed, received: Buffer.concat(got) });
    };
    socket.once('close', () => {
      closed = true;
      finish();
    });
    const timer = setTimeout(finish, waitMs);
    for (const c of chunks) if (!socket.destroyed) socket.write(c);
  });
}


/** Every way `secret` could be written in a log: hex either case, base64, and the raw bytes. */
export function secretForms(secret: Buffer): Buffer[] {
  const forms = [secret.toString('hex'), secret.toString('hex').toUpperCase(), secret.toString('base64'), secret.toString('base64url')].map((s) => Buffer.from(s));
  return [...forms, Buffer.from(secret)];
}
