// Parity's side of a join (src/parity/joiner.ts), with its ports scripted: what the
// worlds reach rarely or never — a join copy the member refuses, a copy of an
// earlier epoch, a merge whose Q write fails, the merge entries a checkpoint keeps
// after the join, a member that joins again — pinned here. The judge runs it for a
// joiner.ts mutant no run kills (UNIT_TESTS in scripts/mutation/stryker-plugin.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scriptedClock } from './scripted-clock.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Message } from '../src/protocol/messages.js';
import { Joiner } from '../src/parity/joiner.js';
import { BlockLocks } from '../src/util/block-locks.js';

const BYTES = 2;

interface Opts {
  /** How many times the member refuses the request for block 0's join copy before answering. */
  refusals?: number;
  /** The epoch the member's copies carry. */
  copyEpoch?: number;
  /** The epoch parity knows for the member (undefined: none yet). */
  knownEpoch?: number;
  /** Does the merge's Q write succeed? */
  stores?: boolean;
  /** Can Q[k] be read? */
  readable?: boolean;
  /** Blocks the member has no copy of. */
  noCopy?: number[];
}

/** A joiner over a 3-block Q of zeros; the joining member p4's copy of block k holds k + 1 and reflects deltas up to 10 + k. */
function joiner(opts: Opts = {}) {
  let refusals = opts.refusals ?? 0;
  const sleeps: number[] = [];
  const hits: string[] = [];
  const stored: [string, number, number, number, boolean, number[]][] = [];
  const repaired: number[] = [];
  const learned: [string, number][] = [];
  const requests: number[] = [];
  const tasks: Promise<void>[] = [];
  const clock = scriptedClock(sleeps, (_name, task) => void tasks.push(task()));
  const rpc = {
    call: async (to: string, _expect: string, make: (id: number) => Message) => {
      const m = make(1) as Extract<Message, { type: 'join-copy-request' }>;
      assert.is(to, 'p4');
      requests.push(m.block);
      if (m.block === 0 && refusals-- > 0) return { type: 'refused', id: 1, code: 1, reason: 'size' };
      const data = opts.noCopy?.includes(m.block) ? new Uint8Array(0) : new Uint8Array(BYTES).fill(m.block + 1);
      return { type: 'join-copy', id: 1, block: m.block, epoch: opts.copyEpoch ?? 1, reflectsUpTo: 10 + m.block, data };
    },
  };
  const j = new Joiner({
    disk: { blockCount: 3, blockBytes: BYTES, read: async () => (opts.readable ?? true ? { ok: true, data: new Uint8Array(BYTES) } : { ok: false, error: 'media-error' as const }) } as never,
    clock,
    rpc: rpc as never,
    locks: new BlockLocks(),
    retransmit: { initialUs: 5_000, maxUs: 500_000 },
    probe: { hit: (name: string) => void hits.push(name), anomaly() {} },
    buggify: NO_BUGGIFY,
    learnEpoch: (m: string, e: number) => void learned.push([m, e]),
    epochOf: () => opts.knownEpoch,
    repairQ: (k: number) => void repaired.push(k),
    storeMerge: async (m: string, k: number, upTo: number, epoch: number, noCopy: boolean, newQ: Uint8Array) => {
      stored.push([m, k, upTo, epoch, noCopy, [...newQ]]);
      return opts.stores ?? true ? { ok: true } : { ok: false, error: 'media-error' as const };
    },
  });
  const member = { name: 'p4', blockCount: 3 };
  /** Begins p4's join and waits until every block is merged; true once `done` ran. */
  const join = async () => {
    let done = false;
    j.begin(member, () => void (done = true));
    await Promise.all(tasks.splice(0));
    return done;
  };
  return { j, join, member, tasks, sleeps, hits, stored, repaired, learned, requests };
}

test('a join merges every block once, logging what each copy reflects; deltas the copy reflects are absorbed, later ones applied', async () => {
  const w = joiner();
  assert.ok(await w.join());
  assert.equal(w.stored.sort((a, b) => a[1] - b[1]), [
    ['p4', 0, 10, 1, false, [1, 1]],
    ['p4', 1, 11, 1, false, [2, 2]],
    ['p4', 2, 12, 1, false, [3, 3]],
  ]);
  assert.equal(w.learned, [['p4', 1], ['p4', 1], ['p4', 1]]);
  assert.is(await w.j.classify('p4', 1, 11), 'absorbed');
  assert.is(await w.j.classify('p4', 1, 12), 'apply');
  assert.is(await w.j.classify('p1', 1, 1), 'apply', 'a founding member');
  assert.equal(w.hits, ['join-delta-absorbed']);
  assert.ok(w.j.joining('p4'), 'joining until its completion is journaled');
  assert.ok(w.j.contributes('p4', 0), 'merged: Q holds its copy');
  w.j.restoreJoined('p4');
  assert.not.ok(w.j.joining('p4'));
});

test('a join copy refused (the member sees another size) is asked for again, backing off, never invented', async () => {
  const w = joiner({ refusals: 3 });
  assert.ok(await w.join());
  assert.is(w.stored.length, 3);
  assert.is(w.requests.length, 6, 'three refused, three answered');
  assert.equal(w.stored.find((s) => s[1] === 0), ['p4', 0, 10, 1, false, [1, 1]]);
  assert.equal(w.hits.filter((h) => h === 'request-refused').length, 3);
  assert.equal(w.sleeps, [5_000, 10_000, 20_000], 'the retransmission back-off, per attempt');
});

test('a copy of an earlier epoch (a restore began while it was on its way) reflects no delta of the new one', async () => {
  const w = joiner({ copyEpoch: 1, knownEpoch: 2 });
  assert.ok(await w.join());
  for (const s of w.stored) assert.is(s[2], 0, `block ${s[1]} logged reflecting nothing`);
  assert.is(await w.j.classify('p4', 0, 1), 'apply', 'delta 1 of the new epoch is applied');
  // The same epoch, or parity knowing none: taken at its word.
  const same = joiner({ copyEpoch: 2, knownEpoch: 2 });
  await same.join();
  assert.is(await same.j.classify('p4', 0, 10), 'absorbed');
  const unknown = joiner({ copyEpoch: 2 });
  await unknown.join();
  assert.is(await unknown.j.classify('p4', 2, 12), 'absorbed');
  assert.is(unknown.stored.find((s) => s[1] === 2)![2], 12);
});

test("a merge whose Q write fails has Q[k] repaired; an unreadable Q[k] is logged empty and left to its recomputation", async () => {
  const failing = joiner({ stores: false });
  await failing.join();
  assert.equal(failing.repaired.sort(), [0, 1, 2]);
  const unreadable = joiner({ readable: false, stores: false });
  await unreadable.join();
  assert.equal(unreadable.repaired, [], 'storeMerge has its recomputation owed');
  for (const s of unreadable.stored) assert.equal(s[5], []);
  assert.equal(unreadable.hits.filter((h) => h === 'merge-absorbed').length, 3);
});

test('a block the member has no copy of goes in as zeros, logged as such', async () => {
  const w = joiner({ noCopy: [1] });
  await w.join();
  const b1 = w.stored.find((s) => s[1] === 1)!;
  assert.equal(b1, ['p4', 1, 11, 1, true, [0, 0]]);
  assert.is(w.stored.filter((s) => s[4]).length, 1);
});

test('checkpoints keep every merge entry while joining, then those reflecting deltas above the floor; the member may join again', async () => {
  const w = joiner();
  await w.join();
  assert.equal(w.j.entries('p4', 11), [[0, 10], [1, 11], [2, 12]], 'joining: all');
  w.j.restoreJoined('p4');
  assert.equal(w.j.entries('p4', 11), [[2, 12]], 'joined: above the floor only');
  assert.equal(w.j.entries('p4', 12), []);
  assert.equal(w.j.entries('p9', 0), []);
  assert.equal(w.j.members(), ['p4']);
  // The join ended: begin() may run again for the member (it left and joins anew).
  assert.ok(await w.join());
});

test('a delta for a block not merged yet merges it first; the merge runs once however many ask', async () => {
  const w = joiner();
  assert.not.ok(w.j.merging(2));
  w.j.begin(w.member, () => {});
  assert.not.ok(w.j.contributes('p4', 2), 'not merged yet: Q lacks its copy');
  const answers = Promise.all([w.j.classify('p4', 2, 13), w.j.classify('p4', 2, 12)]);
  assert.ok(w.j.merging(2), 'the delta asked for the merge of its block');
  assert.equal(await answers, ['apply', 'absorbed']);
  await Promise.all(w.tasks.splice(0));
  assert.not.ok(w.j.merging(2), 'no merge under way once it is done');
  assert.is(w.stored.filter((s) => s[1] === 2).length, 1, 'block 2 merged once');
  assert.is(w.requests.filter((b) => b === 2).length, 1, 'its copy asked for once');
});

test('merging() names the blocks whose merge is under way, and no other, while the join runs', async () => {
  const w = joiner({ refusals: 3 }); // block 0's copy is refused three times: its merge outlasts the others'
  w.j.begin(w.member, () => {});
  await new Promise((r) => setImmediate(r));
  assert.equal(w.stored.map((s) => s[1]).sort(), [1, 2], 'blocks 1 and 2 merged, block 0 still asked for');
  assert.ok(w.j.merging(0));
  assert.not.ok(w.j.merging(1), 'a merge done is no longer under way');
  assert.not.ok(w.j.merging(5), 'nor a block no merge was begun for');
  await Promise.all(w.tasks.splice(0));
  assert.not.ok(w.j.merging(0));
});

test("journal replay: a join resumed after a crash merges only the blocks not merged before it; what they reflect still judges late deltas", async () => {
  const w = joiner();
  w.j.restoreJoining('p4');
  w.j.restoreMerged('p4', 2, 40);
  w.j.restoreMerged('p4', 0, 30);
  w.j.restoreJoining('p4'); // replayed twice (a checkpoint and a record): the merges stay
  assert.ok(w.j.joining('p4'));
  assert.equal(w.j.entries('p4', 0), [[0, 30], [2, 40]], 'sorted by block, whatever order they came in');
  assert.ok(await w.join());
  assert.equal(w.requests, [1], 'only block 1 asked for');
  assert.is(await w.j.classify('p4', 0, 30), 'absorbed');
  assert.is(await w.j.classify('p4', 0, 31), 'apply');
  // A merge record replayed before the join's own record (a checkpoint's entries).
  const early = joiner();
  early.j.restoreMerged('p4', 1, 7);
  early.j.restoreJoining('p4');
  assert.is(await early.j.classify('p4', 1, 7), 'absorbed', 'no join running: the record alone decides');
  assert.is(await early.j.classify('p4', 2, 1), 'apply', 'a block not merged reflects nothing');
  early.j.restoreJoined('p4');
  assert.not.ok(early.j.joining('p4'));
  assert.equal(early.j.entries('p4', 6), [[1, 7]]);
});

test('forget: a member that left keeps no merge records; one whose numbering restarted while joining keeps its blocks merged, reflecting nothing', async () => {
  const left = joiner();
  left.j.restoreMerged('p4', 0, 5);
  left.j.forget('p4');
  assert.equal(left.j.members(), []);
  assert.is(await left.j.classify('p4', 0, 1), 'apply', 'a founding member again');
  const restarted = joiner();
  restarted.j.restoreJoining('p4');
  restarted.j.restoreMerged('p4', 0, 5);
  restarted.j.restoreMerged('p4', 1, 9);
  restarted.j.forget('p4');
  assert.equal(restarted.j.members(), ['p4']);
  assert.equal(restarted.j.entries('p4', 0), [[0, 0], [1, 0]], 'merged, reflecting none of the new epoch');
  assert.is(await restarted.j.classify('p4', 0, 1), 'apply');
  restarted.j.forget('p9'); // no records: nothing to do
  assert.equal(restarted.j.members(), ['p4']);
});

test.run();
