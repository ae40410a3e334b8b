// The cluster file: the shipped example resolves as documented, every kind of
// mistake is one problem naming the file and the field, and the editor JSON
// Schema is current.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterJsonSchema, parseClusterText } from '../cli/cluster/cluster-file.js';
import type { ClusterConfig } from '../src/real/cluster-config.js';
import { xorsimHere } from './in-process-cli.js';

const EXAMPLE = new URL('../docs/examples/cluster.json', import.meta.url).pathname;

const primary = (i: number, extra: Record<string, unknown> = {}) => ({ name: `p${i}`, address: `127.0.0.1:${7400 + i}`, nbd: 10808 + i, dir: `run/p${i}`, blocks: 64, ...extra });
const base = (extra: Record<string, unknown> = {}) => ({ name: 'c', parity: { address: '127.0.0.1:7400', dir: 'run/parity' }, primaries: [primary(1), primary(2)], ...extra });

/** The problems of a cluster file, as "path: message". */
function problems(json: unknown): string[] {
  const r = parseClusterText('/tmp/c.json', typeof json === 'string' ? json : JSON.stringify(json));
  return Array.isArray(r) ? r.map((p) => `${p.path}: ${p.message}`) : [];
}

test('docs/examples/cluster.json: 4 primaries of 64 MiB and parity on 127.0.0.1, hardened, directories beside the file', () => {
  const c = parseClusterText(EXAMPLE, readFileSync(EXAMPLE, 'utf8')) as ClusterConfig;
  assert.not.ok(Array.isArray(c), JSON.stringify(c));
  assert.is(c.blockBytes, 4096);
  assert.is(c.protocol, 'hardened');
  assert.is(c.ackPolicy, 'parity-durable');
  assert.equal(c.primaries.map((p) => [p.name, p.blocks, p.nbd.port, p.member]), [['p1', 16384, 10809, true], ['p2', 16384, 10810, true], ['p3', 16384, 10811, true], ['p4', 16384, 10812, true]]);
  assert.is(c.parity.blocks, 16384, 'parity defaults to the largest primary');
  assert.is(c.parity.dir, new URL('../docs/examples/cluster.run/parity', import.meta.url).pathname);
  assert.equal(c.parity.address, { host: '127.0.0.1', port: 7400 });
});

test('defaults: block size 4 KiB, hardened, parity-durable, retransmit 5 ms…500 ms; a bare nbd port is on 127.0.0.1', () => {
  const c = parseClusterText('/tmp/c.json', JSON.stringify(base())) as ClusterConfig;
  assert.not.ok(Array.isArray(c));
  assert.equal([c.blockBytes, c.protocol, c.ackPolicy, c.retransmit], [4096, 'hardened', 'parity-durable', { initialUs: 5000, maxUs: 500_000 }]);
  assert.equal(c.primaries[0]!.nbd, { host: '127.0.0.1', port: 10809 });
  assert.is(c.parity.name, 'parity');
  assert.is(c.primaries[1]!.dir, '/tmp/run/p2');
});

test('each mistake is one problem naming its field', () => {
  assert.equal(problems('{"name": "c",'), [': not valid JSON: Expected double-quoted property name at line 1, column 14']);
  assert.equal(problems(base({ protocol: 'hardend' })), ['protocol: unknown value "hardend" (did you mean "hardened"?); expected one of "literal", "hardened"']);
  assert.equal(problems(base({ primaries: [primary(1, { rpm: 7200 })] })), ['primaries[0]: unknown field "rpm" (fields here: name, address, dir, blocks, nbd, member)']);
  assert.equal(problems(base({ parity: { address: 'localhost', dir: 'x' } })), ['parity.address: expected an address like "127.0.0.1:7400" (port 1 to 65535), got "localhost"']);
  assert.equal(problems(base({ primaries: [primary(1, { nbd: 70000 })] })), ['primaries[0].nbd: expected a port or an address like "127.0.0.1:10809" (port 1 to 65535), got 70000']);
  assert.equal(problems(base({ primaries: [] })), ['primaries: expected at least one primary, got []']);
  assert.equal(problems(base({ blockSize: 1000 })), ['blockSize: expected a power of two from 512 B to 1 MiB, got 1000']);
  assert.equal(problems(base({ primaries: [primary(1, { blocks: '6KiB' })] })), ['primaries[0].blocks: 6KiB is not a whole number of 4096-byte blocks']);
  assert.equal(problems(base({ primaries: [primary(1, { blocks: 'lots' })] })), ['primaries[0].blocks: expected a block count or a size like "64MiB", got "lots"']);
  assert.equal(problems(base({ parity: { address: '127.0.0.1:7400', dir: 'x', blocks: 32 } })), ['parity.blocks: 32 blocks, smaller than the largest primary (64): parity must hold a block for every block of every primary']);
});

test('names, directories and listening addresses are each used once', () => {
  assert.equal(problems(base({ primaries: [primary(1), primary(2, { name: 'p1' })] })), ['primaries[1].name: name "p1" already used by primaries[0].name']);
  assert.equal(problems(base({ primaries: [primary(1), primary(2, { dir: 'run/p1' })] })), ['primaries[1].dir: directory /tmp/run/p1 already used by primaries[0].dir']);
  assert.equal(problems(base({ primaries: [primary(1), primary(2, { nbd: 10809 })] })), ['primaries[1].nbd: 127.0.0.1:10809 already used by primaries[0].nbd']);
  assert.equal(problems(base({ insecure: true, primaries: [primary(1, { nbd: '0.0.0.0:7400' })] })), ['primaries[0].nbd: 0.0.0.0:7400 already used by parity.address']);
  assert.equal(problems(base({ primaries: [primary(1), primary(2, { address: '127.0.0.2:7401' })] })), [], 'the same port on another address is another listener');
});

test('keys: the peers\' key beside the file by default, hosts\' keys only when named; an export beyond loopback needs TLS or "insecure"', () => {
  const c = parseClusterText('/tmp/c.json', JSON.stringify(base())) as ClusterConfig;
  assert.equal([c.key, c.nbdPsk, c.insecure], ['/tmp/c.key', undefined, false]);
  const t = parseClusterText('/tmp/c.json', JSON.stringify(base({ key: 'keys/peers', nbdPsk: 'keys/hosts.psk' }))) as ClusterConfig;
  assert.equal([t.key, t.nbdPsk], ['/tmp/keys/peers', '/tmp/keys/hosts.psk']);
  const open = { primaries: [primary(1, { nbd: '0.0.0.0:10809' })] };
  assert.equal(problems(base(open)), ['primaries[0].nbd: 0.0.0.0:10809 is reachable beyond this machine: give "nbdPsk" (hosts connect with TLS) or set "insecure": true']);
  assert.equal(problems(base({ ...open, nbdPsk: 'h.psk' })), []);
  assert.equal(problems(base({ ...open, insecure: true })), []);
  assert.equal(problems(base({ primaries: [primary(1, { nbd: '127.0.0.2:10809' }), primary(2, { nbd: '[::1]:10810' })] })), [], 'loopback needs neither');
});

test('cluster init: key files made 0600, kept unless --rotate, a key others may read is refused, exit 2, one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-keys-'));
  try {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify(base({ nbdPsk: 'hosts.psk' })));
    const made = await xorsimHere('cluster', 'init', file);
    assert.is(made.code, 0, made.stderr);
    assert.is(made.stdout, `key: ${dir}/c.key created (mode 0600)\nnbdPsk: ${dir}/hosts.psk created (mode 0600)\n`);
    const key = readFileSync(join(dir, 'c.key'), 'utf8');
    assert.match(key, /^[0-9a-f]{64}\n$/);
    assert.match(readFileSync(join(dir, 'hosts.psk'), 'utf8'), /^xorsim:[0-9a-f]{64}\n$/);
    for (const f of ['c.key', 'hosts.psk']) assert.is(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    const kept = await xorsimHere('cluster', 'init', file);
    assert.match(kept.stdout, /c\.key exists, kept/);
    assert.is(readFileSync(join(dir, 'c.key'), 'utf8'), key);
    const rotated = await xorsimHere('cluster', 'init', file, '--rotate');
    assert.match(rotated.stdout, /c\.key replaced by a new key \(mode 0600\)/);
    assert.is.not(readFileSync(join(dir, 'c.key'), 'utf8'), key);
    assert.is(statSync(join(dir, 'c.key')).mode & 0o777, 0o600);
    assert.not.match(made.stdout + kept.stdout + rotated.stdout, key.trim(), 'no key printed');
    chmodSync(join(dir, 'c.key'), 0o644);
    for (const args of [['cluster', 'status', file], ['node', file, '--name', 'p1']]) {
      const refused = await xorsimHere(...args);
      assert.is(refused.code, 2, args.join(' '));
      assert.is(refused.stderr, `xorsim: ${file}: key: ${dir}/c.key is readable or writable by others than its owner (mode 0644): \`chmod 600\` it\n`);
    }
    chmodSync(join(dir, 'c.key'), 0o600);
    writeFileSync(join(dir, 'c.key'), 'not a key\n', { mode: 0o600 });
    const malformed = await xorsimHere('node', file, '--name', 'p1', '--init');
    assert.is(malformed.code, 2);
    assert.is(malformed.stderr, `xorsim: ${dir}/c.key: expected one line of 64 hex digits (a key made by \`xorsim cluster init\`)\n`, 'the problem, never the contents');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/examples/cluster.schema.json is current (regenerate with `npm run schema`)', () => {
  assert.is(readFileSync(new URL('../docs/examples/cluster.schema.json', import.meta.url), 'utf8'), clusterJsonSchema());
});

test.run();
