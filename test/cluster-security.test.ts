// A 4+1 cluster with its keys, end to end (#16): `cluster init` makes the keys, `cluster up`
// starts the nodes. A stranger without a key then tries every port — the five peer ports with
// plain TCP carrying a well-formed protocol frame, a guessed key, the right key under a name no
// node has; the four NBD exports with plain options, EXPORT_NAME, and STARTTLS with a guessed
// key; the five admin sockets as another user — and every attempt is refused, while real hosts
// (libnbd's nbdcopy over nbds:// with the hosts' PSK file; the tests' own TLS client where
// libnbd is not installed) write every primary and read it back. After `cluster down`, each
// primary's image holds exactly what its host wrote, parity's image is the XOR of the four,
// and neither key appears, in hex, base64 or raw, in any log or any command's output.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode } from '../src/protocol/codec.js';
import { encodeFrame } from '../src/real/tcp-frames.js';
import { NbdClient, openExport } from './nbd-client.js';
import { exchange, freePorts, open, secretForms } from './wire-attacks.js';

setTimeout(() => {
  console.error('cluster-security.test.ts: watchdog: no result after 150 s');
  process.exit(1);
}, 150_000).unref();

const BIN = new URL('../bin/xorsim.mjs', import.meta.url).pathname;
const B = 4096;
const BLOCKS = 32;
const NAMES = ['p1', 'p2', 'p3', 'p4'];
const ENV = { ...process.env };
delete ENV.FORCE_COLOR;
const outputs: string[] = [];

function xorsim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: ENV, timeout: 60_000 });
  outputs.push(r.stdout, r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hasLibnbd = spawnSync('nbdcopy', ['--version']).status === 0;

test('a stranger is refused at every port of a 4+1 cluster; hosts with the key write and read back; Q = XOR of the images; no key in any output', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-sec-'));
  const run = join(dir, 'c.run');
  const ports = await freePorts(9);
  const peer = ports.slice(0, 5);
  const nbd = ports.slice(5);
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({
    name: 'sec',
    nbdPsk: 'hosts.psk',
    parity: { address: `127.0.0.1:${peer[0]}`, dir: 'nodes/parity' },
    primaries: NAMES.map((n, i) => ({ name: n, address: `127.0.0.1:${peer[i + 1]}`, nbd: nbd[i], dir: `nodes/${n}`, blocks: BLOCKS })),
  }));
  try {
    const init = xorsim('cluster', 'init', file);
    assert.is(init.code, 0, init.stderr);
    const up = xorsim('cluster', 'up', file);
    assert.is(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /5 of 5 nodes running/);
    const peerKey = Buffer.from(readFileSync(join(dir, 'c.key'), 'utf8').trim(), 'hex');
    const hostKey = Buffer.from(readFileSync(join(dir, 'hosts.psk'), 'utf8').trim().split(':')[1]!, 'hex');
    const guess = Buffer.alloc(32, 0x5a);

    // Hosts write every primary while the stranger tries every port.
    const images = NAMES.map((_, i) => Buffer.from(Array.from({ length: BLOCKS * B }, (_, j) => (j * 7 + i * 13 + (j >> 12)) & 0xff)));
    const hosts = Promise.all(NAMES.map((_, i) => hostWrites(dir, nbd[i]!, images[i]!, hostKey)));

    for (const port of peer) {
      const plain = await exchange((await open(port))!, [encodeFrame(new TextEncoder().encode('p1'), encode({ type: 'leave-request', id: 1 }))], 3000);
      assert.ok(plain.closed, `peer port ${port}: plain TCP closed`);
      assert.is(await open(port, { identity: 'p1', key: guess }), undefined, `peer port ${port}: a guessed key refused`);
      assert.is(await open(port, { identity: 'mallory', key: peerKey }), undefined, `peer port ${port}: a name no node has refused, even with the key`);
    }
    for (const port of nbd) {
      const c = await NbdClient.connect(port);
      await c.greet();
      const go = await c.go('');
      assert.is(go.final.type, 0x80000005, `nbd ${port}: GO without TLS: NBD_REP_ERR_TLS_REQD`);
      assert.is(go.negotiated, undefined, 'nothing about the export said');
      c.option(3);
      assert.is((await c.optionReply()).type, 0x80000005, `nbd ${port}: LIST without TLS refused`);
      c.option(1, Buffer.from(''));
      await c.closed(); // EXPORT_NAME cannot be refused but by hanging up
      const t = await NbdClient.connect(port);
      await t.greet();
      assert.is(await t.startTls('xorsim', guess), 'tls-failed', `nbd ${port}: a guessed key refused`);
      if (hasLibnbd) assert.is.not(spawnSync('nbdinfo', [`nbd://127.0.0.1:${port}`]).status, 0, 'nbdinfo without TLS fails');
    }
    const admins = ['parity', ...NAMES].map((n) => join(dir, 'nodes', n, 'admin.sock'));
    for (const a of admins) {
      assert.is(statSync(a).mode & 0o777, 0o600, `${a}: 0600`);
      assert.is(statSync(join(a, '..')).mode & 0o077, 0, 'its directory is its owner\'s alone');
    }
    if (process.getuid?.() === 0) {
      // Root passes every permission check: the stranger is another user.
      const script = `const net = require('node:net'); let left = ${admins.length}; for (const p of ${JSON.stringify(admins)}) { const s = net.connect(p); s.on('connect', () => { console.log('CONNECTED ' + p); s.end('{"op":"stop"}\\n'); if (--left === 0) process.exit(0); }); s.on('error', (e) => { console.log(e.code); if (--left === 0) process.exit(0); }); }`;
      const stranger = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 10_000 });
      assert.is(stranger.stdout.trim().split('\n').filter((l) => l === 'EACCES').length, admins.length, `another user reaches no admin socket: ${stranger.stdout}${stranger.stderr}`);
    }

    await hosts;
    const status = xorsim('cluster', 'status', file);
    assert.match(status.stdout, /5 of 5 nodes running/, 'every node survived');
    const down = xorsim('cluster', 'down', file);
    assert.is(down.code, 0, down.stderr);

    const img = (n: string) => readFileSync(join(dir, 'nodes', n, 'array.img'));
    NAMES.forEach((n, i) => assert.ok(img(n).subarray(0, BLOCKS * B).equals(images[i]!), `${n} holds exactly what its host wrote`));
    const q = img('parity');
    for (let j = 0; j < BLOCKS * B; j++) {
      const x = images[0]![j]! ^ images[1]![j]! ^ images[2]![j]! ^ images[3]![j]!;
      if ((q[j] ?? 0) !== x) assert.unreachable(`parity differs from p1^p2^p3^p4 at byte ${j}`);
    }

    const logs = readdirSync(run).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(run, f)));
    const all = Buffer.concat([...logs, ...outputs.map((o) => Buffer.from(o ?? ''))]);
    for (const s of [...secretForms(peerKey), ...secretForms(hostKey)]) assert.is(all.indexOf(s), -1, 'no key in any log or output');
    const text = all.toString('utf8');
    for (const n of ['parity', ...NAMES]) assert.match(readFileSync(join(run, `${n}.log`), 'utf8'), / refused: authentication failed/, `${n} logged the refusals`);
    for (const n of NAMES) assert.match(readFileSync(join(run, `${n}.log`), 'utf8'), /nbd client .* refused: (TLS as "xorsim" failed|option 7 without TLS)/, `${n} logged the NBD refusals`);
    assert.not.match(text, /fatal/);
  } finally {
    xorsim('cluster', 'down', file, '--timeout', '5');
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A host writes `image` to the export and reads it back: nbdcopy over nbds:// with the hosts' PSK file, or the tests' own client with TLS. */
async function hostWrites(dir: string, port: number, image: Buffer, hostKey: Buffer): Promise<void> {
  if (hasLibnbd) {
    const uri = `nbds://xorsim@127.0.0.1:${port}/?tls-psk-file=${join(dir, 'hosts.psk')}`;
    const src = join(dir, `in-${port}.bin`);
    const back = join(dir, `out-${port}.bin`);
    writeFileSync(src, image);
    for (const [from, to] of [[src, uri], [uri, back]]) {
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const c = spawn('nbdcopy', [from!, to!], { stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d));
        c.stdout.on('data', (d: Buffer) => outputs.push(d.toString()));
        c.on('close', (code) => resolve({ code, err }));
      });
      outputs.push(r.err);
      assert.is(r.code, 0, `nbdcopy ${from} ${to}: ${r.err}`);
    }
    assert.ok(readFileSync(back).equals(image), 'nbdcopy reads back what it wrote');
    return;
  }
  console.log('cluster-security.test.ts: nbdcopy not installed (libnbd-bin): the host is the tests\' own NBD client with TLS');
  const { client } = await openExport(port, '', { identity: 'xorsim', key: hostKey });
  for (let k = 0; k < BLOCKS; k++) assert.is((await client.request(1, k * B, B, image.subarray(k * B, (k + 1) * B))).error, 0);
  for (let k = 0; k < BLOCKS; k++) assert.ok((await client.request(0, k * B, B)).data.equals(image.subarray(k * B, (k + 1) * B)));
  client.close();
}

test.run();
