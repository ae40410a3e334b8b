// Request/response over the unreliable transport (src/protocol/rpc.ts), driven by
// hand: which answers settle a call, when a request is resent, which round trips
// the timeout learns from (Karn's rule), ids across boots, and a request served
// once while under way. The judge runs it for every src/protocol mutant no run
// caught (scripts/mutation/stryker-plugin.mjs UNIT_TESTS).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { NodeId, Transport } from '../src/ports/transport.js';
import type { Message } from '../src/protocol/messages.js';
import { DEFAULT_RETRANSMIT, retransmitDelay } from '../src/protocol/retransmit.js';
import { Rpc, bootOf, isRefused } from '../src/protocol/rpc.js';

/** Virtual time moved by hand; timers fire in order of their time. */
class HandClock implements Clock {
  #now = 0;
  #timers: { at: number; fn: () => void; live: boolean }[] = [];
  now(): number {
    return this.#now;
  }
  sleep(): Promise<void> {
    throw new Error('not used');
  }
  timer(us: number, fn: () => void): Timer {
    const t = { at: this.#now + us, fn, live: true };
    this.#timers.push(t);
    return { cancel: () => void (t.live = false) };
  }
  spawn(): void {
    throw new Error('not used');
  }
  /** Moves time to `to`, firing the timers due on the way. */
  advance(to: number): void {
    for (;;) {
      const due = this.#timers.filter((t) => t.live && t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      due.live = false;
      this.#now = due.at;
      due.fn();
    }
    this.#now = to;
  }
  get live(): number {
    return this.#timers.filter((t) => t.live).length;
  }
}

class Sent implements Transport {
  readonly self = 'a';
  readonly log: { to: NodeId; message: Message }[] = [];
  send(to: NodeId, message: Message): void {
    this.log.push({ to, message });
  }
  listen(): void {}
}

const OPTIONS = { initialUs: 1_000, maxUs: 100_000 };
const settled = async <T>(p: Promise<T>): Promise<T | 'pending'> => Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);

test('ids: boot × 2^32 + a count from 1; bootOf reads the boot back; the boot number must fit', () => {
  const net = new Sent();
  const rpc = new Rpc(net, new HandClock(), undefined, 3);
  void rpc.call('p', 'restore-begin', (id) => ({ type: 'restore-request', id, epoch: 0, resume: 0 }));
  void rpc.call('p', 'restore-begin', (id) => ({ type: 'restore-request', id, epoch: 0, resume: 0 }));
  const ids = net.log.map((s) => (s.message as { id: number }).id);
  assert.equal(ids, [3 * 2 ** 32 + 1, 3 * 2 ** 32 + 2]);
  assert.equal(ids.map(bootOf), [3, 3]);
  assert.is(bootOf(2 ** 32 - 1), 0);
  assert.is(bootOf(2 ** 32), 1);
  assert.is(new Rpc(net, new HandClock(), undefined).pending, 0);
  for (const bad of [-1, 2 ** 21, 0.5]) assert.throws(() => new Rpc(net, new HandClock(), undefined, bad), RangeError, String(bad));
  new Rpc(net, new HandClock(), undefined, 2 ** 21 - 1);
});

test('an answer settles its call only from the node asked, with the type expected or a refusal; late duplicates are ignored', async () => {
  const net = new Sent();
  const rpc = new Rpc(net, new HandClock(), undefined);
  const call = rpc.call('p', 'restore-begin', (id) => ({ type: 'restore-request', id, epoch: 0, resume: 0 }));
  const begin: Message = { type: 'restore-begin', id: 1, epoch: 2, session: 3 };
  assert.is(rpc.pending, 1);
  assert.not.ok(rpc.answer('q', 1, begin), 'from another node');
  assert.not.ok(rpc.answer('p', 1, { type: 'join-begin', id: 1, epoch: 2 }), 'of another type');
  assert.not.ok(rpc.answer('p', 2, { ...begin, id: 2 }), 'of another id');
  assert.is(await settled(call), 'pending');
  assert.ok(rpc.answer('p', 1, begin));
  assert.is(rpc.pending, 0);
  assert.equal(await call, begin);
  assert.not.ok(rpc.answer('p', 1, begin), 'a late duplicate');
  const refusedCall = rpc.call('p', 'restore-begin', (id) => ({ type: 'restore-request', id, epoch: 0, resume: 0 }));
  const refused: Message = { type: 'refused', id: 2, reason: 1 };
  assert.ok(rpc.answer('p', 2, refused));
  const answer = await refusedCall;
  assert.ok(isRefused(answer));
  assert.not.ok(isRefused(begin));
});

test('without retransmission a request is sent once; with it, resent afresh at each timeout, doubling, until answered or not wanted', async () => {
  const once = new Sent();
  const clock0 = new HandClock();
  void new Rpc(once, clock0, undefined).call('p', 'copy-reply', (id) => ({ type: 'copy-request', id, block: 1 }));
  clock0.advance(10_000_000);
  assert.is(once.log.length, 1);
  assert.is(clock0.live, 0);

  const net = new Sent();
  const clock = new HandClock();
  const rpc = new Rpc(net, clock, OPTIONS);
  let made = 0;
  let wanted = true;
  const call = rpc.call(
    'p',
    'copy-reply',
    (id) => ({ type: 'copy-request', id, block: made++ }),
    () => wanted,
  );
  assert.is(net.log.length, 1);
  clock.advance(999);
  assert.is(net.log.length, 1, 'not before the timeout');
  clock.advance(1_000);
  assert.is(net.log.length, 2, 'resent at the initial timeout');
  clock.advance(2_999);
  assert.is(net.log.length, 2);
  clock.advance(3_000);
  assert.is(net.log.length, 3, 'then after twice that');
  assert.equal(
    net.log.map((s) => (s.message as { block: number }).block),
    [0, 1, 2],
    'each resend made afresh',
  );
  assert.ok(net.log.every((s) => s.to === 'p'));
  wanted = false;
  clock.advance(100_000);
  assert.is(net.log.length, 3, 'no longer wanted: not resent');
  assert.is(rpc.pending, 1, 'but still open to a late answer');
  assert.ok(rpc.answer('p', 1, { type: 'copy-reply', id: 1, block: 0, status: 0, data: new Uint8Array(0) }));
  await call;
});

test("the timeout learns a round trip only from a request answered at its first sending (Karn's rule), per destination", () => {
  const net = new Sent();
  const clock = new HandClock();
  const rpc = new Rpc(net, clock, OPTIONS);
  const ask = (to: string) => void rpc.call(to, 'copy-reply', (id) => ({ type: 'copy-request', id, block: 0 }));
  const reply = (id: number): Message => ({ type: 'copy-reply', id, block: 0, status: 0, data: new Uint8Array(0) });
  const sendsTo = (to: string) => net.log.filter((s) => s.to === to).length;
  // Request 1 to p: resent once (at 1 ms), answered at 1.5 ms — no sample; the RTO stays doubled (2 ms).
  ask('p');
  clock.advance(1_000);
  assert.ok(rpc.answer('p', 1, reply(1)));
  assert.is(clock.live, 0, 'the answered call keeps no timer');
  // Request 2 to p: answered at its first sending after 600 µs: RTO = 600 + 4·300 = 1 800.
  ask('p');
  clock.advance(1_600);
  assert.ok(rpc.answer('p', 2, reply(2)));
  ask('p'); // request 3, sent at 1 600
  clock.advance(1_600 + 1_799);
  assert.is(sendsTo('p'), 4, 'not resent before the learned 1.8 ms');
  clock.advance(1_600 + 1_800);
  assert.is(sendsTo('p'), 5, 'resent at the learned 1.8 ms');
  // q learned nothing from p's round trips: its first request waits the initial 1 ms.
  ask('q');
  const t = clock.now();
  clock.advance(t + 999);
  assert.is(sendsTo('q'), 1);
  clock.advance(t + 1_000);
  assert.is(sendsTo('q'), 2);
});

test('serve: a request under way is served once; after it ends, again', async () => {
  const rpc = new Rpc(new Sent(), new HandClock(), undefined);
  let runs = 0;
  let finish!: () => void;
  const work = () => {
    runs++;
    return new Promise<void>((r) => (finish = r));
  };
  const first = rpc.serve('p', 7, work);
  await rpc.serve('p', 7, work); // a retransmission while the first is under way
  assert.is(runs, 1);
  void rpc.serve('q', 7, async () => void runs++); // another sender's request 7
  void rpc.serve('p', 8, async () => void runs++);
  assert.is(runs, 3);
  finish();
  await first;
  await rpc.serve('p', 7, async () => void runs++);
  assert.is(runs, 4);
  // A request whose work fails is not left "under way".
  await rpc.serve('p', 9, async () => Promise.reject(new Error('x'))).catch(() => {});
  await rpc.serve('p', 9, async () => void runs++);
  assert.is(runs, 5);
});

test('retransmitDelay: the initial wait, doubling per attempt, capped', () => {
  const o = { initialUs: 5_000, maxUs: 500_000 };
  assert.equal([1, 2, 3, 4].map((a) => retransmitDelay(o, a)), [5_000, 10_000, 20_000, 40_000]);
  assert.is(retransmitDelay(o, 8), 500_000);
  assert.is(retransmitDelay(o, 1_000), 500_000, 'no overflow past the cap');
  assert.equal(DEFAULT_RETRANSMIT, { initialUs: 5_000, maxUs: 500_000 });
});

test.run();
