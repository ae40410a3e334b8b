// The Transport conformance tests (transport.conformance.ts) on the two
// simulated networks — ideal, and lossy with its faults off — with a node's
// restart modelled as the world models it (a new incarnation), and on TCP
// with a restart as a real one (the socket closed, then listening again on
// the same port). Then what only TCP has: its queue while a peer is down,
// its backoff, and garbage on the wire.
import { type Socket, connect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { NodeId, Transport } from '../../src/ports/transport.js';
import { encode } from '../../src/protocol/codec.js';
import { SystemClock } from '../../src/real/system-clock.js';
import { type LinkOptions, TcpTransport } from '../../src/real/tcp-transport.js';
import { encodeFrame } from '../../src/real/tcp-frames.js';
import { Engine } from '../../sim/engine/engine.js';
import { IdealNetwork } from '../../sim/network/ideal-network.js';
import { LossyNetwork } from '../../sim/network/lossy-network.js';
import type { SimNetwork } from '../../sim/network/sim-network.js';
import { Incarnation } from '../../sim/world/incarnation.js';
import { SimClock } from '../../sim/world/sim-clock.js';
import { pattern, realDriver, simDriver } from './driver.js';
import { NODES, type TransportWorld, transportConformance } from './transport.conformance.js';

function simWorld(engine: Engine, network: SimNetwork): TransportWorld {
  const lives = new Map<NodeId, Incarnation>(NODES.map((n) => [n, new Incarnation(n, 1)]));
  const endpoints = new Map<NodeId, Transport>(NODES.map((n) => [n, lives.get(n)!.transport(network.endpoint(n))]));
  return {
    driver: simDriver(engine),
    clock: new SimClock(engine, 'test'),
    endpoint: (name) => endpoints.get(name)!,
    async down(name) {
      lives.get(name)!.kill();
    },
    async up(name) {
      const life = new Incarnation(name, lives.get(name)!.number + 1);
      lives.set(name, life);
      endpoints.set(name, life.transport(network.endpoint(name)));
      return endpoints.get(name)!;
    },
    fatal: () => (engine.crash === undefined ? [] : [engine.crash.error]),
    async dispose() {},
  };
}

const ideal = suite('Transport conformance: simulated ideal network');
transportConformance(ideal, async () => {
  const engine = new Engine(1);
  return simWorld(engine, new IdealNetwork(engine, { latencyUs: 50 }));
});
ideal.run();

const lossy = suite('Transport conformance: simulated lossy network, faults off');
transportConformance(lossy, async () => {
  const engine = new Engine(1);
  return simWorld(engine, new LossyNetwork(engine, { latencyUs: 200, jitterUs: 100, bandwidthBytesPerSec: 1e9 }));
});
lossy.run();

/** Nodes on 127.0.0.1, each on a port of its own that it keeps across restarts. */
async function tcpWorld(options: LinkOptions = {}): Promise<TransportWorld & { tcp(name: NodeId): TcpTransport }> {
  const fatal: unknown[] = [];
  const onFatal = (e: unknown) => void fatal.push(e);
  const nodes = new Map<NodeId, TcpTransport>();
  for (const n of NODES) nodes.set(n, await TcpTransport.listen(n, '127.0.0.1', 0, onFatal, options));
  const ports = new Map([...nodes].map(([n, t]) => [n, t.address.port]));
  const meet = (t: TcpTransport) => {
    for (const [n, port] of ports) if (n !== t.self) t.addPeer(n, { host: '127.0.0.1', port });
  };
  for (const t of nodes.values()) meet(t);
  return {
    driver: realDriver,
    clock: new SystemClock(onFatal),
    endpoint: (name) => nodes.get(name)!,
    tcp: (name) => nodes.get(name)!,
    async down(name) {
      await nodes.get(name)!.close();
    },
    async up(name) {
      const t = await TcpTransport.listen(name, '127.0.0.1', ports.get(name)!, onFatal, options);
      meet(t);
      nodes.set(name, t);
      return t;
    },
    fatal: () => fatal,
    async dispose() {
      for (const t of nodes.values()) await t.close();
    },
  };
}

const tcp = suite('Transport conformance: TCP on 127.0.0.1');
transportConformance(tcp, () => tcpWorld());
tcp.run();

const own = suite('TcpTransport: queue, backoff, garbage');
const MS = 1000;
const delta = (seq: number) => ({ type: 'delta', block: 1, epoch: 1, seq, replaces: 0, data: pattern(seq, 16) }) as const;

own('frames sent while the peer is down wait, and arrive in order once it is back, without a resend', async () => {
  const w = await tcpWorld({ initialBackoffMs: 2, maxBackoffMs: 20 });
  try {
    await w.down('b');
    for (let seq = 1; seq <= 10; seq++) w.endpoint('a').send('b', delta(seq));
    await realDriver.until(() => false, 30 * MS);
    const got: number[] = [];
    (await w.up('b')).listen((_f, m) => void got.push(m.type === 'delta' ? m.seq : -1));
    assert.ok(await realDriver.until(() => got.length === 10, 2000 * MS), `${got}`);
    assert.equal(got, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  } finally {
    await w.dispose();
  }
});

own('a peer that stays down costs a few attempts a second (the backoff doubles to its bound), and is reached within the bound once back', async () => {
  const w = await tcpWorld({ initialBackoffMs: 5, maxBackoffMs: 40 });
  try {
    await w.down('b');
    w.endpoint('a').send('b', delta(1));
    await realDriver.until(() => false, 300 * MS);
    const attempts = w.tcp('a').link('b')!.attempts;
    // 5+10+20+40+40…: about 9 attempts in 300 ms; one per message, or a tight loop, would be far more.
    // (No lower bound but one: a busy machine runs fewer timers, never more.)
    assert.ok(attempts >= 1 && attempts <= 14, `${attempts} attempts in 300 ms`);
    const got: number[] = [];
    (await w.up('b')).listen((_f, m) => void got.push(m.type === 'delta' ? m.seq : -1));
    // Within the bound (40 ms) on a quiet machine; asserted only loosely — a test is no place for a wall-clock bound.
    assert.ok(await realDriver.until(() => got.length > 0, 5000 * MS), 'the queued message arrives');
  } finally {
    await w.dispose();
  }
});

own('past its bound the queue drops the oldest frames, and counts them', async () => {
  const frame = encodeFrame(new TextEncoder().encode('a'), encode(delta(1))).length;
  const w = await tcpWorld({ initialBackoffMs: 2, maxBackoffMs: 10, maxQueuedBytes: 3 * frame });
  try {
    await w.down('b');
    for (let seq = 1; seq <= 10; seq++) w.endpoint('a').send('b', delta(seq));
    const got: number[] = [];
    (await w.up('b')).listen((_f, m) => void got.push(m.type === 'delta' ? m.seq : -1));
    assert.ok(await realDriver.until(() => got.length === 3, 2000 * MS), `${got}`);
    assert.equal(got, [8, 9, 10]);
    assert.is(w.tcp('a').link('b')!.dropped, 7);
  } finally {
    await w.dispose();
  }
});

own('garbage on a connection: an undecodable frame is dropped; a frame length no message has closes that connection; other traffic flows', async () => {
  const w = await tcpWorld();
  const raw: Socket = connect(w.tcp('b').address.port, '127.0.0.1');
  try {
    const got: number[] = [];
    w.endpoint('b').listen((_f, m) => void got.push(m.type === 'delta' ? m.seq : -1));
    await new Promise((resolve) => raw.once('connect', resolve));
    const name = new TextEncoder().encode('x');
    raw.write(encodeFrame(name, Uint8Array.of(250, 1, 2))); // no such message type
    raw.write(encodeFrame(name, encode(delta(1))));
    assert.ok(await realDriver.until(() => got.length === 1, 2000 * MS), 'the good frame after a bad one still arrives');
    assert.is(w.tcp('b').malformed, 1);
    const closed = new Promise((resolve) => raw.once('close', resolve));
    raw.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    await closed;
    assert.is(w.tcp('b').malformed, 2);
    w.endpoint('a').send('b', delta(2));
    assert.ok(await realDriver.until(() => got.includes(2), 2000 * MS));
    assert.equal(w.fatal(), []);
  } finally {
    raw.destroy();
    await w.dispose();
  }
});
own.run();
