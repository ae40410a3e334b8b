// The lossy network model: every fault at its configured rate (seeded, with
// stated statistical bounds), exact timing where the model is exact, and
// determinism. Z = 3.29 is the two-sided 99.9 % normal quantile: a correct
// model fails a given bound for 1 seed in 1000, and the seeds here are fixed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Engine } from '../sim/engine/engine.js';
import { DropReason, LossyNetwork, type LossyNetworkOptions } from '../sim/network/lossy-network.js';
import type { Transport } from '../src/ports/transport.js';
import { encodedSize } from '../src/protocol/codec.js';
import type { Message } from '../src/protocol/messages.js';

const Z = 3.29;
const binomialBound = (p: number, n: number): number => Z * Math.sqrt((p * (1 - p)) / n);
const verbose = process.env['NET_TEST_VERBOSE'] !== undefined;
const note = (line: string): void => void (verbose && console.log(`  ${line}`));

const delta = (seq: number, block = 7): Message => ({ type: 'delta', block, epoch: 1, seq, replaces: 0, data: new Uint8Array(16).fill(seq & 0xff) });
const SIZE = encodedSize(delta(0));

interface Arrival {
  readonly from: string;
  readonly seq: number;
  readonly at: number;
  readonly message: Message & { type: 'delta' };
}

/** A network with endpoints a, b, c, d; every delta delivered is logged per receiver. */
function setup(seed: number, options: LossyNetworkOptions = {}) {
  const engine = new Engine(seed);
  const net = new LossyNetwork(engine, options);
  const got: Record<string, Arrival[]> = { a: [], b: [], c: [], d: [] };
  const ep: Record<string, Transport> = {};
  for (const name of ['a', 'b', 'c', 'd']) {
    const t = net.endpoint(name);
    t.listen((from, m) => {
      if (m.type === 'delta') got[name]!.push({ from, seq: m.seq, at: engine.now, message: m });
    });
    ep[name] = t;
  }
  const kSend = engine.trace.kind('test.send');
  /** Sends delta `seq` from → to at absolute time `at`. */
  const sendAt = (at: number, from: string, to: string, seq: number, block = 7): void => {
    engine.at(at, kSend, () => ep[from]!.send(to, delta(seq, block)));
  };
  return { engine, net, got, ep, sendAt };
}

test('loss: 20 000 messages at lossRate 0.1 drop 0.1 ± 3.29·sqrt(p(1-p)/n) (99.9 %)', async () => {
  const n = 20_000;
  const p = 0.1;
  const { engine, net, got, ep } = setup(1, { lossRate: p });
  const dropped: number[] = [];
  net.observe({ dropped: (block, reason) => void (reason === DropReason.loss && dropped.push(block)) });
  for (let i = 0; i < n; i++) ep['a']!.send('b', delta(i));
  assert.is(net.inFlight(7), n, 'a lost message is in flight until its would-be arrival');
  await engine.run();
  const observed = (n - got['b']!.length) / n;
  note(`loss: observed ${observed.toFixed(4)}, expected ${p} ± ${binomialBound(p, n).toFixed(4)}`);
  assert.ok(Math.abs(observed - p) <= binomialBound(p, n), `loss fraction ${observed}`);
  assert.is(net.stats.droppedBy.loss, n - got['b']!.length);
  assert.is(dropped.length, net.stats.droppedBy.loss, 'the observer hears of every drop');
  assert.is(net.inFlight(7), 0);
});

test('partition: symmetric cut delivers nothing either way; heal restores delivery', async () => {
  const { engine, net, got, ep } = setup(2);
  net.partition('a', 'b');
  for (let i = 0; i < 100; i++) {
    ep['a']!.send('b', delta(i));
    ep['b']!.send('a', delta(i));
  }
  assert.is(net.inFlight(7), 0, 'a message sent over a cut link never enters the wire');
  ep['a']!.send('c', delta(0)); // other links are untouched
  await engine.run();
  assert.is(got['b']!.length + got['a']!.length, 0);
  assert.is(got['c']!.length, 1);
  assert.is(net.stats.droppedBy.partition, 200);
  net.heal('a', 'b');
  for (let i = 0; i < 100; i++) {
    ep['a']!.send('b', delta(i));
    ep['b']!.send('a', delta(i));
  }
  await engine.run();
  assert.is(got['b']!.length, 100);
  assert.is(got['a']!.length, 100);
});

test('partition: one-way cut drops from → to and still delivers to → from; heal restores it', async () => {
  const { engine, net, got, ep } = setup(3);
  net.partitionOneWay('a', 'b');
  assert.ok(net.isCut('a', 'b'));
  assert.not.ok(net.isCut('b', 'a'));
  for (let i = 0; i < 100; i++) {
    ep['a']!.send('b', delta(i));
    ep['b']!.send('a', delta(i));
  }
  await engine.run();
  assert.is(got['b']!.length, 0);
  assert.is(got['a']!.length, 100);
  net.healOneWay('a', 'b');
  ep['a']!.send('b', delta(1));
  await engine.run();
  assert.is(got['b']!.length, 1);
});

test('partition: a message in flight is dropped if its link is cut when it arrives, delivered if healed by then', async () => {
  const { engine, net, got, sendAt } = setup(4, { latencyUs: 100 });
  const kCtl = engine.trace.kind('test.ctl');
  sendAt(0, 'a', 'b', 1);
  engine.at(50, kCtl, () => net.partition('a', 'b'));
  engine.at(150, kCtl, () => net.heal('a', 'b'));
  sendAt(200, 'a', 'b', 2);
  engine.at(250, kCtl, () => net.partition('a', 'b'));
  engine.at(260, kCtl, () => net.heal('a', 'b'));
  await engine.run({ until: 60 });
  assert.is(net.inFlight(7), 1, 'still on the wire after the cut');
  await engine.run();
  assert.equal(got['b']!.map((x) => [x.seq, x.at]), [[2, 300]]);
  assert.is(net.stats.droppedBy.partition, 1);
  assert.is(net.inFlight(7), 0);
});

test('duplication: rate 0.05 within 3.29·sqrt(p(1-p)/n) (99.9 %, n = 20 000); each duplicate is an independent copy', async () => {
  const n = 20_000;
  const p = 0.05;
  const { engine, net, got, ep } = setup(5, { duplicateRate: p });
  for (let i = 0; i < n; i++) ep['a']!.send('b', delta(i));
  assert.is(net.inFlight(7), n + net.stats.duplicated, 'both copies count while in flight');
  await engine.run();
  const observed = net.stats.duplicated / n;
  note(`duplication: observed ${observed.toFixed(4)}, expected ${p} ± ${binomialBound(p, n).toFixed(4)}`);
  assert.ok(Math.abs(observed - p) <= binomialBound(p, n), `duplicate fraction ${observed}`);
  assert.is(got['b']!.length, n + net.stats.duplicated, 'every copy is delivered');
  const bySeq = new Map<number, Arrival[]>();
  for (const x of got['b']!) bySeq.set(x.seq, [...(bySeq.get(x.seq) ?? []), x]);
  const twice = [...bySeq.values()].filter((xs) => xs.length === 2);
  assert.is(bySeq.size, n);
  assert.is(twice.length, net.stats.duplicated);
  for (const [x, y] of twice.map((xs) => [xs[0]!, xs[1]!] as const)) {
    assert.is.not(x.message, y.message);
    assert.is.not(x.message.data.buffer, y.message.data.buffer, 'copies share no buffer');
    x.message.data.fill(0xee);
    assert.is(y.message.data[0], x.seq & 0xff);
  }
});

test('duplication: a copy meets loss independently: with duplicateRate 1, lossRate 0.5 a message is lost entirely at 0.25 ± 3.29·sqrt(p(1-p)/n) (99.9 %)', async () => {
  const n = 20_000;
  const { engine, net, got, ep } = setup(6, { duplicateRate: 1, lossRate: 0.5 });
  for (let i = 0; i < n; i++) ep['a']!.send('b', delta(i));
  await engine.run();
  const seen = new Set(got['b']!.map((x) => x.seq));
  const observed = (n - seen.size) / n;
  note(`duplicate+loss: both copies lost ${observed.toFixed(4)}, expected 0.25 ± ${binomialBound(0.25, n).toFixed(4)}`);
  assert.ok(Math.abs(observed - 0.25) <= binomialBound(0.25, n), `both-lost fraction ${observed}`);
  assert.is(net.stats.delivered + net.stats.dropped, 2 * n);
});

test('reordering: rate 0.05 within 3.29·sqrt(p(1-p)/n) (99.9 %, n = 20 000), both as drawn and as overtaken at the receiver', async () => {
  const n = 20_000;
  const p = 0.05;
  const { engine, net, got, ep } = setup(7, { latencyUs: 100, reorderRate: p, reorderDelayUs: 1000 });
  for (let i = 0; i < n; i++) ep['a']!.send('b', delta(i));
  await engine.run();
  const drawn = net.stats.reordered / n;
  // A message is overtaken if one sent after it arrived before it.
  let maxSeen = -1;
  let overtaken = 0;
  for (const x of got['b']!) {
    if (x.seq < maxSeen) overtaken++;
    maxSeen = Math.max(maxSeen, x.seq);
  }
  const bound = binomialBound(p, n);
  note(`reordering: drawn ${drawn.toFixed(4)}, overtaken ${(overtaken / n).toFixed(4)}, expected ${p} ± ${bound.toFixed(4)}`);
  assert.ok(Math.abs(drawn - p) <= bound, `reordered fraction ${drawn}`);
  assert.ok(Math.abs(overtaken / n - p) <= bound, `overtaken fraction ${overtaken / n}`);
  assert.ok(overtaken <= net.stats.reordered, 'only detoured messages are overtaken');
  assert.is(got['b']!.length, n);
});

test('reordering off: jitter never reorders a link (uniform and normal jitter of 500 µs, sends 10 µs apart)', async () => {
  for (const jitterDistribution of ['uniform', 'normal'] as const) {
    const n = 5000;
    const { engine, net, got, sendAt } = setup(8, { latencyUs: 100, jitterUs: 500, jitterDistribution });
    for (let i = 0; i < n; i++) sendAt(10 * i, 'a', 'b', i);
    await engine.run();
    const seqs = got['b']!.map((x) => x.seq);
    assert.equal(seqs, Array.from({ length: n }, (_, i) => i), `${jitterDistribution}: in send order`);
    const delays = got['b']!.map((x) => x.at - 10 * x.seq);
    assert.ok(Math.max(...delays) - Math.min(...delays) > 100, `${jitterDistribution}: jitter is in effect`);
    assert.is(net.stats.reordered, 0);
  }
});

test('bandwidth: n back-to-back messages of size s arrive exactly at first send + latency + ceil(i·s/B) with zero jitter', async () => {
  for (const bandwidthBytesPerSec of [1_000_000, 7_000_000, 3_300_000]) {
    const n = 200;
    const latencyUs = 250;
    const t0 = 1000;
    const { engine, got, sendAt } = setup(9, { latencyUs, bandwidthBytesPerSec });
    for (let i = 0; i < n; i++) sendAt(t0, 'a', 'b', i);
    // An idle link does not queue: long after the burst, one message takes latency + s/B.
    sendAt(1_000_000, 'a', 'b', n);
    await engine.run();
    const expected = Array.from({ length: n }, (_, i) => t0 + latencyUs + Math.ceil(((i + 1) * SIZE * 1e6) / bandwidthBytesPerSec));
    expected.push(1_000_000 + latencyUs + Math.ceil((SIZE * 1e6) / bandwidthBytesPerSec));
    assert.equal(got['b']!.map((x) => x.at), expected, `B = ${bandwidthBytesPerSec}`);
    note(`bandwidth ${bandwidthBytesPerSec} B/s, s = ${SIZE}: last of ${n} at +${got['b']![n - 1]!.at - t0} µs, latency + n·s/B = ${latencyUs + (n * SIZE * 1e6) / bandwidthBytesPerSec}`);
  }
});

test('bandwidth: with jitter, reordering and duplication on, the last of a burst still arrives no sooner than latency + n·s/B', async () => {
  const n = 500;
  const B = 2_000_000;
  const { engine, got, sendAt } = setup(10, { latencyUs: 100, jitterUs: 300, bandwidthBytesPerSec: B, reorderRate: 0.1, duplicateRate: 0.1 });
  for (let i = 0; i < n; i++) sendAt(0, 'a', 'b', i);
  await engine.run();
  const lastOriginal = Math.max(...got['b']!.filter((x) => x.seq === n - 1).map((x) => x.at));
  assert.ok(lastOriginal >= 100 + (n * SIZE * 1e6) / B);
  // Each message arrives no sooner than its own serialisation allows.
  for (const x of got['b']!) assert.ok(x.at >= 100 + ((x.seq + 1) * SIZE * 1e6) / B, `seq ${x.seq} at ${x.at}`);
});

test('latency + jitter: mean delay = latencyUs + jitterUs/2 within 3.29 standard errors (99.9 %, n = 20 000); delays within [latency, latency + jitter]', async () => {
  const n = 20_000;
  const latencyUs = 100;
  const jitterUs = 50;
  for (const jitterDistribution of ['uniform', 'normal'] as const) {
    const { engine, got, sendAt } = setup(11, { latencyUs, jitterUs, jitterDistribution });
    // Sends 1 ms apart: far enough that in-order delivery never holds one back.
    for (let i = 0; i < n; i++) sendAt(1000 * i, 'a', 'b', i);
    await engine.run();
    const delays = got['b']!.map((x) => x.at - 1000 * x.seq);
    assert.is(delays.length, n);
    const mean = delays.reduce((s, d) => s + d, 0) / n;
    const sd = Math.sqrt(delays.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1));
    // Uniform on the integers 0..J: σ² = ((J+1)² - 1) / 12 exactly; for the clipped normal use the sample σ.
    const sigma = jitterDistribution === 'uniform' ? Math.sqrt(((jitterUs + 1) ** 2 - 1) / 12) : sd;
    const expected = latencyUs + jitterUs / 2;
    note(`latency+jitter (${jitterDistribution}): mean ${mean.toFixed(3)} µs (sd ${sd.toFixed(2)}), expected ${expected} ± ${((Z * sigma) / Math.sqrt(n)).toFixed(3)}`);
    assert.ok(Math.abs(mean - expected) <= (Z * sigma) / Math.sqrt(n), `${jitterDistribution}: mean delay ${mean}`);
    assert.ok(Math.min(...delays) >= latencyUs && Math.max(...delays) <= latencyUs + jitterUs);
    if (jitterDistribution === 'normal') assert.ok(Math.abs(sd - jitterUs / 6) < 0.5, `normal sd ${sd} ≈ J/6`);
  }
});

test('flaps: messages sent or arriving in a down period are dropped, those wholly in up periods delivered; the link stays up after the last flap', async () => {
  const latencyUs = 50;
  const { engine, net, got, sendAt } = setup(12, { latencyUs });
  const kCtl = engine.trace.kind('test.ctl');
  const start = 500;
  const downUs = 1000;
  const upUs = 2000;
  const count = 3;
  engine.at(100, kCtl, () => net.flap('a', 'b', { downUs, upUs, count, startInUs: start - 100 }));
  // Down periods: [500, 1500), [3500, 4500), [6500, 7500); sends off the boundaries.
  const up = (t: number): boolean => {
    const k = Math.floor((t - start) / (downUs + upUs));
    const inPeriod = (t - start) % (downUs + upUs);
    return t < start || k >= count || inPeriod >= downUs;
  };
  const n = 1200;
  for (let i = 0; i < n; i++) {
    sendAt(5 + 10 * i, 'a', 'b', i);
    sendAt(5 + 10 * i, 'b', 'a', i);
  }
  await engine.run();
  const expected = Array.from({ length: n }, (_, i) => i).filter((i) => up(5 + 10 * i) && up(5 + 10 * i + latencyUs));
  assert.equal(got['b']!.map((x) => x.seq), expected, 'a → b');
  assert.equal(got['a']!.map((x) => x.seq), expected, 'b → a (flaps are symmetric by default)');
  assert.ok(expected.length < n && expected.length > n / 2);
  assert.not.ok(net.isCut('a', 'b'));
  assert.ok(net.stats.droppedBy.partition > 0);
});

test('flaps: one-way flaps cut one direction; a flap never heals a partition; healAll cancels pending flaps', async () => {
  const { engine, net, got, sendAt } = setup(13, { latencyUs: 10 });
  net.flap('a', 'b', { downUs: 100, upUs: 100, count: 2, oneWay: true });
  sendAt(50, 'a', 'b', 1);
  sendAt(50, 'b', 'a', 1);
  await engine.run();
  assert.equal([got['b']!.length, got['a']!.length], [0, 1]);

  net.partition('c', 'd');
  net.flap('c', 'd', { downUs: 100, upUs: 100, count: 1 });
  await engine.run();
  assert.ok(net.isCut('c', 'd'), 'the partition outlives the flap');

  const t = engine.now;
  net.flap('a', 'b', { downUs: 100, upUs: 100, count: 5, startInUs: 20 });
  sendAt(t + 50, 'a', 'b', 2); // down: dropped
  const kCtl = engine.trace.kind('test.ctl');
  engine.at(t + 60, kCtl, () => net.healAll());
  sendAt(t + 70, 'a', 'b', 3);
  sendAt(t + 350, 'a', 'b', 4); // would have been down again
  await engine.run();
  assert.equal(got['b']!.map((x) => x.seq), [3, 4]);
  assert.not.ok(net.isCut('c', 'd'));
});

/** Two-way traffic with every fault on; returns the run's trace hash and what a → b delivered. */
async function chaos(seed: number, withOtherLink: boolean): Promise<{ hash: string; ab: string; net: LossyNetwork }> {
  const { engine, net, got, sendAt } = setup(seed, {
    latencyUs: 80,
    jitterUs: 200,
    bandwidthBytesPerSec: 5_000_000,
    lossRate: 0.1,
    duplicateRate: 0.1,
    reorderRate: 0.1,
  });
  net.setLink('b', 'a', { lossRate: 0.3, jitterDistribution: 'normal' });
  net.flap('a', 'b', { downUs: 3000, upUs: 20_000, count: 3, startInUs: 10_000 });
  const rng = engine.random.stream('test/workload');
  const other = engine.random.stream('test/workload-other');
  for (let i = 0; i < 2000; i++) {
    sendAt(rng.int(100_000), 'a', 'b', i, i % 64);
    sendAt(rng.int(100_000), 'b', 'a', i, i % 64);
    if (withOtherLink) sendAt(other.int(100_000), 'c', 'd', i, i % 64);
  }
  // Mid-run, every copy is delivered, dropped or still in flight.
  await engine.run({ until: 50_000 });
  let inFlight = 0;
  for (let b = 0; b < 64; b++) inFlight += net.inFlight(b);
  const s = net.stats;
  assert.is(s.delivered + s.dropped + inFlight, s.messages + s.duplicated, 'copies are conserved mid-run');
  await engine.run();
  for (let b = 0; b < 64; b++) assert.is(net.inFlight(b), 0);
  assert.is(net.stats.delivered + net.stats.dropped, net.stats.messages + net.stats.duplicated);
  return { hash: engine.trace.hash, ab: JSON.stringify(got['b']!.map((x) => [x.seq, x.at])), net };
}

test('determinism: the same seed gives the same trace hash, another seed a different one; traffic on another link shifts no draws', async () => {
  const x = await chaos(42, false);
  const y = await chaos(42, false);
  const z = await chaos(43, false);
  assert.is(x.hash, y.hash);
  assert.is.not(x.hash, z.hash);
  const s = x.net.stats;
  assert.ok(s.droppedBy.loss > 0 && s.droppedBy.partition > 0 && s.duplicated > 0 && s.reordered > 0, JSON.stringify(s));
  const crowded = await chaos(42, true);
  assert.is(crowded.ab, x.ab, 'a → b delivers the same messages at the same times');
  assert.is.not(crowded.hash, x.hash);
});

test('options: every fault defaults to off; bad options are RangeErrors naming the option', () => {
  const net = new LossyNetwork(new Engine(1));
  assert.equal(net.defaults, { latencyUs: 50, jitterUs: 0, jitterDistribution: 'uniform', bandwidthBytesPerSec: Infinity, lossRate: 0, duplicateRate: 0, reorderRate: 0, reorderDelayUs: 1000 });
  const bad: [LossyNetworkOptions, RegExp][] = [
    [{ lossRate: 1.5 }, /lossRate/],
    [{ duplicateRate: -0.1 }, /duplicateRate/],
    [{ reorderRate: Number.NaN }, /reorderRate/],
    [{ latencyUs: -1 }, /latencyUs/],
    [{ jitterUs: 2.5 }, /jitterUs/],
    [{ reorderDelayUs: 0 }, /reorderDelayUs/],
    [{ bandwidthBytesPerSec: 0 }, /bandwidthBytesPerSec/],
    [{ jitterDistribution: 'pareto' as 'uniform' }, /jitterDistribution/],
    [{ loss: 0.1 } as LossyNetworkOptions, /unknown option 'loss'/],
  ];
  for (const [options, name] of bad) assert.throws(() => new LossyNetwork(new Engine(1), options), (e: unknown) => e instanceof RangeError && name.test(e.message));
  assert.throws(() => net.setLink('a', 'b', { lossRate: 2 }), (e: unknown) => e instanceof RangeError && /setLink\(a -> b\): lossRate/.test(e.message));
  assert.throws(() => net.flap('a', 'b', { downUs: 0, upUs: 1, count: 1 }), (e: unknown) => e instanceof RangeError && /downUs/.test(e.message));
});

test('setLink: overrides one direction only, merged over its earlier overrides', async () => {
  const { engine, net, got, sendAt } = setup(14, { latencyUs: 100 });
  net.setLink('a', 'b', { latencyUs: 300 });
  net.setLink('a', 'b', { jitterUs: 0 });
  assert.is(net.linkOptions('a', 'b').latencyUs, 300);
  assert.is(net.linkOptions('b', 'a').latencyUs, 100);
  sendAt(0, 'a', 'b', 1);
  sendAt(0, 'b', 'a', 1);
  await engine.run();
  assert.equal([got['b']![0]!.at, got['a']![0]!.at], [300, 100]);
});

test('receivers: a node with no handler loses the message; a rejected async handler is a crash; observers hear settle and drop', async () => {
  const engine = new Engine(15);
  const net = new LossyNetwork(engine);
  const settled: number[] = [];
  const dropped: number[] = [];
  net.observe({ settled: (b) => settled.push(b) });
  net.observe({ dropped: (b) => dropped.push(b) });
  const a = net.endpoint('a');
  a.send('nobody', delta(1, 3));
  await engine.run();
  assert.is(net.stats.droppedBy.noListener, 1);
  assert.equal([settled, dropped], [[3], [3]]);
  net.endpoint('b').listen(async () => {
    await Promise.resolve();
    throw new Error('boom');
  });
  a.send('b', delta(2, 4));
  assert.is(await engine.run(), 'crashed');
  assert.match(String(engine.crash?.where), /b: handling delta from a/);
  assert.equal(settled, [3, 4]);
});

test.run();
