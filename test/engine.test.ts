import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Engine } from '../sim/engine/engine.js';
import { Streams } from '../sim/engine/prng.js';
import { YEAR, formatTime } from '../sim/engine/time.js';

test('prng: the same seed and name give the same draws; another seed differs', () => {
  const a = new Streams(42).stream('disk/p1');
  const b = new Streams(42).stream('disk/p1');
  const c = new Streams(43).stream('disk/p1');
  const da = Array.from({ length: 100 }, () => a.uint32());
  assert.equal(da, Array.from({ length: 100 }, () => b.uint32()));
  assert.not.equal(da, Array.from({ length: 100 }, () => c.uint32()));
});

test('prng: adding streams or drawing from others never changes a stream', () => {
  const alone = new Streams(7);
  const x1 = Array.from({ length: 50 }, () => alone.stream('net').float());
  const crowded = new Streams(7);
  crowded.stream('a-new-component').float();
  const net = crowded.stream('net');
  const x2: number[] = [];
  for (let i = 0; i < 50; i++) {
    crowded.stream('workload').float();
    crowded.stream(`other-${i}`).uint32();
    x2.push(net.float());
  }
  assert.equal(x1, x2);
});

test('prng: streams of one seed are not copies of each other', () => {
  const s = new Streams(1);
  assert.not.equal(
    Array.from({ length: 20 }, () => s.stream('a').uint32()),
    Array.from({ length: 20 }, () => s.stream('b').uint32()),
  );
});

test('prng: uniform and exponential draws have the right means (±2%)', () => {
  const r = new Streams(9).stream('stats');
  let u = 0;
  let ex = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    u += r.float();
    ex += r.exponential(250);
  }
  assert.ok(Math.abs(u / n - 0.5) < 0.01, `uniform mean ${u / n}`);
  assert.ok(Math.abs(ex / n / 250 - 1) < 0.02, `exponential mean ${ex / n}`);
});

test('quiescence: run returns when nothing is left to do', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  let ran = 0;
  e.after(100, k, () => e.after(50, k, () => ran++));
  assert.is(await e.run(), 'quiescent');
  assert.is(ran, 1);
  assert.is(e.now, 150);
  assert.is(e.pending, 0);
});

test('until: runs events up to and including the bound, then sets the clock to it', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  const seen: number[] = [];
  for (const t of [10, 20, 30]) e.after(t, k, () => seen.push(t));
  assert.is(await e.run({ until: 20 }), 'time');
  assert.equal(seen, [10, 20]);
  assert.is(e.now, 20);
  assert.is(await e.run(), 'quiescent');
  assert.equal(seen, [10, 20, 30]);
});

test('predicate: stops right after the event that makes it true', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  let n = 0;
  for (let t = 1; t <= 10; t++) e.after(t, k, () => n++);
  assert.is(await e.run({ stopWhen: () => n === 4 }), 'predicate');
  assert.is(e.now, 4);
  assert.is(e.pending, 6);
});

test('cancel: a cancelled event never runs; cancelling twice or after running is false', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  let ran = '';
  const a = e.after(10, k, () => (ran += 'a'));
  e.after(5, k, () => (ran += 'b'));
  assert.ok(e.cancel(a));
  assert.not.ok(e.cancel(a));
  await e.run();
  assert.is(ran, 'b');
  const c = e.after(1, k, () => (ran += 'c'));
  await e.run();
  assert.not.ok(e.cancel(c));
});

test('time: exact integer µs across 100 simulated years', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  const hundredYears = 100 * YEAR;
  let at = -1;
  e.after(hundredYears + 1, k, () => (at = e.now));
  await e.run();
  assert.is(at, hundredYears + 1);
  assert.ok(Number.isSafeInteger(at));
  assert.is(formatTime(hundredYears), '100y');
  assert.throws(() => e.after(1.5, k, () => {}), /integer/);
  assert.throws(() => e.after(-1, k, () => {}), /non-negative/);
});

test('a throwing event is a crash: the run stops and says where', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('boom');
  let after = false;
  e.after(5, k, () => {
    throw new Error('invariant broken');
  });
  e.after(6, k, () => (after = true));
  assert.is(await e.run(), 'crashed');
  assert.not.ok(after);
  assert.match(String((e.crash!.error as Error).message), 'invariant broken');
  assert.match(e.crash!.where, 'boom');
});

test('a rejected product promise is a crash, not an unhandled rejection', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  e.watch(
    (async () => {
      await e.sleep(10, k);
      throw new Error('assertion in a controller');
    })(),
    'controller p1',
  );
  e.after(20, k, () => {});
  assert.is(await e.run(), 'crashed');
  assert.is(e.crash!.timeUs, 10);
  assert.is(e.crash!.where, 'controller p1');
});

test('trace hash: identical runs agree; a different delay or seed changes it', async () => {
  const run = async (seed: number, delay: number) => {
    const e = new Engine(seed);
    const k = e.trace.kind('t', ['block']);
    const r = e.random.stream('x');
    for (let i = 0; i < 100; i++) e.after(r.int(1000) + delay, k, () => e.trace.record(e.now, k, 0, i));
    await e.run();
    return e.trace.hash;
  };
  assert.is(await run(1, 0), await run(1, 0));
  assert.is.not(await run(1, 0), await run(1, 1));
  assert.is.not(await run(1, 0), await run(2, 0));
  assert.match(await run(1, 0), /^[0-9a-f]{16}$/);
});

test('trace hash does not depend on the order kinds and actors were registered', async () => {
  const run = async (registerOthersFirst: boolean) => {
    const e = new Engine(1);
    if (registerOthersFirst) {
      e.trace.kind('some.other.component');
      e.trace.actor('someone-else');
    }
    const k = e.trace.kind('t', ['block']);
    for (let i = 0; i < 5; i++) e.after(i, k, () => e.trace.record(e.now, k, e.trace.actor('a'), i));
    await e.run();
    return e.trace.hash;
  };
  assert.is(await run(false), await run(true));
});

test('trace sink: records are written as JSON lines with field and actor names', async () => {
  const e = new Engine(1);
  const lines: string[] = [];
  e.trace.setSink((l) => lines.push(l));
  const k = e.trace.kind('net.send', ['block', 'bytes', 'to']);
  e.after(7, e.trace.kind('t'), () => e.trace.record(e.now, k, e.trace.actor('p1'), 12, 29, e.trace.actor('parity')));
  await e.run();
  assert.equal(lines.map((l) => JSON.parse(l)), [{ t: 7, kind: 'net.send', actor: 'p1', block: 12, bytes: 29, to: 'parity' }]);
  assert.equal(e.trace.recentFor(12), ['t=7us net.send p1 block=12 bytes=29 to=parity']);
});
test.run();
