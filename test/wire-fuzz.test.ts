// The wire is fuzzed (#16): a running cluster — parity and one primary, in this process, on real
// files and sockets, with p2 a node of the cluster file outside the group — has each of its
// listeners (both peer ports, the NBD export, both admin sockets) fed random, truncated, oversized
// and replayed frames, from connections that never authenticate (plain TCP, a wrong key, an
// identity not in the cluster), from an authenticated node outside the group, and from an
// authenticated member whose frames do not decode or claim another sender. Meanwhile a
// well-formed host keeps reading its blocks back. Afterwards: no node crashed, every image,
// sidecar and journal holds exactly the bytes it held before, parity is still the XOR of the
// group, and no key appears in any log line.
//
// Runs: XORSIM_WIRE_FUZZ_RUNS (default 24, a few seconds; `npm run soak -- --wire` runs thousands).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseClusterText } from '../cli/cluster/cluster-file.js';
import { HOST_IDENTITY, initSecrets } from '../cli/cluster/secret-files.js';
import { encode } from '../src/protocol/codec.js';
import { MESSAGE_SPECS, MESSAGE_TYPES, type Message } from '../src/protocol/messages.js';
import { adminRequest } from '../src/real/admin-socket.js';
import { type ClusterConfig, nodeFiles } from '../src/real/cluster-config.js';
import { NodeRuntime } from '../src/real/node-runtime.js';
import { encodeFrame } from '../src/real/tcp-frames.js';
import { NbdClient, openExport } from './nbd-client.js';
import { exchange, freePorts, open, secretForms } from './wire-attacks.js';

const RUNS = Number(process.env.XORSIM_WIRE_FUZZ_RUNS ?? 24);
setTimeout(() => {
  console.error('wire-fuzz.test.ts: watchdog: no result');
  process.exit(1);
}, 60_000 + RUNS * 2000).unref();

const B = 4096;
const BLOCKS = 32;
const WRITTEN = 8;
const name = (n: string) => new TextEncoder().encode(n);
const pattern = (k: number) => Buffer.alloc(B, (k * 37 + 11) & 0xff);

/** A message of any type with arbitrary fields (block numbers small or huge, data a block or not). */
const messageArb: fc.Arbitrary<Message> = fc.constantFrom(...MESSAGE_TYPES).chain((type) =>
  fc
    .tuple(...MESSAGE_SPECS[type].map(([, kind]) => (kind === 'uint' ? fc.oneof({ arbitrary: fc.nat(3), weight: 4 }, fc.nat(40), fc.maxSafeNat()) : fc.oneof(fc.constant(new Uint8Array(B)), fc.uint8Array({ maxLength: 64 })))))
    .map((values) => ({ type, ...Object.fromEntries(MESSAGE_SPECS[type].map(([field], i) => [field, values[i]])) }) as unknown as Message),
);

/** A frame header announcing `length` bytes, most of which never come. */
const oversized = fc.constantFrom(0xffffffff, 0x7fffffff, B + 64 * 1024 + 1, 64 * 1024 * 1024 + 4097).map((length) => {
  const h = new Uint8Array(6);
  new DataView(h.buffer).setUint32(0, length, true);
  return h;
});

/** A body that cannot decode: an unknown type, or a real message cut short or run long. */
const undecodable = fc.oneof(
  fc.uint8Array({ maxLength: 100 }).map((b) => Uint8Array.of(200 + (b[0] ?? 0) % 50, ...b)),
  fc.tuple(messageArb, fc.boolean()).map(([m, short]) => (short ? encode(m).subarray(0, encode(m).length - 1) : Uint8Array.of(...encode(m), 0))),
);

/** What goes down a peer connection: frames from `senders`, their bodies any message (`anyMessage`) or only undecodable ones; spoofed frames from `spoofs`; garbage; cut frames; oversized lengths. */
function peerItems(senders: readonly string[], anyMessage: boolean, spoofs: readonly string[]) {
  const body = anyMessage ? fc.oneof(messageArb.filter((m) => m.type !== 'join-request').map(encode), undecodable) : undecodable;
  const items = [
    fc.uint8Array({ minLength: 1, maxLength: 200 }),
    fc.tuple(fc.constantFrom(...senders), body).map(([f, b]) => encodeFrame(name(f), b)),
    fc.tuple(fc.constantFrom(...senders), body, fc.nat()).map(([f, b, n]) => encodeFrame(name(f), b).subarray(0, 1 + (n % (b.length + 6)))),
    oversized,
    ...(spoofs.length > 0 ? [fc.tuple(fc.constantFrom(...spoofs), messageArb).map(([f, m]) => encodeFrame(name(f), encode(m)))] : []),
  ];
  return fc.array(fc.oneof(...items), { minLength: 1, maxLength: 8 });
}

/** NBD requests that cannot change a block: reads, flushes, trims, unknown commands, writes past the end, bad flags. */
const nbdRequest = fc.record({
  type: fc.oneof(fc.constantFrom(0, 1, 3, 4), fc.integer({ min: 5, max: 0xffff })),
  flags: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })),
  offset: fc.oneof(fc.nat(BLOCKS * B), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
  length: fc.oneof(fc.nat(2 * B), fc.nat(0xffffffff)),
});

/** Options a host without TLS might send: any number, any short data, or an announced length that never comes. */
const nbdOption = fc.record({ option: fc.oneof(fc.constantFrom(1, 2, 3, 5, 6, 7, 8, 9, 10), fc.nat(0xffffffff)), data: fc.uint8Array({ maxLength: 64 }), lie: fc.option(fc.nat(0xffffffff), { freq: 5 }) });

function optionBytes(o: { option: number; data: Uint8Array; lie: number | null }): Buffer {
  const h = Buffer.alloc(16);
  h.writeBigUInt64BE(0x49484156454f5054n, 0);
  h.writeUInt32BE(o.option, 8);
  h.writeUInt32BE(o.lie ?? o.data.length, 12);
  return Buffer.concat([h, o.data]);
}

/** The option replies in what a server sent after its greeting: [option, reply type]. */
function optionReplies(received: Buffer): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 18; at + 20 <= received.length; ) {
    if (received.readBigUInt64BE(at) !== 0x3e889045565a9n) break;
    out.push([received.readUInt32BE(at + 8), received.readUInt32BE(at + 12)]);
    at += 20 + received.readUInt32BE(at + 16);
  }
  return out;
}

const attack = fc.oneof(
  fc.record({ at: fc.constantFrom('parity', 'p1'), how: fc.constant('plain' as const), items: peerItems(['p1', 'p2', 'parity'], true, []) }),
  fc.record({ at: fc.constantFrom('parity', 'p1'), how: fc.constantFrom('wrong-key' as const, 'stranger' as const), identity: fc.oneof(fc.constantFrom('p1', 'parity', 'p2'), fc.string({ maxLength: 40 })), key: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({ at: fc.constantFrom('parity', 'p1'), how: fc.constant('non-member' as const), items: peerItems(['p2'], true, ['p1', 'parity', 'zz']) }),
  fc.record({ at: fc.constant('parity' as const), how: fc.constant('member-garbage' as const), items: peerItems(['p1'], false, ['p2', 'parity', 'zz']) }),
  fc.record({ at: fc.constant('p1' as const), how: fc.constant('member-garbage' as const), items: peerItems(['parity'], false, ['p2', 'p1', 'zz']) }),
  fc.record({ at: fc.constant('nbd'), how: fc.constant('plain' as const), options: fc.array(nbdOption, { maxLength: 6 }), tail: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ at: fc.constant('nbd'), how: fc.constant('wrong-key' as const), identity: fc.oneof(fc.constant(HOST_IDENTITY), fc.string({ minLength: 1, maxLength: 40 })), key: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({ at: fc.constant('nbd'), how: fc.constant('authenticated' as const), requests: fc.array(nbdRequest, { maxLength: 8 }), garbage: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ at: fc.constantFrom('admin-parity', 'admin-p1'), how: fc.constant('owner' as const), lines: fc.array(fc.oneof(fc.string({ maxLength: 80 }), fc.record({ op: fc.constantFrom('status', 'reboot', 'STOP', '', 'fail ') }).map((o) => JSON.stringify(o)), fc.jsonValue().map((v) => JSON.stringify(v))), { maxLength: 6 }), long: fc.boolean() }),
);
type Attack = typeof attack extends fc.Arbitrary<infer A> ? A : never;

test('every listener fed random, truncated, oversized and replayed frames, with and without a key: no crash, no block or journal changed, hosts served, no key logged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-fuzz-'));
  const [q, a1, a2, n1, n2] = (await freePorts(5)) as [number, number, number, number, number];
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({
    name: 'fuzz',
    nbdPsk: 'hosts.psk',
    parity: { address: `127.0.0.1:${q}`, dir: 'parity' },
    primaries: [
      { name: 'p1', address: `127.0.0.1:${a1}`, nbd: n1, dir: 'p1', blocks: BLOCKS },
      { name: 'p2', address: `127.0.0.1:${a2}`, nbd: n2, dir: 'p2', blocks: BLOCKS, member: false },
    ],
  }));
  const cluster = parseClusterText(file, readFileSync(file, 'utf8')) as ClusterConfig;
  initSecrets(cluster, false);
  const peerKey = Buffer.from(readFileSync(cluster.key, 'utf8').trim(), 'hex');
  const hostKey = Buffer.from(readFileSync(cluster.nbdPsk!, 'utf8').trim().split(':')[1]!, 'hex');
  const logs: string[] = [];
  const exits: number[] = [];
  const start = (n: string) => NodeRuntime.start({ cluster, name: n, mode: 'init', print: (l) => logs.push(l), exit: (c) => exits.push(c) });
  const nodes = [await start('parity'), await start('p1')];
  const peerPort = { parity: q, p1: a1 } as const;
  const admin = { 'admin-parity': nodeFiles(cluster.parity.dir).admin, 'admin-p1': nodeFiles(cluster.primaries[0]!.dir).admin } as const;
  const tls = { identity: HOST_IDENTITY, key: hostKey };
  try {
    const host = (await openExport(n1, '', tls)).client;
    for (let k = 0; k < WRITTEN; k++) assert.is((await host.request(1, k * B, B, pattern(k))).error, 0);
    const before = await quiet([cluster.parity.dir, cluster.primaries[0]!.dir]);

    let refusedSeen = 0;
    const run = async (a: Attack, i: number): Promise<void> => {
      // A well-formed host and the operator are served at the same time.
      const served = Promise.all([host.request(0, (i % WRITTEN) * B, B), adminRequest(admin['admin-parity'], 'status')]);
      if (a.at === 'parity' || a.at === 'p1') {
        const port = peerPort[a.at];
        if (a.how === 'wrong-key' || a.how === 'stranger') {
          const identity = a.how === 'stranger' ? `x${a.identity}` : a.identity; // never a node's name: a stranger with the right key
          const s = await open(port, { identity, key: a.how === 'stranger' ? peerKey : a.key });
          assert.is(s, undefined, `${a.how} as ${JSON.stringify(identity)} must not complete a handshake`);
          refusedSeen++;
        } else if ('items' in a) {
          const identity = a.how === 'plain' ? undefined : a.how === 'non-member' ? 'p2' : a.at === 'parity' ? 'p1' : 'parity';
          const s = await open(port, identity === undefined ? undefined : { identity, key: peerKey });
          if (identity !== undefined) assert.ok(s !== undefined, `${identity} authenticates`);
          await exchange(s!, [...a.items, ...a.items], 60); // every frame twice: replayed
        }
      } else if (a.at === 'nbd') {
        if (a.how === 'plain') {
          const s = (await open(n1)) as Socket;
          const flags = Buffer.from([0, 0, 0, 3]);
          const got = await exchange(s, [flags, ...a.options.map(optionBytes), a.tail], 60);
          for (const [option, type] of optionReplies(got.received)) {
            const fine = type === 0x80000005 || type === 0x80000003 || type === 0x80000009 || (type === 1 && (option === 2 || option === 5));
            assert.ok(fine, `without TLS, option ${option} answered ${type.toString(16)}: only TLS-required, invalid, too big, or ACK to ABORT/STARTTLS`);
          }
          assert.not.ok(got.received.includes(Buffer.from([0x67, 0x44, 0x66, 0x98])), 'no transmission reply without TLS');
        } else if (a.how === 'wrong-key') {
          const c = await NbdClient.connect(n1);
          await c.greet();
          const identity = a.identity === HOST_IDENTITY ? a.identity : `x${a.identity}`;
          assert.is(await c.startTls(identity, a.key), 'tls-failed');
          c.close();
          refusedSeen++;
        } else {
          const { client } = await openExport(n1, '', tls);
          const replies = a.requests.map((r) => {
            const writeInRange = r.type === 1 && BigInt(r.offset) < BigInt(BLOCKS * B);
            if (writeInRange || (r.type === 1 && r.length > 256)) return client.request(0, r.offset, Math.min(r.length, 2 * B)); // a host may write: not what this checks
            return client.request(r.type, r.offset, r.type === 1 ? r.length : Math.min(r.length, 2 * B), r.type === 1 ? new Uint8Array(r.length) : undefined, r.flags);
          });
          await Promise.race([Promise.all(replies), new Promise((r) => setTimeout(r, 300))]);
          client.write(a.garbage);
          client.close();
        }
      } else if ('lines' in a) {
        const { connect } = await import('node:net');
        const s = connect(admin[a.at]);
        await new Promise((r) => s.once('connect', r));
        const got = await exchange(s, [Buffer.from(a.lines.map((l) => l.replace(/\n/g, ' ')).join('\n') + '\n'), ...(a.long ? [Buffer.alloc(70 * 1024, 0x61)] : [])], 100);
        for (const line of got.received.toString('utf8').split('\n').filter((l) => l !== '')) assert.type((JSON.parse(line) as { ok: unknown }).ok, 'boolean');
      }
      const [read, status] = await served;
      assert.is(read.error, 0);
      assert.ok(read.data.equals(pattern(i % WRITTEN)), 'the host reads its block back');
      assert.ok(status.ok, 'parity answers its operator');
      assert.equal(exits, [], 'no node exited');
    };
    let i = 0;
    const statsBefore = [nodes[0]!.status()['wire'], nodes[1]!.status()['wire']];
    await fc.assert(fc.asyncProperty(attack, (a) => run(a, i++)), { numRuns: RUNS, seed: Number(process.env.XORSIM_WIRE_FUZZ_SEED ?? 16), endOnFailure: true });
    host.close();
    if (process.env.XORSIM_WIRE_FUZZ_DEBUG) console.log(JSON.stringify({ statsBefore, after: [nodes[0]!.status()['wire'], nodes[1]!.status()['wire']], probes: [nodes[0]!.status()['probes'], nodes[1]!.status()['probes']], logs: logs.length, sample: logs.slice(-8) }, null, 1));

    const after = await quiet([cluster.parity.dir, cluster.primaries[0]!.dir]);
    for (const [f, bytes] of before) assert.ok(after.get(f)!.equals(bytes), `${f} unchanged by the fuzz`);
    const [qImg, p1Img] = [before.get(join(cluster.parity.dir, 'array.img'))!, before.get(join(cluster.primaries[0]!.dir, 'array.img'))!];
    for (let k = 0; k < BLOCKS * B; k++) assert.ok((qImg[k] ?? 0) === (p1Img[k] ?? 0), `Q = p1 (the group's one member) at byte ${k}`);
    assert.ok(p1Img.subarray(0, B).equals(pattern(0)));
    assert.equal(exits, []);
    if (refusedSeen > 0) assert.match(logs.join('\n'), /refused: authentication failed|nbd client .* refused: TLS/, 'refusals are logged');
    const text = Buffer.from(logs.join('\n'));
    for (const secret of [...secretForms(peerKey), ...secretForms(hostKey)]) assert.is(text.indexOf(secret), -1, 'no key in any log line');
  } finally {
    for (const n of nodes) await n.stop('test over').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every image, sidecar and journal byte of the nodes in `dirs`, once two readings 300 ms apart agree (the cluster is idle). */
async function quiet(dirs: readonly string[]): Promise<Map<string, Buffer>> {
  const read = () => new Map(dirs.flatMap((d) => ['array.img', 'array.img.pi', 'journal'].map((f) => [join(d, f), readFileSync(join(d, f))] as const)));
  let last = read();
  for (let tries = 0; tries < 30; tries++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = read();
    if ([...now].every(([f, b]) => last.get(f)!.equals(b))) return now;
    last = now;
  }
  throw new Error('the cluster never went quiet');
}

test.run();
