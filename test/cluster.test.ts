// A real cluster end to end, through the command line: `xorsim cluster up`
// starts a 2+1 cluster of node processes on small arrays in a temporary
// directory; hosts write through NBD (the tests' own client); a primary is
// SIGKILLed with writes in flight and started again, and every acknowledged
// write reads back; the other primary's array fails and a replacement is
// restored from parity, and reads back; `cluster down` stops them all, and the
// parity image is checked against the primaries' images with a byte loop of
// its own. Bad input to `node` and `cluster` is one line and exit 2.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { xorsimHere } from './in-process-cli.js';
import { type NbdClient, openExport } from './nbd-client.js';
import { freePorts, killAll, xorsim } from './real-cluster.js';

setTimeout(() => {
  console.error('cluster.test.ts: watchdog: no result after 120 s');
  process.exit(1);
}, 120_000).unref();

const B = 4096;
const BLOCKS = 96;
const WRITE = 1;
const READ = 0;

function data(seed: number): Buffer {
  let x = (seed * 2654435761) >>> 0 || 1;
  const b = Buffer.alloc(B);
  for (let i = 0; i < B; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/**
 * Writes every block of a primary through NBD, a few at a time, each block one write at a time;
 * `model` keeps what each block may hold: its last acknowledged data, and a write of it still
 * unanswered (which may or may not have landed when the node dies).
 */
async function writeAll(client: NbdClient, seedBase: number, model: Map<number, Buffer[]>, onProgress?: (done: number) => void): Promise<number> {
  let next = 0;
  let acked = 0;
  const worker = async () => {
    while (next < BLOCKS) {
      const k = next++;
      const d = data(seedBase + k);
      model.set(k, [...(model.get(k) ?? [Buffer.alloc(B)]).slice(0, 1), d]);
      const r = await client.request(WRITE, k * B, B, d);
      if (r.error !== 0) return; // the node went away under it
      model.set(k, [d]);
      acked++;
      onProgress?.(acked);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return acked;
}

async function readBack(port: number, model: Map<number, Buffer[]>): Promise<string[]> {
  const { client } = await openExport(port);
  const wrong: string[] = [];
  for (let k = 0; k < BLOCKS; k++) {
    const r = await client.request(READ, k * B, B);
    const allowed = model.get(k) ?? [Buffer.alloc(B)];
    if (r.error !== 0) wrong.push(`block ${k}: error ${r.error}`);
    else if (!allowed.some((a) => a.equals(r.data))) wrong.push(`block ${k}: holds none of the ${allowed.length} values it may`);
  }
  client.close();
  return wrong;
}

test('cluster up, writes through NBD, a primary SIGKILLed and restarted, a primary failed and replaced, down; Q = XOR of the images', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-cluster-'));
  const run = join(dir, 'c.run');
  const [q, a1, a2, n1, n2] = (await freePorts(5)) as [number, number, number, number, number];
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({
    name: 'e2e',
    parity: { address: `127.0.0.1:${q}`, dir: 'nodes/parity' },
    primaries: [
      { name: 'p1', address: `127.0.0.1:${a1}`, nbd: n1, dir: 'nodes/p1', blocks: BLOCKS },
      { name: 'p2', address: `127.0.0.1:${a2}`, nbd: n2, dir: 'nodes/p2', blocks: BLOCKS },
    ],
  }));
  try {
    const upped = xorsim('cluster', 'up', file);
    assert.is(upped.code, 0, upped.stdout + upped.stderr);
    assert.match(upped.stdout, /3 of 3 nodes running/);
    const m1 = new Map<number, Buffer[]>();
    const m2 = new Map<number, Buffer[]>();
    const c2 = (await openExport(n2)).client;
    assert.is(await writeAll(c2, 5000, m2), BLOCKS);
    // p1 dies (SIGKILL) with writes in flight, half-way through.
    const c1 = (await openExport(n1)).client;
    const pid1 = Number(readFileSync(join(run, 'p1.pid'), 'utf8'));
    const acked = await writeAll(c1, 1000, m1, (done) => done === BLOCKS / 2 && process.kill(pid1, 'SIGKILL'));
    assert.ok(acked >= BLOCKS / 2 && acked < BLOCKS, `${acked} writes acknowledged before the kill`);
    c1.close();
    const again = xorsim('cluster', 'up', file);
    assert.is(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /p2: already running/);
    assert.match(again.stdout, /p1 +primary +\d+ +running .* 2 +member/, 'p1 is back, boot 2');
    assert.equal(await readBack(n1, m1), [], 'every acknowledged write of p1 reads back after its SIGKILL');
    // p2's array fails; a replacement is restored from parity.
    const failed = xorsim('cluster', 'fail', file, 'p2');
    assert.is(failed.code, 0, failed.stderr);
    assert.not.ok(existsSync(join(dir, 'nodes/p2/array.img')));
    const refused = await xorsimHere('node', file, '--name', 'p2');
    assert.is(refused.code, 2, 'a lost array is not started as if it were whole');
    assert.match(refused.stderr, /p2 \(.*\): its array is gone \(image or journal missing\): it was lost; start it on a replacement with `xorsim cluster replace`/);
    const replaced = xorsim('cluster', 'replace', file, 'p2', '--wait');
    assert.is(replaced.code, 0, replaced.stdout + replaced.stderr);
    assert.match(replaced.stdout, /p2: restore done/);
    assert.equal(await readBack(n2, m2), [], 'the replacement holds every acknowledged write');
    const down = xorsim('cluster', 'down', file);
    assert.is(down.code, 0, down.stderr);
    assert.match(down.stdout, /p1: stopped[\s\S]*parity: stopped/);
    assert.is(readdirSync(run).filter((f) => f.endsWith('.pid')).length, 0, 'no pid file left');
    assertParityOfImages(dir);
  } finally {
    killAll(run);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Q[k] = p1[k] ^ p2[k] for every byte, read from the image files (past a file's end: zeros). */
function assertParityOfImages(dir: string): void {
  const [q, p1, p2] = ['parity', 'p1', 'p2'].map((n) => readFileSync(join(dir, 'nodes', n, 'array.img')));
  const at = (f: Buffer, i: number) => (i < f.length ? f[i]! : 0);
  let bad = -1;
  for (let i = 0; i < BLOCKS * B && bad < 0; i++) if (at(q!, i) !== (at(p1!, i) ^ at(p2!, i))) bad = i;
  assert.is(bad, -1, `parity differs from p1 ^ p2 at byte ${bad} (block ${Math.floor(bad / B)})`);
  assert.ok(p1!.length > 0 && p2!.length > 0, 'the primaries hold data');
}

test('bad input: a broken cluster file, an unknown node, a node never installed, a missing node argument, --members without --replace, a port in use — one line, exit 2, nothing installed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-cluster-bad-'));
  try {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ name: 'x', parity: { address: '127.0.0.1:1', dir: 'q' }, primaries: [{ name: 'p1', address: '127.0.0.1:2', nbd: 3, dir: 'a', blocks: 8, colour: 'red' }] }));
    const bad = await xorsimHere('cluster', 'up', file);
    assert.is(bad.code, 2);
    assert.is(bad.stderr, `xorsim: ${file}: primaries[0]: unknown field "colour" (fields here: name, address, dir, blocks, nbd, member)\n`);
    const [q, a] = (await freePorts(2)) as [number, number];
    writeFileSync(file, JSON.stringify({ name: 'x', parity: { address: `127.0.0.1:${q}`, dir: 'q' }, primaries: [{ name: 'p1', address: `127.0.0.1:${a}`, nbd: 3, dir: 'a', blocks: 8 }] }));
    const unknown = await xorsimHere('node', file, '--name', 'p9');
    assert.is(unknown.code, 2);
    assert.match(unknown.stderr, /^xorsim: .*c\.json: no node named "p9" \(nodes: parity, p1\)\n$/);
    assert.is((await xorsimHere('cluster', 'init', file)).code, 0, 'the keys made, a node can be started');
    const never = await xorsimHere('node', file, '--name', 'parity');
    assert.is(never.code, 2);
    assert.match(never.stderr, /parity \(.*\): never installed here \(no orders.json\): --init for a new cluster, --replace for a replacement array/);
    assert.is((await xorsimHere('cluster', 'fail', file)).stderr, `xorsim: cluster fail: name the node (e.g. \`xorsim cluster fail ${file} p1\`)\n`);
    assert.is((await xorsimHere('cluster', 'upp', file)).stderr, 'xorsim: cluster: unknown action "upp" (did you mean up?); actions: init, up, down, status, fail, replace, join, leave\n');
    assert.is((await xorsimHere('cluster', 'join', file, 'parity')).stderr, 'xorsim: parity: the parity array neither joins nor leaves (primaries do)\n');
    assert.is((await xorsimHere('cluster')).stderr, 'xorsim: missing the action or the cluster file (e.g. xorsim cluster up docs/examples/cluster.json)\n');
    const members = await xorsimHere('node', file, '--name', 'parity', '--members', 'p1');
    assert.is(members.stderr, 'xorsim: --members: only with --replace (a replaced parity array)\n');
    // p1's NBD port taken: found before anything is written.
    const [q2, a2, n2] = (await freePorts(3)) as [number, number, number];
    writeFileSync(file, JSON.stringify({ name: 'x', parity: { address: `127.0.0.1:${q2}`, dir: 'q' }, primaries: [{ name: 'p1', address: `127.0.0.1:${a2}`, nbd: n2, dir: 'a', blocks: 8 }] }));
    const taken = createServer().listen(n2, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const busy = await xorsimHere('node', file, '--name', 'p1', '--init');
    taken.close();
    assert.is(busy.code, 2);
    assert.is(busy.stderr, `xorsim: p1: cannot export over NBD on 127.0.0.1:${n2} (EADDRINUSE)\n`);
    assert.not.ok(existsSync(join(dir, 'q', 'orders.json')) || existsSync(join(dir, 'a', 'orders.json')), 'nothing installed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
