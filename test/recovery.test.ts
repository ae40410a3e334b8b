// A primary's journal recovery (src/primary/recovery.ts), the watch on a
// restore session (restore-session.ts) and what it knows of its blocks while
// restored (restore-state.ts), below what the simulated worlds judge: which
// journaled writes are redone and which only resent, what a loss older or
// newer than a write becomes, and when a silent session is resumed. The
// mutation judge runs these for mutants of these files no run caught
// (docs/MUTATION.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WriteResult } from '../src/ports/block-device.js';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { DurableLog, LogRecord } from '../src/ports/durable-log.js';
import { encodeHeader, encodeJournalRecord } from '../src/protocol/journal-record.js';
import type { Message } from '../src/protocol/messages.js';
import { REFUSAL } from '../src/protocol/peer-checks.js';
import type { Rpc } from '../src/protocol/rpc.js';
import { BlockLocks } from '../src/util/block-locks.js';
import type { VerifiedDisk } from '../src/util/verified-disk.js';
import type { LossNotices } from '../src/primary/loss-notices.js';
import { LostBlocks } from '../src/primary/lost-blocks.js';
import type { Mender } from '../src/primary/mender.js';
import type { Outbox } from '../src/primary/outbox.js';
import { Recovery } from '../src/primary/recovery.js';
import type { Restoration } from '../src/primary/restoration.js';
import { RestoreSession } from '../src/primary/restore-session.js';
import { RestoreState } from '../src/primary/restore-state.js';

const bytes = (byte: number) => new Uint8Array(4).fill(byte);

function recoveryHarness(options: { restoring?: number; lost?: [number, number][]; gone?: boolean; trimmedUpTo?: number; records?: { position: number; block: number; replaces?: number }[] } = {}) {
  const log: string[] = [];
  const seen: number[] = [];
  const lostReported: number[] = [];
  const failing = new Set<number>();
  const restore = new RestoreState();
  const lost = new LostBlocks();
  for (const [block, since] of options.lost ?? []) lost.add(block, since);
  const records: LogRecord[] = (options.records ?? []).map(({ position, block, replaces }) => ({
    position,
    data: encodeJournalRecord({ kind: 'intent', block, data: bytes(position), delta: bytes(0x80 | position), replaces: replaces ?? 0 }),
  }));
  const header = encodeHeader({ epoch: 3, restoring: options.restoring ?? 0, lost: lost.encode() });
  const journal = { read: async () => ({ header, trimmedUpTo: options.trimmedUpTo ?? 0, records }) } as unknown as DurableLog;
  const restoration = {
    recovered: (h: { epoch: number }) => void log.push(`recovered epoch ${h.epoch}`),
    persist: async () => void log.push(`persist ${restore.lost.blocks().join(',')}`),
    resume: () => void log.push('resume'),
  } as unknown as Restoration;
  const outbox = {
    trimmedUpTo: (n: number) => void log.push(`trimmed ${n}`),
    send: (block: number, delta: Uint8Array, seq: number, replaces: number) => void log.push(`send ${block} ${delta[0]} #${seq} r${replaces}`),
    unstored: (seq: number, data: Uint8Array | undefined) => void log.push(`unstored #${seq} ${data === undefined ? '-' : data[0]}`),
    abandon: () => void log.push('abandon'),
  } as unknown as Outbox;
  const disk = {
    write: async (block: number, data: Uint8Array): Promise<WriteResult> => {
      log.push(`write ${block} ${data[0]}`);
      return failing.has(block) ? { ok: false, error: 'device-failed' } : { ok: true };
    },
  } as unknown as VerifiedDisk;
  const r = new Recovery({
    name: 'p1',
    disk,
    locks: new BlockLocks(),
    restore,
    restoration,
    outbox,
    mender: { zeroFillLost: () => void log.push(`zero-fill ${restore.lost.blocks().join(',')}`) } as unknown as Mender,
    notices: { written: (block: number) => void log.push(`noticed ${block}`) } as unknown as LossNotices,
    probe: { hit: (name) => void log.push(`probe ${name}`), anomaly() {} },
    seen: (seq) => void seen.push(seq),
    lost: (block) => void lostReported.push(block),
    gone: () => options.gone ?? false,
  });
  return { r, log, seen, lostReported, failing, restore, journal };
}

test('recovery: the header first, then each journaled write redone in order, its delta resent', async () => {
  const h = recoveryHarness({ trimmedUpTo: 4, records: [{ position: 5, block: 2 }, { position: 6, block: 7, replaces: 1 }] });
  await h.r.recover(h.journal);
  assert.equal(h.log, [
    'recovered epoch 3',
    'trimmed 4',
    'send 2 133 #5 r0',
    'probe primary-journal-redo',
    'write 2 5',
    'unstored #5 -',
    'noticed 2',
    'send 7 134 #6 r1',
    'probe primary-journal-redo',
    'write 7 6',
    'unstored #6 -',
    'noticed 7',
    'zero-fill ',
  ]);
  assert.equal(h.seen, [5, 6]);
  assert.equal([...h.restore.valid], [2, 7], 'redone writes are newer than what a resumed restore sends');
  assert.equal(h.lostReported, []);
});

test('recovery: a redo the disk cannot take leaves the data with its delta, and is not valid', async () => {
  const h = recoveryHarness({ records: [{ position: 1, block: 2 }] });
  h.failing.add(2);
  await h.r.recover(h.journal);
  assert.ok(h.log.includes('unstored #1 1'));
  assert.equal([...h.restore.valid], []);
});

test('recovery: a write older than its block loss is resent, not redone; a newer one replaces the loss (persisted)', async () => {
  const h = recoveryHarness({
    lost: [
      [2, 5],
      [3, 5],
      [4, 0],
    ],
    records: [
      { position: 5, block: 2 },
      { position: 6, block: 3 },
    ],
  });
  await h.r.recover(h.journal);
  assert.equal(h.log, [
    'recovered epoch 3',
    'trimmed 0',
    'send 2 133 #5 r0',
    'send 3 134 #6 r0',
    'probe primary-journal-redo',
    'write 3 6',
    'unstored #6 -',
    'noticed 3',
    'persist 2,4',
    'zero-fill 2,4',
  ]);
  assert.equal(h.restore.lost.blocks(), [2, 4]);
  assert.equal(h.lostReported, [2, 4], 'every loss still standing reported again');
});

test('recovery: nothing replaced, nothing persisted; losses reported again all the same', async () => {
  const h = recoveryHarness({ lost: [[4, 9]], records: [{ position: 9, block: 4 }] });
  await h.r.recover(h.journal);
  assert.not.ok(h.log.some((l) => l.startsWith('persist')));
  assert.equal(h.lostReported, [4]);
  assert.ok(h.log.includes('zero-fill 4'));
});

test('recovery: a journal out of order is a broken invariant', async () => {
  const h = recoveryHarness({ trimmedUpTo: 5, records: [{ position: 5, block: 1 }] });
  try {
    await h.r.recover(h.journal);
    assert.unreachable('recovered a record at the trimmed position');
  } catch (e) {
    assert.instance(e, Error);
    assert.not.instance(e, assert.Assertion);
  }
  const g = recoveryHarness({ records: [{ position: 2, block: 1 }, { position: 2, block: 1 }] });
  try {
    await g.r.recover(g.journal);
    assert.unreachable('recovered a record twice');
  } catch (e) {
    assert.not.instance(e, assert.Assertion);
  }
});

test('recovery: gone (it left, not joining again) abandons the outbox; a restore cut short resumes', async () => {
  const h = recoveryHarness({ gone: true, restoring: 1 });
  await h.r.recover(h.journal);
  assert.equal(h.log.slice(-2), ['abandon', 'resume']);
  const g = recoveryHarness();
  await g.r.recover(g.journal);
  assert.not.ok(g.log.includes('abandon'));
  assert.not.ok(g.log.includes('resume'));
});

// ——— RestoreState ———

test('restore state: outside a restore every block not lost is usable and nothing is kept valid', () => {
  const s = new RestoreState();
  assert.ok(s.usable(3));
  s.written(3);
  assert.is(s.valid.size, 0);
  s.lost.add(4, 0);
  assert.not.ok(s.usable(4));
});

test('restore state: during a restore only what was written is usable; complete clears it', () => {
  const s = new RestoreState();
  s.valid.add(9);
  s.begin();
  assert.ok(s.active);
  assert.is(s.valid.size, 0, 'begin forgets an earlier restore');
  assert.not.ok(s.usable(3));
  s.written(3);
  assert.ok(s.usable(3));
  s.lost.add(3, 0);
  assert.not.ok(s.usable(3), 'lost beats valid');
  s.complete();
  assert.not.ok(s.active);
  assert.is(s.valid.size, 0);
  assert.ok(s.usable(5));
});

// ——— RestoreSession ———

function sessionHarness() {
  let now = 0;
  const timers: { at: number; fire: () => void; live: boolean }[] = [];
  const hits: string[] = [];
  const calls: { message: Message; answer: (m: unknown) => void }[] = [];
  const refusals: number[] = [];
  let active = true;
  const clock: Clock = {
    now: () => now,
    sleep: () => Promise.resolve(),
    timer: (us, fire): Timer => {
      const t = { at: now + us, fire, live: true };
      timers.push(t);
      return { cancel: () => void (t.live = false) };
    },
    spawn: (_name, task) => void task(),
  };
  const rpc = {
    call: (_to: string, _expect: string, make: (id: number) => Message) => new Promise((answer) => calls.push({ message: make(calls.length + 1), answer })),
  } as unknown as Rpc;
  const s = new RestoreSession({
    clock,
    rpc,
    parity: 'parity',
    retransmit: { initialUs: 10, maxUs: 100 },
    probe: { hit: (name) => void hits.push(name), anomaly() {} },
    epoch: () => 4,
    active: () => active,
    refused: async (reason) => void refusals.push(reason),
  });
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  /** Moves time to `to`, firing due timers in order. */
  const advance = async (to: number) => {
    for (;;) {
      const due = timers.filter((t) => t.live && t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      now = due.at;
      due.live = false;
      due.fire();
      await settle();
    }
    now = to;
  };
  const live = () => timers.filter((t) => t.live);
  return { s, hits, calls, refusals, settle, advance, live, end: () => void (active = false), at: (t: number) => void (now = t) };
}

test('restore session: before one begins (a restarted primary resuming), no session parity numbers is heard', () => {
  const h = sessionHarness();
  // Parity numbers its sessions from 1 (src/parity/restorer.ts): a stale session's data, arriving
  // before the resume is answered, is not taken.
  for (const session of [0, 1, 2]) assert.not.ok(h.s.heard(session), `session ${session}`);
});

test('restore session: only the begun session is heard', () => {
  const h = sessionHarness();
  h.s.begun(7);
  assert.ok(h.s.heard(7));
  assert.not.ok(h.s.heard(6));
  assert.not.ok(h.s.heard(-1));
});

test('restore session: silent for 4 × the longest retransmission wait, it is resumed (same epoch, a new session)', async () => {
  const h = sessionHarness();
  h.s.begun(7);
  assert.equal(
    h.live().map((t) => t.at),
    [400],
  );
  await h.advance(399);
  assert.is(h.calls.length, 0);
  await h.advance(400);
  assert.equal(h.hits, ['restore-resumed-after-silence']);
  assert.equal(h.calls[0]!.message, { type: 'restore-request', id: 1, epoch: 4, resume: 1 });
  h.calls[0]!.answer({ type: 'restore-begin', id: 1, epoch: 4, session: 8 });
  await h.settle();
  assert.ok(h.s.heard(8));
  assert.not.ok(h.s.heard(7), 'the old session is stale now');
});

test('restore session: a resumed session, answered, is watched as any: silent again, resumed again', async () => {
  const h = sessionHarness();
  h.s.begun(7);
  await h.advance(400);
  h.calls[0]!.answer({ type: 'restore-begin', id: 1, epoch: 4, session: 8 });
  await h.settle();
  await h.advance(799);
  assert.is(h.calls.length, 1);
  await h.advance(800);
  assert.is(h.calls.length, 2, 'the new session silent since it began at 400');
  assert.equal(h.hits, ['restore-resumed-after-silence', 'restore-resumed-after-silence']);
});

test('restore session: data heard pushes the watch back by the silence from then', async () => {
  const h = sessionHarness();
  h.s.begun(7);
  await h.advance(300);
  assert.ok(h.s.heard(7));
  await h.advance(400);
  assert.is(h.calls.length, 0, 'heard at 300: silent only from 700');
  assert.equal(
    h.live().map((t) => t.at),
    [700],
  );
  await h.advance(699);
  assert.is(h.calls.length, 0);
  await h.advance(700);
  assert.is(h.calls.length, 1);
});

test('restore session: one watchdog at a time; while a resume is outstanding, checked again a silence later', async () => {
  const h = sessionHarness();
  h.s.begun(7);
  h.s.begun(7);
  assert.is(h.live().length, 1);
  await h.advance(400);
  assert.is(h.calls.length, 1);
  assert.equal(
    h.live().map((t) => t.at),
    [800],
  );
  await h.advance(800);
  assert.is(h.calls.length, 1, 'not asked again while the resume is outstanding');
  assert.equal(
    h.live().map((t) => t.at),
    [1200],
  );
});

test('restore session: the watch ends with the restore, and done() cancels it', async () => {
  const h = sessionHarness();
  h.s.begun(7);
  h.end();
  await h.advance(1000);
  assert.is(h.calls.length, 0);
  assert.is(h.live().length, 0);
  const g = sessionHarness();
  g.s.begun(7);
  g.s.done();
  assert.is(g.live().length, 0);
  g.s.begun(8);
  assert.is(g.live().length, 1, 'a new watch after done()');
});

test('restore session: a refused resume hands the reason on and lets the watchdog ask again', async () => {
  const h = sessionHarness();
  h.s.begun(7);
  h.s.resume();
  h.calls[0]!.answer({ type: 'refused', id: 1, reason: REFUSAL['not-a-member'] });
  await h.settle();
  assert.equal(h.refusals, [REFUSAL['not-a-member']]);
  assert.equal(h.hits, ['request-refused']);
  assert.ok(h.s.heard(7), 'the session is unchanged');
  await h.advance(400);
  assert.is(h.calls.length, 2, 'silent since the resume: asked again');
});

test('restore session: resume outside a restore is a broken invariant', () => {
  const h = sessionHarness();
  h.end();
  assert.throws(() => h.s.resume());
});

test.run();
