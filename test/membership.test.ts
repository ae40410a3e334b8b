// A primary's place in the parity group (src/primary/membership.ts) below what
// the simulated worlds judge: what a join and a leave ask of parity, when a join
// request stops being resent, what a refusal leaves behind, and that a leave
// waits for recovery and a restore under way. The mutation judge runs these
// for membership.ts mutants no run caught (docs/MUTATION.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { Message } from '../src/protocol/messages.js';
import { REFUSAL } from '../src/protocol/peer-checks.js';
import type { Rpc } from '../src/protocol/rpc.js';
import { Membership } from '../src/primary/membership.js';
import type { Outbox } from '../src/primary/outbox.js';
import { RestoreState } from '../src/primary/restore-state.js';
import type { VerifiedDisk } from '../src/util/verified-disk.js';

interface Call {
  expect: string;
  message: Message;
  keepTrying: () => boolean;
  answer: (m: unknown) => void;
}

function harness(options: { member?: boolean; left?: boolean } = {}) {
  const log: string[] = [];
  const hits: string[] = [];
  const calls: Call[] = [];
  const tasks: Promise<unknown>[] = [];
  const timer: Timer = { cancel() {} };
  const clock: Clock = { now: () => 0, sleep: () => Promise.resolve(), timer: () => timer, spawn: (_name, work) => void tasks.push(work()) };
  const rpc = {
    call: (_to: string, expect: string, make: (id: number) => Message, keepTrying: () => boolean = () => true) =>
      new Promise((answer) => {
        const message = make(calls.length + 1);
        log.push(message.type);
        calls.push({ expect, message, keepTrying, answer });
      }),
  } as unknown as Rpc;
  let readyGate: () => void = () => {};
  const ready = new Promise<void>((r) => (readyGate = r));
  let restoredGate: () => void = () => {};
  const restored = new Promise<void>((r) => (restoredGate = r));
  const restore = new RestoreState();
  const m = new Membership({
    name: 'p4',
    clock,
    rpc,
    parity: 'parity',
    outbox: { rejoin: () => void log.push('rejoin'), abandon: () => void log.push('abandon') } as unknown as Outbox,
    restore,
    probe: { hit: (name) => void hits.push(name), anomaly() {} },
    member: options.member ?? false,
    left: options.left ?? false,
    disk: { blockCount: 8 } as unknown as VerifiedDisk,
    ready: () => ready,
    restored: () => restored,
    departed: () => void log.push('departed'),
  });
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { m, log, hits, calls, restore, settle, ready: () => readyGate(), restored: () => restoredGate() };
}

test('a new member: outside, not leaving, not gone unless it left', () => {
  assert.not.ok(harness().m.member);
  assert.ok(harness({ member: true }).m.member);
  assert.not.ok(harness().m.leaving);
  assert.not.ok(harness().m.gone);
  assert.ok(harness({ left: true }).m.gone, 'left and outside');
  assert.not.ok(harness({ left: true, member: true }).m.gone, 'left once, a member again');
});

test('join: a member at once, the outbox told, a join request with our size resent while it is the latest order', async () => {
  const h = harness({ left: true });
  h.m.join();
  assert.ok(h.m.member);
  assert.not.ok(h.m.gone);
  await h.settle();
  assert.equal(h.log, ['rejoin', 'join-request']);
  const call = h.calls[0]!;
  assert.is(call.expect, 'join-begin');
  assert.equal(call.message, { type: 'join-request', id: 1, blockCount: 8 });
  assert.ok(call.keepTrying(), 'resent while unanswered');
  call.answer({ type: 'join-begin', id: 1 });
  await h.settle();
  assert.ok(h.m.member);
  assert.equal(h.hits, []);
});

test('join refused: outside again, and the refusal counted', async () => {
  const h = harness();
  h.m.join();
  await h.settle();
  h.calls[0]!.answer({ type: 'refused', id: 1, reason: REFUSAL['not-a-member'] });
  await h.settle();
  assert.not.ok(h.m.member);
  assert.equal(h.hits, ['request-refused']);
});

test('a join request is not resent once a leave is ordered, nor once a later join is', async () => {
  const h = harness();
  h.m.join();
  await h.settle();
  const first = h.calls[0]!;
  h.m.leave();
  assert.not.ok(first.keepTrying(), 'leaving: the join is not wanted any more');
  const g = harness();
  g.m.join();
  await g.settle();
  g.calls[0]!.answer({ type: 'refused', id: 1, reason: 1 });
  await g.settle();
  assert.not.ok(g.calls[0]!.keepTrying(), 'outside again');
  g.m.join();
  await g.settle();
  assert.ok(g.calls[1]!.keepTrying(), 'the latest join is resent');
});

test('a join request stays unwanted after a leave and a later join: each order counts up, none reuses an earlier number', async () => {
  const h = harness();
  h.m.join();
  await h.settle();
  const first = h.calls[0]!;
  h.m.leave();
  h.ready();
  await h.settle();
  h.calls[1]!.answer({ type: 'leave-complete', id: 2 });
  await h.settle();
  assert.not.ok(h.m.member);
  h.m.join();
  await h.settle();
  // Orders counted down, or a leave taking one back, would give this join the first one's number.
  assert.not.ok(first.keepTrying(), 'the first join, two orders ago');
  assert.ok(h.calls[2]!.keepTrying(), 'the latest join');
});

test('a member cannot join, an outsider cannot leave', () => {
  assert.throws(() => harness({ member: true }).m.join());
  assert.throws(() => harness().m.leave());
});

test('leave: host writes refused at once; after recovery, the leave asked, then outside, the outbox abandoned, the platform told', async () => {
  const h = harness({ member: true });
  h.m.leave();
  assert.ok(h.m.leaving);
  assert.ok(h.m.member, 'a member until parity took us out');
  await h.settle();
  assert.equal(h.calls.length, 0, 'waits for recovery');
  h.ready();
  await h.settle();
  assert.equal(h.calls.length, 1);
  assert.is(h.calls[0]!.expect, 'leave-complete');
  assert.equal(h.calls[0]!.message, { type: 'leave-request', id: 1 });
  assert.ok(h.m.member);
  h.calls[0]!.answer({ type: 'leave-complete', id: 1 });
  await h.settle();
  assert.not.ok(h.m.member);
  assert.equal(h.log, ['leave-request', 'abandon', 'departed']);
  assert.equal(h.hits, []);
});

test('leave: a restore under way is waited for first', async () => {
  const h = harness({ member: true });
  h.restore.begin();
  h.m.leave();
  h.ready();
  await h.settle();
  assert.equal(h.calls.length, 0);
  assert.equal(h.hits, ['leave-waited-for-restore']);
  h.restored();
  await h.settle();
  assert.equal(h.calls.length, 1);
});

test('leave refused: still a member, nothing abandoned', async () => {
  const h = harness({ member: true });
  h.m.leave();
  h.ready();
  await h.settle();
  h.calls[0]!.answer({ type: 'refused', id: 1, reason: REFUSAL['not-a-member'] });
  await h.settle();
  assert.ok(h.m.member);
  assert.equal(h.log, ['leave-request']);
  assert.equal(h.hits, ['request-refused']);
});

test('joining again after a leave: taken back, not leaving', async () => {
  const h = harness({ member: true, left: true });
  h.m.leave();
  h.ready();
  await h.settle();
  h.calls[0]!.answer({ type: 'leave-complete', id: 1 });
  await h.settle();
  assert.ok(h.m.gone);
  h.m.join();
  assert.not.ok(h.m.leaving);
  assert.ok(h.m.member);
});

test.run();
