// Async product code must be deterministic: every continuation of a woken
// controller — at any await depth — runs at the virtual time of the event that
// woke it and before the next event. These tests compare the engine against a
// synchronous reference trace, and show that the naive `resolve(); await null`
// loop (one microtask hop per event) gets it wrong, so the test can fail.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Engine } from '../sim/engine/engine.js';

const DEPTH = 12;
const ROUNDS = 3;

/** A controller-like process: sleep, then a DEPTH-deep chain of nested awaits. */
function makeProcess(sleep: (us: number) => Promise<void>, now: () => number, log: string[]) {
  async function chain(depth: number): Promise<void> {
    if (depth === 0) {
      log.push(`leaf@${now()}`);
      return;
    }
    await Promise.resolve(); // an extra microtask hop per level
    await chain(depth - 1);
    log.push(`unwind${depth}@${now()}`);
  }
  return async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(10);
      await chain(DEPTH);
      log.push(`round${round}@${now()}`);
    }
  };
}

/** What must happen: each round's chain completes at its wake-up time, then the observer runs. */
function reference(): string[] {
  const log: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = 10 * (round + 1);
    log.push(`leaf@${t}`);
    for (let d = 1; d <= DEPTH; d++) log.push(`unwind${d}@${t}`);
    log.push(`round${round}@${t}`);
    log.push(`observer@${t}`);
  }
  return log;
}

test(`engine drains a ${DEPTH}-deep await chain before the next event (matches the synchronous reference)`, async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  const log: string[] = [];
  const proc = makeProcess((us) => e.sleep(us, k), () => e.now, log);
  e.watch(proc(), 'proc');
  // An observer due at each wake-up instant, always queued after the process's
  // own wake-up: it must see that round's whole chain finished.
  const observe = (): void => {
    log.push(`observer@${e.now}`);
    if (e.now < 10 * ROUNDS) e.after(10, k, observe);
  };
  e.after(10, k, observe);
  await e.run();
  assert.equal(log, reference());
});

test('a continuation that schedules more work sees the clock of its wake-up, at every depth', async () => {
  const e = new Engine(1);
  const k = e.trace.kind('t');
  const times: number[] = [];
  async function nest(depth: number): Promise<void> {
    if (depth === 0) return;
    await e.sleep(depth, k); // a real wait at every level
    times.push(e.now);
    await nest(depth - 1);
  }
  e.watch(nest(15), 'nest');
  await e.run();
  // sleeps of 15, 14, ..., 1 µs: cumulative wake-up times
  const expected: number[] = [];
  let t = 0;
  for (let d = 15; d >= 1; d--) expected.push((t += d));
  assert.equal(times, expected);
});

test('the naive loop (`resolve(); await null` per event) diverges from the reference — the check above can fail', async () => {
  // A minimal event loop with the naive drain, same process and observers.
  const events: { t: number; seq: number; fn: () => void }[] = [];
  let now = 0;
  let seq = 0;
  const at = (t: number, fn: () => void) => events.push({ t, seq: seq++, fn });
  const log: string[] = [];
  const proc = makeProcess((us) => new Promise<void>((r) => at(now + us, r)), () => now, log);
  void proc();
  await null;
  const observe = (): void => {
    log.push(`observer@${now}`);
    if (now < 10 * ROUNDS) at(now + 10, observe);
  };
  at(10, observe);
  while (events.length > 0) {
    events.sort((a, b) => a.t - b.t || a.seq - b.seq);
    const ev = events.shift()!;
    now = ev.t;
    ev.fn();
    await null; // one hop: not enough for nested awaits
  }
  await new Promise((r) => process.nextTick(r)); // let stragglers finish so the log is complete
  assert.not.equal(log, reference());
  // The chain woken at t=10 ran late, seeing a clock that had already moved on.
  assert.ok(log.indexOf('observer@10') < log.findIndex((l) => l.startsWith('leaf@')), `observer overtook the chain: ${log.join(' ')}`);
  assert.not.ok(log.includes('round0@10'), `round 0 finished on time: ${log.join(' ')}`);
});

test('two independent processes interleave identically on every run', async () => {
  const once = async () => {
    const e = new Engine(5);
    const k = e.trace.kind('t');
    const log: string[] = [];
    for (const name of ['a', 'b']) {
      const rng = e.random.stream(name);
      e.watch(
        (async () => {
          for (let i = 0; i < 50; i++) {
            await e.sleep(rng.int(20), k);
            await Promise.resolve();
            log.push(`${name}${i}@${e.now}`);
          }
        })(),
        name,
      );
    }
    await e.run();
    return { log, hash: e.trace.hash };
  };
  const a = await once();
  const b = await once();
  assert.equal(a.log, b.log);
  assert.is(a.hash, b.hash);
  assert.is(a.log.length, 100);
});
test.run();
