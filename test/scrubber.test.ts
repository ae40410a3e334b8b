// Checking Q[k] against the members' copies (src/parity/scrubber.ts), with
// its ports scripted: each verdict of a check (Q bad, one copy bad, two bad,
// a mismatch nobody can resolve, a copy ahead of Q, a stripe being
// recomputed) and the passes finish() asks for — pinned here. The judge runs
// it (and scrub-finish.test.ts) for a scrubber.ts mutant no run kills
// (UNIT_TESTS in scripts/mutation/stryker-plugin.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scriptedClock } from './scripted-clock.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Message } from '../src/protocol/messages.js';
import { HONEST } from '../src/protocol/planted-bugs.js';
import { Scrubber } from '../src/parity/scrubber.js';
import { BlockLocks } from '../src/util/block-locks.js';

const BYTES = 4;

interface Opts {
  /** Members without a usable copy of block 0 (status 2). */
  bad?: string[];
  /** Q[0] unreadable. */
  qBad?: boolean;
  /** Q[0]'s bytes (default: the XOR of the copies, 1 ^ 2 ^ 3 = 0). */
  q0?: number;
  /** Times p2's copy of block 0 is ahead of Q. */
  ahead?: number;
  pending?: (k: number) => boolean;
  owes?: (k: number) => boolean;
  stores?: boolean;
  /** Members, by name and size (default p1, p2, p3 of 3 blocks). */
  members?: { name: string; blockCount: number }[];
  contributes?: (m: string, k: number) => boolean;
}

/** A scrubber over a 3-block Q; member p<i>'s copy of every block holds i in every byte. */
function scrubber(opts: Opts = {}) {
  let ahead = opts.ahead ?? 0;
  let qBad = opts.qBad ?? false;
  const bad = new Set(opts.bad ?? []);
  const sleeps: number[] = [];
  const hits: string[] = [];
  const anomalies: [string, number][] = [];
  const requested: [string, number][] = [];
  const repairs: [string, number, number][] = [];
  const stored: [number, number[]][] = [];
  const declared: [string[], number, boolean][] = [];
  const clock = scriptedClock(sleeps, (_name, task) => void task());
  const rpc = {
    call: async (to: string, _expect: string, make: (id: number) => Message) => {
      const m = make(1);
      if (m.type === 'repair-request') {
        repairs.push([to, m.block, m.lost]);
        return { type: 'repair-done', id: 1, block: m.block };
      }
      assert.is(m.type, 'copy-request');
      const block = (m as Extract<Message, { type: 'copy-request' }>).block;
      requested.push([to, block]);
      if (block === 0 && bad.has(to)) return { type: 'copy-reply', id: 1, block, status: 2, data: new Uint8Array(0) };
      const status = to === 'p2' && block === 0 && ahead-- > 0 ? 1 : 0;
      return { type: 'copy-reply', id: 1, block, status, data: new Uint8Array(BYTES).fill(Number(to.slice(1))) };
    },
  };
  const disk = {
    blockCount: 3,
    blockBytes: BYTES,
    read: async (k: number) =>
      k === 0 && qBad ? { ok: false, error: 'medium' } : { ok: true, data: new Uint8Array(BYTES).fill(k === 0 ? (opts.q0 ?? 0) : 0) },
  };
  const s = new Scrubber({
    disk, clock, rpc,
    locks: new BlockLocks(),
    retransmit: { initialUs: 5_000, maxUs: 500_000 },
    probe: { hit: (name: string) => void hits.push(name), anomaly: (name: string, k: number) => void anomalies.push([name, k]) },
    buggify: NO_BUGGIFY,
    members: () => opts.members ?? [{ name: 'p1', blockCount: 3 }, { name: 'p2', blockCount: 3 }, { name: 'p3', blockCount: 3 }],
    contributes: opts.contributes ?? (() => true),
    losses: { pending: opts.pending ?? (() => false) },
    owes: opts.owes ?? (() => false),
    storeQ: async (k: number, q: Uint8Array) => {
      stored.push([k, [...q]]);
      if (opts.stores === false) return { ok: false, error: 'failed' };
      if (k === 0) qBad = false;
      return { ok: true };
    },
    declareLost: async (ms: readonly string[], k: number, stale: boolean) => void declared.push([[...ms], k, stale]),
    ready: async () => {},
    seam: HONEST,
  } as unknown as ConstructorParameters<typeof Scrubber>[0]);
  return { s, sleeps, hits, anomalies, requested, repairs, stored, declared };
}

test('a Q[k] that matches the copies is left alone', async () => {
  const { s, hits, stored, repairs, declared, requested } = scrubber();
  await s.scrub(0);
  assert.equal(hits, []);
  assert.equal(stored, []);
  assert.equal(repairs, []);
  assert.equal(declared, []);
  assert.equal(requested, [['p1', 0], ['p2', 0], ['p3', 0]]);
});

test('only the members that hold block k and count in Q[k] are asked', async () => {
  const members = [{ name: 'p1', blockCount: 3 }, { name: 'p2', blockCount: 1 }, { name: 'p3', blockCount: 3 }];
  const { s, requested } = scrubber({ members, contributes: (m) => m !== 'p3' });
  await s.scrub(1);
  assert.equal(requested, [['p1', 1]]);
});

test('a bad Q[k] alone is rebuilt from the copies', async () => {
  const { s, hits, stored, repairs } = scrubber({ qBad: true });
  await s.scrub(0);
  assert.equal(stored, [[0, [0, 0, 0, 0]]]);
  assert.equal(hits, ['scrub-mismatch-found', 'scrub-repaired-parity']);
  assert.equal(repairs, []);
});

test("a bad Q[k] is rebuilt as the XOR of the members' copies", async () => {
  const { s, stored } = scrubber({ qBad: true, members: [{ name: 'p1', blockCount: 3 }, { name: 'p2', blockCount: 3 }] });
  await s.scrub(0);
  assert.equal(stored, [[0, [3, 3, 3, 3]]], 'p1 ^ p2 = 3 in every byte');
});

test('a bad Q[k] whose write fails hits no repaired probe', async () => {
  const { s, hits, stored } = scrubber({ qBad: true, stores: false });
  await s.scrub(0);
  assert.equal(stored.length, 1);
  assert.equal(hits, ['scrub-mismatch-found']);
});

test('one bad copy: its member is asked to repair it from parity, after the lock is released; Q untouched', async () => {
  const { s, hits, stored, repairs, declared } = scrubber({ bad: ['p2'], q0: 0 });
  await s.scrub(0);
  assert.equal(repairs, [['p2', 0, 0]]);
  assert.equal(stored, []);
  assert.equal(declared, []);
  assert.equal(hits, ['scrub-mismatch-found']);
});

test('two bad copies, or a bad copy and a bad Q[k]: the bad members\' blocks are declared lost (stale)', async () => {
  for (const o of [{ bad: ['p1', 'p3'] }, { bad: ['p3'], qBad: true }]) {
    const { s, hits, stored, repairs, declared } = scrubber(o);
    await s.scrub(0);
    assert.equal(declared, [[o.bad, 0, true]], JSON.stringify(o));
    assert.equal(stored, []);
    assert.equal(repairs, []);
    assert.equal(hits, ['scrub-mismatch-found', 'scrub-found-loss']);
  }
});

test('copies that agree with each other but not with Q[k]: reported, never guessed at', async () => {
  const { s, hits, anomalies, stored, repairs, declared } = scrubber({ q0: 9 });
  await s.scrub(0);
  assert.equal(hits, ['scrub-mismatch-found', 'scrub-mismatch-unresolved']);
  assert.equal(anomalies, [['scrub-copies-agree-q-differs', 0]]);
  assert.equal(stored, []);
  assert.equal(repairs, []);
  assert.equal(declared, []);
});

test('a copy ahead of Q[k] is asked for again after the retransmission back-off, doubling', async () => {
  const { s, sleeps, requested, hits } = scrubber({ ahead: 3 });
  await s.scrub(0);
  assert.equal(sleeps, [5_000, 10_000, 20_000]);
  assert.equal(requested.length, 12);
  assert.equal(hits, []);
});

test('a stripe being recomputed (a loss pending, or a delta owed) is not looked at', async () => {
  for (const o of [{ pending: (k: number) => k === 0 }, { owes: (k: number) => k === 0 }]) {
    const { s, requested, hits } = scrubber({ ...o, qBad: true });
    await s.scrub(0);
    assert.equal(requested, []);
    assert.equal(hits, [], 'no probe outside finish()');
  }
});

test('finish() outside a scrub resolves at once', async () => {
  const { s } = scrubber();
  await s.finish();
});

test('a scrub walks block after block, one every interval, and finish() stops it after a clean pass', async () => {
  const { s, sleeps, requested } = scrubber();
  s.start(7);
  s.start(7); // once, however often started
  await s.finish();
  assert.ok(sleeps.length >= 3 && sleeps.every((us) => us === 7), JSON.stringify(sleeps));
  const blocks = requested.filter(([m]) => m === 'p1').map(([, k]) => k);
  assert.equal(blocks, [0, 1, 2]);
});

test('a pass that repaired something is followed by another, whole', async () => {
  const { s, requested, stored } = scrubber({ qBad: true });
  s.start(1);
  await s.finish();
  assert.equal(stored.length, 1);
  const blocks = requested.filter(([m]) => m === 'p1').map(([, k]) => k);
  // A pass from block 0 repairs Q[0]: one more pass (0, 1, 2), which finds nothing.
  assert.equal(blocks.length, 6, JSON.stringify(blocks));
});

test('a mismatch nobody can resolve does not make the pass unclean (another pass would find it again)', async () => {
  const { s, requested } = scrubber({ q0: 9 });
  s.start(1);
  await s.finish();
  const blocks = requested.filter(([m]) => m === 'p1').map(([, k]) => k);
  assert.equal(blocks, [0, 1, 2]);
});

test('what a scrub repaired before finish() was asked for does not make its first pass unclean', async () => {
  const { s, requested, stored } = scrubber({ qBad: true });
  s.start(1);
  while (stored.length === 0) await new Promise((r) => setImmediate(r)); // Q[0] repaired, finish() not asked yet
  const before = requested.length;
  await s.finish();
  // One whole pass from where the scrub was (it finds nothing), not two.
  assert.equal(requested.length - before, 9, JSON.stringify(requested.slice(before)));
});

test('a scrub finished can be started again, and finishes again', async () => {
  const { s, requested } = scrubber();
  s.start(1);
  await s.finish();
  s.start(1);
  await s.finish();
  assert.equal(requested.filter(([m]) => m === 'p1').length, 6);
});

test.run();
