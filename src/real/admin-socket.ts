// A node's admin socket: a Unix socket in its directory (mode 0600: only its
// owner may give orders), taking one JSON object per line — `{"op": "status"}`,
// `{"op": "join"}`, … — and answering each with one line, `{"ok": true, …}` or
// `{"ok": false, "error": "…"}`. What arrives is input: a line that is not one
// of the known orders is answered with an error, and a line longer than
// MAX_LINE ends the connection.
//
// The socket doubles as the node's lock on its directory: a node finding a
// socket there that answers refuses to start (another node owns the
// directory); one that does not answer is left over from a node that died,
// and is replaced.
import { chmod, rm } from 'node:fs/promises';
import { type Server, type Socket, connect, createServer } from 'node:net';

export const ADMIN_OPS = ['status', 'join', 'leave', 'restore', 'rebuild', 'fail', 'stop'] as const;
export type AdminOp = (typeof ADMIN_OPS)[number];

export type AdminReply = { readonly ok: true; readonly [field: string]: unknown } | { readonly ok: false; readonly error: string };

/** A node's answer to an order, and what it does once the answer is sent (a stop, a failure). */
export interface AdminAnswer {
  readonly reply: AdminReply;
  readonly after?: () => void;
}

export type AdminHandler = (op: AdminOp) => Promise<AdminAnswer>;

const MAX_LINE = 64 * 1024;
/** Linux's limit on a Unix socket's path (sun_path holds 108 bytes with its terminator). */
const MAX_SOCKET_PATH = 107;

export class AdminServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens at `path` (refusing if a live node answers there); `handle` answers each order. */
  static async listen(path: string, handle: AdminHandler): Promise<AdminServer> {
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) throw new Error(`${path}: longer than a Unix socket path may be (${MAX_SOCKET_PATH} bytes): choose a shorter directory`);
    if (await answers(path)) throw new Error(`${path}: another node is running in this directory (its admin socket answers)`);
    await rm(path, { force: true });
    let admin: AdminServer | undefined;
    // Half-open: a client may send its order and close its side at once (`echo … | nc -NU`); the answer still goes back.
    const server = createServer({ allowHalfOpen: true }, (socket) => admin!.#serve(socket, handle));
    admin = new AdminServer(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        server.on('error', () => {});
        resolve();
      });
    });
    await chmod(path, 0o600);
    return admin;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #serve(socket: Socket, handle: AdminHandler): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = '';
    let queue = Promise.resolve();
    socket.setEncoding('utf8');
    socket.on('end', () => void queue.then(() => socket.end()));
    socket.on('data', (chunk: string) => {
      pending += chunk;
      if (pending.length > MAX_LINE && !pending.includes('\n')) return void socket.end(`${JSON.stringify({ ok: false, error: `a line longer than ${MAX_LINE} bytes` })}\n`);
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        // One order at a time per connection, answered in order.
        queue = queue.then(async () => {
          const { reply, after } = await answer(line, handle);
          if (socket.destroyed) return after?.();
          socket.write(`${JSON.stringify(reply)}\n`, () => after?.());
        });
      }
    });
  }
}

async function answer(line: string, handle: AdminHandler): Promise<AdminAnswer> {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return { reply: { ok: false, error: 'not JSON: send one object per line, e.g. {"op": "status"}' } };
  }
  const op = typeof request === 'object' && request !== null ? (request as Record<string, unknown>)['op'] : undefined;
  if (typeof op !== 'string' || !(ADMIN_OPS as readonly string[]).includes(op)) return { reply: { ok: false, error: `unknown op ${JSON.stringify(op)}; expected one of ${ADMIN_OPS.join(', ')}` } };
  try {
    return await handle(op as AdminOp);
  } catch (error) {
    return { reply: { ok: false, error: error instanceof Error ? error.message : String(error) } };
  }
}

/** Is a live node listening at `path`? */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Sends one order to the node whose admin socket is `path`; its answer, or an error reply if it cannot be reached or is silent for `timeoutMs`. */
export function adminRequest(path: string, op: AdminOp, timeoutMs = 5000): Promise<AdminReply> {
  return new Promise((resolve) => {
    const s = connect(path);
    let text = '';
    let settled = false;
    const done = (reply: AdminReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    s.setEncoding('utf8');
    s.once('connect', () => s.write(`${JSON.stringify({ op })}\n`));
    s.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      try {
        done(JSON.parse(text.slice(0, newline)) as AdminReply);
      } catch {
        done({ ok: false, error: 'the node answered something that is not JSON' });
      }
    });
    s.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, error: error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? 'not running (its admin socket does not answer)' : error.message }));
    s.once('close', () => done({ ok: false, error: 'the node hung up without answering' }));
  });
}
