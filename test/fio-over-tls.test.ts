// fio with its own verification through exports that require TLS (#16): a 2+1 cluster whose
// cluster file has `nbdPsk`, so every export takes only STARTTLS with a host's key. fio's NBD
// engine cannot hand libnbd a PSK file (libnbd refuses `tls-psk-file` in a URI unless the program
// allows local files, and fio does not), so each export is reached through nbdkit's nbd plugin:
// TLS-PSK with the hosts' key to the export, plain NBD on a Unix socket only this test uses.
// fio writes every primary (random 4 KiB writes, crc32c), verifies every acknowledged write, and
// after `cluster down` parity's image is the XOR of the primaries' (the test's own loop). Skipped,
// saying so, without fio or nbdkit (Debian: fio, nbdkit; .ci/run installs both).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { freePorts } from '../cli/free-ports.js';
import { FIO_BLOCK, type FioSet, fioVerify, fioWrite } from './fio-jobs.js';
import { tool, xorsim } from './real-cluster.js';

setTimeout(() => {
  console.error('fio-over-tls.test.ts: watchdog: no result after 120 s');
  process.exit(1);
}, 120_000).unref();

const BLOCKS = 256; // 1 MiB per primary
const NAMES = ['p1', 'p2'];

const fio = tool('fio', 'fio through TLS exports');
const nbdkit = fio === undefined ? undefined : tool('nbdkit', 'fio through TLS exports');

/** Waits until `path` exists (nbdkit's socket), or gives up. */
async function appears(path: string, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (existsSync(path)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

test('fio verifies every acknowledged write through exports that require TLS-PSK; Q = XOR of the images', async () => {
  if (fio === undefined || nbdkit === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-fio-tls-'));
  const file = join(dir, 'c.json');
  const ports = await freePorts(5);
  writeFileSync(file, JSON.stringify({
    name: 'fio-tls',
    nbdPsk: 'hosts.psk',
    parity: { address: `127.0.0.1:${ports[0]}`, dir: 'nodes/parity' },
    primaries: NAMES.map((n, i) => ({ name: n, address: `127.0.0.1:${ports[i + 1]}`, nbd: ports[i + 3], dir: `nodes/${n}`, blocks: BLOCKS })),
  }));
  const bridges: ChildProcess[] = [];
  try {
    const up = xorsim('cluster', 'up', file); // a new cluster: `up` makes its keys
    assert.is(up.code, 0, up.stdout + up.stderr);
    const identity = readFileSync(join(dir, 'hosts.psk'), 'utf8').split(':')[0]!;
    const sockets = NAMES.map((n) => join(dir, `${n}.sock`));
    NAMES.forEach((_, i) => {
      const args = ['--foreground', '--exit-with-parent', '-U', sockets[i]!, 'nbd', 'hostname=127.0.0.1', `port=${ports[i + 3]}`, 'tls=require', `tls-psk=${join(dir, 'hosts.psk')}`, `tls-username=${identity}`];
      bridges.push(spawn(nbdkit, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
    });
    for (const s of sockets) assert.ok(await appears(s, 10_000), `nbdkit listens on ${s}`);

    const set: FioSet = {
      bytes: BLOCKS * FIO_BLOCK,
      jobs: NAMES.map((n, i) => ({ name: n, port: ports[i + 3]!, uri: `nbd+unix:///?socket=${sockets[i]}`, offset: 0, seed: 1000 + i })),
      dir,
      tag: 'tls',
    };
    const wrote = await fioWrite(set);
    assert.is(wrote.code, 0, `fio write: ${wrote.stderr}`);
    assert.equal(wrote.errors, [0, 0], 'no write failed');
    assert.equal(wrote.blocks, [BLOCKS, BLOCKS], 'every write acknowledged');
    const verified = await fioVerify(set);
    assert.is(verified.code, 0, `fio verify: ${verified.stderr}`);
    assert.equal(verified.errors, [0, 0], 'every acknowledged write verifies');
    assert.equal(verified.blocks, [BLOCKS, BLOCKS], 'as many blocks verified as acknowledged');

    for (const b of bridges) b.kill('SIGTERM');
    const down = xorsim('cluster', 'down', file);
    assert.is(down.code, 0, down.stderr);
    const img = (n: string) => readFileSync(join(dir, 'nodes', n, 'array.img'));
    const [a, b, q] = [img('p1'), img('p2'), img('parity')];
    for (let j = 0; j < BLOCKS * FIO_BLOCK; j++) {
      if (((a[j] ?? 0) ^ (b[j] ?? 0)) !== (q[j] ?? 0)) assert.unreachable(`parity differs from p1^p2 at byte ${j}`);
    }
  } finally {
    for (const b of bridges) b.kill('SIGKILL');
    xorsim('cluster', 'down', file, '--timeout', '5');
    rmSync(dir, { recursive: true, force: true });
  }
});
test.run();
