// Recomputing Q[k] (src/parity/repairer.ts), with its ports scripted: what
// no check of a run judges — how long a gather waits before it is tried
// again, which probe a recomputation hits, which missing copies are declared
// lost, a loss found again, the owed recomputations and a Q write that
// fails — pinned here. The judge runs it for a repairer.ts mutant no run
// kills (UNIT_TESTS in scripts/mutation/stryker-plugin.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scriptedClock } from './scripted-clock.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Message } from '../src/protocol/messages.js';
import { Repairer } from '../src/parity/repairer.js';
import { BlockLocks } from '../src/util/block-locks.js';

const BYTES = 4;

interface Opts {
  /** Times p2's copy of block 0 is ahead of Q. */
  ahead?: number;
  /** Members with no copy of block 0 (status 2) until asked to repair it. */
  missing?: string[];
  pending?: (k: number) => boolean;
  stale?: (k: number) => boolean;
  /** Members held lost (of every block). */
  lost?: string[];
  intact?: boolean | (() => boolean);
  /** Does the Q write succeed? */
  stores?: boolean;
}

/** A repairer over a 2-block Q and members p1, p2, p3 (p<i>'s copy of k holds i in every byte). */
function repairer(opts: Opts = {}) {
  let ahead = opts.ahead ?? 0;
  const missing = new Set(opts.missing ?? []);
  const lost = new Set(opts.lost ?? []);
  const sleeps: number[] = [];
  const hits: string[] = [];
  const stored: [number, number[], string[]][] = [];
  const declared: [string[], number, boolean][] = [];
  const asked: [string, number][] = [];
  const found: [string, number][] = [];
  const reprotected: number[] = [];
  const tasks: Promise<void>[] = [];
  const clock = scriptedClock(sleeps, (_name, task) => void tasks.push(task()));
  const rpc = {
    call: async (to: string, _expect: string, make: (id: number) => Message) => {
      const m = make(1) as Extract<Message, { type: 'copy-request' }>;
      if (m.block === 0 && missing.has(to)) return { type: 'copy-reply', id: 1, block: m.block, status: 2, data: new Uint8Array(0) };
      const status = to === 'p2' && m.block === 0 && ahead-- > 0 ? 1 : 0;
      return { type: 'copy-reply', id: 1, block: m.block, status, data: new Uint8Array(BYTES).fill(Number(to.slice(1))) };
    },
  };
  const r = new Repairer({
    disk: { blockCount: 2, blockBytes: BYTES },
    clock, rpc,
    locks: new BlockLocks(),
    retransmit: { initialUs: 5_000, maxUs: 500_000 },
    probe: { hit: (name: string) => void hits.push(name), anomaly() {} },
    buggify: NO_BUGGIFY,
    members: () => [{ name: 'p1', blockCount: 2 }, { name: 'p2', blockCount: 2 }, { name: 'p3', blockCount: 2 }],
    contributes: () => true,
    intact: async () => (typeof opts.intact === 'function' ? opts.intact() : (opts.intact ?? false)),
    storeQ: async (k: number, q: Uint8Array, f: readonly string[] = []) => {
      stored.push([k, [...q], [...f]]);
      return { ok: opts.stores ?? true };
    },
    ready: async () => {},
    losses: {
      pending: opts.pending ?? (() => false),
      stale: opts.stale ?? (() => false),
      has: (m: string) => lost.has(m),
      found: (m: string, k: number) => void found.push([m, k]),
      reprotected: (k: number) => void reprotected.push(k),
    },
    declareLost: async (ms: readonly string[], k: number, stale: boolean) => void declared.push([[...ms], k, stale]),
    // The member repairs its copy (or learns its loss and zero-fills it): it gives one from now on.
    askRepair: async (m: string, k: number) => {
      asked.push([m, k]);
      missing.delete(m);
    },
  } as unknown as ConstructorParameters<typeof Repairer>[0]);
  const settle = async () => {
    while (tasks.length > 0) await tasks.shift();
  };
  return { r, sleeps, hits, stored, declared, asked, found, reprotected, settle };
}

test('a gather with a copy ahead of Q is tried again after the retransmission back-off, doubling', async () => {
  const { r, sleeps, hits, stored, settle } = repairer({ ahead: 3 });
  r.repair(0);
  await settle();
  assert.equal(sleeps, [5_000, 10_000, 20_000]);
  assert.equal(stored, [[0, [0, 0, 0, 0], []]]); // 1 ^ 2 ^ 3
  assert.equal(hits, ['parity-block-rebuilt']);
  assert.not.ok(r.repairing(0), 'a finished repair still counted under way');
});

test('a re-protection hits its own probe', async () => {
  let pending = true;
  const { r, hits, reprotected, settle } = repairer({ pending: () => pending });
  r.reprotect(1);
  await settle();
  pending = false;
  assert.equal(hits, ['stripe-reprotected']);
  assert.equal(reprotected, [1]);
});

test('a stripe waiting to be re-protected counts as under repair before its recomputation starts', () => {
  const { r } = repairer({ pending: (k) => k === 1 });
  assert.ok(r.repairing(1));
  assert.not.ok(r.repairing(0));
});

test('a re-protection whose intact Q is whole for the others asks the member without a copy, declaring nothing', async () => {
  const { r, declared, asked, stored, settle } = repairer({ pending: (k) => k === 0, missing: ['p3'], intact: true });
  r.reprotect(0);
  await settle();
  assert.equal(declared, []);
  assert.equal(asked, [['p3', 0]]);
  assert.equal(stored, [[0, [0, 0, 0, 0], []]]);
});

test('a repair (no loss pending) with a copy missing declares it lost, stale, then asks its member', async () => {
  // Q reads damaged at the first look (why it is repaired), intact at the gather's: only `reprotect` decides.
  let looks = 0;
  const { r, declared, asked, settle } = repairer({ missing: ['p3'], intact: () => looks++ > 0 });
  r.repair(0);
  await settle();
  assert.equal(declared, [[['p3'], 0, true]]);
  assert.equal(asked, [['p3', 0]]);
});

test('a re-protection with a copy missing declares it lost when Q is damaged, stale, or owes a delta', async () => {
  for (const o of [{ intact: false }, { intact: true, stale: () => true }]) {
    const { r, declared, asked, settle } = repairer({ pending: (k) => k === 0, missing: ['p3'], ...o });
    r.reprotect(0);
    await settle();
    assert.equal(declared, [[['p3'], 0, true]], JSON.stringify(o));
    assert.equal(asked, [['p3', 0]]);
  }
  const { r, declared, settle } = repairer({ pending: (k) => k === 0, missing: ['p3'], intact: true });
  r.recompute(0);
  await settle();
  assert.equal(declared, [[['p3'], 0, true]], 'owed');
});

test('a member held lost that gives its copy is found again, with the new Q', async () => {
  const { r, stored, found, settle } = repairer({ lost: ['p2'] });
  r.repair(0);
  await settle();
  assert.equal(stored, [[0, [0, 0, 0, 0], ['p2']]]);
  assert.equal(found, [['p2', 0]]);
});

test('a member held lost that still has no copy is not found again', async () => {
  const { r, stored, found, settle } = repairer({ lost: ['p3'], missing: ['p3'], intact: true, pending: (k) => k === 0 });
  r.reprotect(0);
  await settle();
  // Asked, p3 zero-fills and gives its copy: found then, not before.
  assert.equal(stored, [[0, [0, 0, 0, 0], ['p3']]]);
  assert.equal(found, [['p3', 0]]);
});

test('an owed recomputation releases every waiter once Q is stored, and is no longer owed', async () => {
  // Q reads intact (a redo of an older value), but lacks the absorbed delta: recomputed all the same.
  const { r, stored, settle } = repairer({ intact: true });
  const released: string[] = [];
  r.recompute(0, () => released.push('a'));
  r.recompute(0, () => released.push('b'));
  assert.ok(r.owes(0) && r.repairing(0));
  await settle();
  assert.equal(released, ['a', 'b']);
  assert.equal(stored.length, 1);
  assert.not.ok(r.owes(0));
  assert.not.ok(r.repairing(0));
});

test('a Q write that fails keeps the recomputation owed: nobody released, the stripe not re-protected', async () => {
  const { r, hits, reprotected, found, settle } = repairer({ stores: false, lost: ['p1'] });
  const released: string[] = [];
  r.recompute(0, () => released.push('a'));
  await settle();
  assert.equal(released, []);
  assert.equal(reprotected, []);
  assert.equal(hits, []);
  assert.equal(found, [['p1', 0]], 'journaled with the write, found whatever it did');
  assert.ok(r.owes(0));
  assert.ok(r.repairing(0), 'owed, though no longer running');
});

test('a Q that reads intact and owes nothing is left alone', async () => {
  const { r, stored, settle } = repairer({ intact: true });
  r.repair(0);
  await settle();
  assert.equal(stored, []);
});

test.run();
