// The NBD server (src/real/nbd-server.ts) over an array in memory, driven by
// the tests' own client (nbd-client.ts): the handshake both ways, reads and
// writes aligned or not (sub-block writes read-modify-write their block, and
// concurrent ones into one block all land), every kind of bad request
// answered with its error and the connection kept, garbage ending it, errors
// of the array reported as EIO, a shutdown that lets requests in flight
// finish. Then, where they are installed, real clients: libnbd's nbdinfo,
// fio's nbd engine with verification, qemu-io.
import { execFile, spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostReadResult, HostWriteResult } from '../src/primary/host-io.js';
import { BlockExport, type BlockTarget } from '../src/real/nbd-export.js';
import { NbdServer } from '../src/real/nbd-server.js';
import { NbdClient, openExport } from './nbd-client.js';

setTimeout(() => {
  console.error('nbd.test.ts: watchdog: no result after 60 s');
  process.exit(1);
}, 60_000).unref();

const B = 4096;
const BLOCKS = 64;
const READ = 0;
const WRITE = 1;
const DISC = 2;
const FLUSH = 3;
const TRIM = 4;
const EPERM = 1;
const EIO = 5;
const EINVAL = 22;
const ENOSPC = 28;

/** An array in memory, with blocks that can be made lost (reads fail data-lost) and a delay per operation. */
class MemoryArray implements BlockTarget {
  readonly blockBytes = B;
  readonly blockCount = BLOCKS;
  readonly blocks = Array.from({ length: BLOCKS }, () => new Uint8Array(B));
  readonly lost = new Set<number>();
  decommissioned = false;
  delayMs = 0;
  writes = 0;
  /** Operations begun. */
  started = 0;

  async read(block: number): Promise<HostReadResult> {
    await this.#pause();
    if (this.lost.has(block)) return { ok: false, error: 'data-lost' };
    return { ok: true, data: this.blocks[block]!.slice() };
  }

  async write(block: number, data: Uint8Array): Promise<HostWriteResult> {
    await this.#pause();
    if (this.decommissioned) return { ok: false, error: 'decommissioned' };
    if (data.length !== B) throw new Error(`write of ${data.length} bytes`);
    this.blocks[block] = data.slice();
    this.lost.delete(block);
    this.writes++;
    return { ok: true };
  }

  async #pause(): Promise<void> {
    this.started++;
    // A turn of the event loop at least, so concurrent requests interleave.
    await new Promise((r) => setTimeout(r, this.delayMs));
  }
}

async function serve(array = new MemoryArray()) {
  const server = await NbdServer.listen(new BlockExport(array), { name: 'p1', host: '127.0.0.1', port: 0 });
  return { array, server, port: server.address.port };
}

function pattern(seed: number, length: number): Buffer {
  let x = seed * 2654435761 + 1;
  return Buffer.from(Array.from({ length }, () => ((x = (x ^ (x << 13)) >>> 0), (x ^= x >>> 17), (x = (x ^ (x << 5)) >>> 0), x & 0xff)));
}

test('GO: size, flags (flush, FUA, trim, multi-conn) and block sizes (1, the block, 32 MiB); the default and the named export', async () => {
  const { server, port } = await serve();
  try {
    for (const name of ['', 'p1']) {
      const c = await NbdClient.connect(port);
      await c.greet();
      assert.is(c.handshakeFlags, 0b11, 'fixed newstyle, no zeroes');
      const { final, negotiated } = await c.go(name);
      assert.is(final.type, 1, 'ACK');
      assert.is(negotiated!.size, BigInt(B * BLOCKS));
      assert.is(negotiated!.flags, 1 | 4 | 8 | 32 | 256);
      assert.equal(negotiated!.blockSize, [1, B, 32 * 1024 * 1024]);
      c.transmission();
      assert.is((await c.request(FLUSH, 0, 0)).error, 0);
      c.close();
    }
  } finally {
    await server.close();
  }
});

test('options: unknown ones ERR_UNSUP, an unknown export ERR_UNKNOWN, INFO then LIST then GO on one connection; ABORT answered', async () => {
  const { server, port } = await serve();
  try {
    const c = await NbdClient.connect(port);
    await c.greet();
    c.option(8); // NBD_OPT_STRUCTURED_REPLY: simple replies only here
    assert.is((await c.optionReply()).type, 0x80000001);
    assert.is((await c.go('nope')).final.type, 0x80000006);
    assert.is((await c.go('p1', [3], 6)).final.type, 1, 'INFO');
    c.option(3);
    const entry = await c.optionReply();
    assert.is(entry.type, 2);
    assert.is(entry.data.subarray(4).toString(), 'p1');
    assert.is((await c.optionReply()).type, 1);
    c.option(6, Buffer.from([0, 0, 0, 9])); // a name length past the data
    assert.is((await c.optionReply()).type, 0x80000003, 'ERR_INVALID');
    c.option(7, Buffer.alloc(5000)); // past the option data bound: skipped, refused
    assert.is((await c.optionReply()).type, 0x80000009, 'ERR_TOO_BIG');
    assert.is((await c.go('p1')).final.type, 1);
    c.close();
    const a = await NbdClient.connect(port);
    await a.greet();
    a.option(2);
    assert.is((await a.optionReply()).type, 1);
    await a.closed();
  } finally {
    await server.close();
  }
});

test('EXPORT_NAME: 124 zero bytes unless the client said no-zeroes; an unknown name or client flag ends the connection', async () => {
  const { server, port } = await serve();
  try {
    for (const zeroes of [true, false]) {
      const c = await NbdClient.connect(port);
      await c.greet(zeroes ? 0b01 : 0b11);
      const n = await c.exportName('p1', zeroes);
      assert.is(n.size, BigInt(B * BLOCKS));
      c.write(Buffer.from('x')); // nothing after the reply's padding: the next bytes are ours
      c.close();
    }
    const unknown = await NbdClient.connect(port);
    await unknown.greet();
    unknown.option(1, Buffer.from('nope'));
    await unknown.closed();
    const flags = await NbdClient.connect(port);
    await flags.greet(0b100);
    await flags.closed();
  } finally {
    await server.close();
  }
});

test('reads and writes, aligned or not: sub-block writes read-modify-write, concurrent ones into one block all land', async () => {
  const { array, server, port } = await serve();
  try {
    const { client } = await openExport(port, 'p1');
    const model = Buffer.alloc(B * BLOCKS);
    const writes: [number, Buffer][] = [[0, pattern(1, 3 * B)], [B + 100, pattern(2, 5000)], [10 * B - 1, pattern(3, 2)], [20 * B, pattern(4, 1)]];
    for (const [offset, data] of writes) {
      assert.is((await client.request(WRITE, offset, data.length, data)).error, 0);
      data.copy(model, offset);
    }
    // 8 writes of 512 bytes into block 30, all in flight at once.
    array.delayMs = 2;
    const sectors = Array.from({ length: 8 }, (_, i) => pattern(100 + i, 512));
    const r = await Promise.all(sectors.map((d, i) => client.request(WRITE, 30 * B + 512 * i, 512, d)));
    assert.equal(r.map((x) => x.error), [0, 0, 0, 0, 0, 0, 0, 0]);
    sectors.forEach((d, i) => d.copy(model, 30 * B + 512 * i));
    array.delayMs = 0;
    for (const [offset, length] of [[0, B * BLOCKS], [B + 99, 5002], [10 * B - 3, 7], [30 * B, B]] as const) {
      const got = await client.request(READ, offset, length);
      assert.is(got.error, 0);
      assert.ok(got.data.equals(model.subarray(offset, offset + length)), `read ${offset}+${length}`);
    }
    assert.ok(Buffer.from(array.blocks[30]!).equals(model.subarray(30 * B, 31 * B)), 'the array holds what was written');
    assert.equal([(await client.request(READ, 0, 0)).error, (await client.request(FLUSH, 0, 0, undefined, 1)).error, (await client.request(TRIM, 0, B)).error], [0, 0, 0]);
    client.request(DISC, 0, 0);
    await client.closed();
  } finally {
    await server.close();
  }
});

test('bad requests answered with their error, the connection kept: past the end, too long, unknown command or flag; array errors', async () => {
  const { array, server, port } = await serve();
  try {
    const { client } = await openExport(port);
    const size = B * BLOCKS;
    const ask = async (...args: Parameters<NbdClient['request']>) => (await client.request(...args)).error;
    assert.is(await ask(READ, size - 10, 11), EINVAL, 'read past the end');
    assert.is(await ask(READ, 2n ** 64n - 1n, 2), EINVAL, 'an offset near 2^64');
    assert.is(await ask(WRITE, size - 1, 2, Buffer.alloc(2)), ENOSPC, 'write past the end');
    assert.is(await ask(TRIM, size, 1), EINVAL);
    assert.is(await ask(READ, 0, 0xffffffff), EINVAL, 'a read longer than 32 MiB: refused, nothing allocated');
    const big = 32 * 1024 * 1024 + 1;
    assert.is(await ask(WRITE, 0, big, Buffer.alloc(big)), EINVAL, 'a write longer than 32 MiB: read, discarded, refused');
    assert.is(await ask(9, 0, 0), EINVAL, 'unknown command');
    assert.is(await ask(READ, 0, 512, undefined, 1 << 2), EINVAL, 'a flag this server did not offer');
    array.lost.add(3);
    assert.is(await ask(READ, 2 * B, 2 * B), EIO, 'a read touching a lost block');
    assert.is(await ask(WRITE, 3 * B + 1, 1, Buffer.alloc(1)), EIO, 'a sub-block write cannot patch a lost block');
    assert.is(await ask(WRITE, 3 * B, B, Buffer.alloc(B)), 0, 'a whole-block write replaces it');
    array.decommissioned = true;
    assert.is(await ask(WRITE, 0, B, Buffer.alloc(B)), EPERM);
    assert.is(await ask(READ, 0, B), 0, 'still answering');
    client.write(Buffer.alloc(28)); // a request with a bad magic: hard disconnect
    await client.closed();
  } finally {
    await server.close();
  }
});

test('close: requests in flight are answered before the server hangs up; no new connection is taken', async () => {
  const { array, server, port } = await serve();
  const { client } = await openExport(port);
  array.delayMs = 50;
  const writes = Array.from({ length: 4 }, (_, i) => client.request(WRITE, i * B, B, pattern(i, B)));
  while (array.started < 4) await new Promise((r) => setTimeout(r, 1));
  await server.close();
  assert.equal((await Promise.all(writes)).map((w) => w.error), [0, 0, 0, 0]);
  assert.is(array.writes, 4);
  await client.closed();
  await NbdClient.connect(port).then(
    (c) => (c.close(), assert.unreachable('a connection after close')),
    () => {},
  );
});

/** Runs a tool without blocking this process (the server under test lives in it): exit status and output. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}

/** A tool's path, or undefined (the test says it skipped). */
function tool(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  process.stdout.write(`  (${name} not installed: its check skipped)\n`); // not console.log: under uvu it warns about NO_COLOR
  return undefined;
}

test('real clients, where installed: nbdinfo, fio (nbd engine, written and verified), qemu-io', async () => {
  const { array, server, port } = await serve();
  const uri = `nbd://127.0.0.1:${port}`;
  try {
    if (tool('nbdinfo') !== undefined) {
      const r = await run('nbdinfo', ['--json', uri], 10_000);
      assert.is(r.status, 0, r.stderr);
      const info = JSON.parse(r.stdout).exports[0];
      assert.is(info['export-size'], B * BLOCKS);
      assert.is(info['block_size_preferred'], B);
      assert.is(info['can_flush'], true);
    }
    if (tool('fio') !== undefined) {
      const args = ['--name=verify', '--ioengine=nbd', `--uri=${uri}`, '--rw=randwrite', '--bs=4k', '--size=256k', '--iodepth=4', '--verify=crc32c', '--do_verify=1', '--verify_state_save=0', '--output-format=terse'];
      const r = await run('fio', args, 30_000);
      assert.is(r.status, 0, r.stdout + r.stderr);
      assert.ok(array.writes >= 64, `fio wrote ${array.writes} blocks`);
    }
    if (tool('qemu-io') !== undefined) {
      const r = await run('qemu-io', ['-f', 'raw', '-c', 'write -P 0x5a 8k 4k', '-c', 'read -P 0x5a 8k 4k', uri], 10_000);
      assert.is(r.status, 0, r.stderr);
      assert.not.match(r.stdout, /Pattern verification failed/);
    }
  } finally {
    await server.close();
  }
});

test.run();
