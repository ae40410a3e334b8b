// A primary that left the group and is told to join it again takes host
// writes again. `leaving` (host writes refused: decommissioned) was set by
// leave() and cleared by nothing but a controller restart, so a rejoined
// member whose controller had not restarted refused every host write for
// good (scenarios/leave-rejoin.json: p4's writes after its second join).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock, Timer } from '../src/ports/clock.js';
import { Membership } from '../src/primary/membership.js';
import type { Outbox } from '../src/primary/outbox.js';
import type { Rpc } from '../src/protocol/rpc.js';
import type { RestoreState } from '../src/primary/restore-state.js';
import type { VerifiedDisk } from '../src/util/verified-disk.js';

test('a member that left and joins again is not leaving', async () => {
  const tasks: Promise<void>[] = [];
  const timer: Timer = { cancel() {} };
  const clock: Clock = { now: () => 0, sleep: () => Promise.resolve(), timer: () => timer, spawn: (_name, work) => void tasks.push(work()) };
  const rpc = { call: async (_to: string, expect: string) => ({ type: expect, id: 1 }) } as unknown as Rpc;
  let departed = 0;
  const m = new Membership({
    name: 'p4',
    clock,
    rpc,
    parity: 'parity',
    outbox: { rejoin() {}, abandon() {} } as unknown as Outbox,
    restore: { active: false } as unknown as RestoreState,
    probe: { hit() {}, anomaly() {} },
    member: false,
    left: false,
    disk: { blockCount: 8 } as unknown as VerifiedDisk,
    ready: () => Promise.resolve(),
    restored: () => Promise.resolve(),
    departed: () => void departed++,
  });
  m.join();
  await Promise.all(tasks);
  m.leave();
  assert.ok(m.leaving, 'told to leave: host writes refused');
  await Promise.all(tasks);
  assert.is(departed, 1);
  assert.not.ok(m.member);
  m.join();
  await Promise.all(tasks);
  assert.ok(m.member);
  assert.not.ok(m.leaving, 'a member again: host writes taken');
});

test.run();
