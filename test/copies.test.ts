// What a primary gives parity of its own blocks (src/primary/copies.ts) below
// what the simulated worlds judge: each kind of copy and its status, "no copy"
// for what it cannot read or has not restored, a lost block's zeros checked
// and written again, and the answers given while the block is being rebuilt
// from parity. The mutation judge runs these for copies.ts mutants no run
// caught (docs/MUTATION.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReadResult, WriteResult } from '../src/ports/block-device.js';
import type { Buggify } from '../src/ports/buggify.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { Probe } from '../src/ports/probe.js';
import type { Message } from '../src/protocol/messages.js';
import { HONEST } from '../src/protocol/planted-bugs.js';
import { Copies } from '../src/primary/copies.js';
import type { Outbox } from '../src/primary/outbox.js';
import { RestoreState } from '../src/primary/restore-state.js';
import { BlockLocks } from '../src/util/block-locks.js';
import type { VerifiedDisk } from '../src/util/verified-disk.js';

const BLOCKS = 6;
const BYTES = 4;
const FAILED: ReadResult = { ok: false, error: 'media-error' };

const data = (byte: number) => new Uint8Array(BYTES).fill(byte);
const zeros = () => new Uint8Array(BYTES);

function harness(options: { buggify?: Buggify; seam?: typeof HONEST } = {}) {
  const sent: Message[] = [];
  const hits: string[] = [];
  const sleeps: number[] = [];
  const stored = new Map<number, Uint8Array>();
  const unreadable = new Set<number>();
  const writes: number[] = [];
  let writeResult: WriteResult = { ok: true };
  /** Reads of these blocks wait until released (answering what the block held when they began). */
  const held = new Set<number>();
  const releases: (() => void)[] = [];
  const reads: number[] = [];
  /** Writes of these blocks land somewhere else (misdirected): they report ok, the block is unchanged. */
  const astray = new Set<number>();
  const pending = new Set<number>();
  const unstored = new Map<number, Uint8Array>();
  let highest = 12;
  const read = (block: number): Promise<ReadResult> => {
    reads.push(block);
    const answer = (): ReadResult => (unreadable.has(block) ? FAILED : { ok: true, data: (stored.get(block) ?? data(0x11)).slice() });
    if (!held.has(block)) return Promise.resolve(answer());
    const then = answer();
    return new Promise((resolve) => releases.push(() => resolve(then)));
  };
  const disk = {
    blockCount: BLOCKS,
    blockBytes: BYTES,
    read,
    write: async (block: number, bytes: Uint8Array): Promise<WriteResult> => {
      writes.push(block);
      if (writeResult.ok && !astray.has(block)) {
        stored.set(block, bytes.slice());
        unreadable.delete(block);
      }
      return writeResult;
    },
  } as unknown as VerifiedDisk;
  const probe: Probe = { hit: (name) => void hits.push(name), anomaly() {} };
  const timer: Timer = { cancel() {} };
  const clock: Clock = {
    now: () => 0,
    sleep: (us) => {
      sleeps.push(us);
      return Promise.resolve();
    },
    timer: () => timer,
    spawn: () => {},
  };
  const locks = new BlockLocks();
  const restore = new RestoreState();
  const outbox = {
    pending: (block: number) => pending.has(block),
    unstoredData: (block: number) => unstored.get(block),
  } as unknown as Outbox;
  const c = new Copies({
    disk,
    net: { self: 'p1', send: (_to, m) => void sent.push(m), listen() {} },
    clock,
    buggify: options.buggify ?? NO_BUGGIFY,
    probe,
    parity: 'parity',
    locks,
    restore,
    outbox,
    seam: options.seam ?? HONEST,
    epoch: () => 5,
    highestSeq: () => highest,
  });
  const settle = async () => {
    for (let i = 0; i < 30; i++) await Promise.resolve();
  };
  return {
    c,
    sent,
    hits,
    sleeps,
    stored,
    unreadable,
    writes,
    held,
    reads,
    astray,
    releases,
    pending,
    unstored,
    locks,
    restore,
    settle,
    failWrites: () => void (writeResult = { ok: false, error: 'device-failed' }),
    setHighest: (n: number) => void (highest = n),
    /** The last message sent, as a plain object with its data as an array. */
    last: () => {
      const m = sent.at(-1) as Record<string, unknown>;
      return { ...m, data: [...(m.data as Uint8Array)] };
    },
  };
}

const reply = (status: number, bytes: number[]) => ({ status, data: bytes });
const statusOf = (h: ReturnType<typeof harness>) => {
  const m = h.last() as { status: number; data: number[] };
  return reply(m.status, m.data);
};

// ——— answer(): another array's restore, a leave, a repair, the scrub ———

test('answer: a readable block, settled (0) or ahead of parity (1)', async () => {
  const h = harness();
  h.stored.set(2, data(7));
  await h.c.answer(1, 2);
  assert.equal(h.last(), { type: 'copy-reply', id: 1, block: 2, status: 0, data: [7, 7, 7, 7] });
  h.pending.add(2);
  await h.c.answer(2, 2);
  assert.equal(statusOf(h), reply(1, [7, 7, 7, 7]));
  // The array's first and last blocks are in range.
  h.stored.set(0, data(5));
  await h.c.answer(3, 0);
  assert.equal(statusOf(h), reply(0, [5, 5, 5, 5]));
  h.stored.set(BLOCKS - 1, data(6));
  await h.c.answer(4, BLOCKS - 1);
  assert.equal(statusOf(h), reply(0, [6, 6, 6, 6]));
});

test('answer: unreadable, out of range, not restored yet: no copy (2)', async () => {
  const h = harness();
  h.unreadable.add(1);
  await h.c.answer(1, 1);
  assert.equal(statusOf(h), reply(2, []));
  for (const block of [-1, BLOCKS, 1.5, Number.NaN]) {
    await h.c.answer(2, block);
    assert.equal(statusOf(h), reply(2, []), `block ${block}`);
  }
  h.restore.begin();
  h.restore.valid.add(3);
  await h.c.answer(3, 4);
  assert.equal(statusOf(h), reply(2, []), 'not restored yet');
  await h.c.answer(4, 3);
  assert.equal(statusOf(h), reply(0, [0x11, 0x11, 0x11, 0x11]), 'restored already');
  assert.equal(h.reads, [1, 3], 'no read of a block out of range or not restored');
});

test('answer: under the lock; a block no longer usable once the lock is taken is no copy', async () => {
  const h = harness();
  let asked: Promise<void> | undefined;
  await h.locks.with(2, async () => {
    asked = h.c.answer(1, 2);
    await h.settle();
    assert.is(h.sent.length, 0, 'waits for the lock');
    h.restore.begin(); // a restore began: block 2 is not restored
  });
  await asked;
  assert.equal(statusOf(h), reply(2, []));
  assert.equal(h.reads, []);
});

// Each BUGGIFY delay of an answer is slept before it, and only when the world asks for it.
for (const [answer, point, us] of [['answer', 'copy-reply-delay', 30], ['answerJoin', 'join-copy-reply-delay', 20]] as const) {
  test(`${answer}: the ${point} is slept before the answer, only when it is asked for`, async () => {
    const h = harness({ buggify: { ...NO_BUGGIFY, delay: (p) => (p === point ? us : 0) } });
    await h.c[answer](1, 2);
    assert.equal(h.sleeps, [us]);
    const g = harness();
    await g.c[answer](1, 2);
    assert.equal(g.sleeps, []);
  });
}

test("answer: a lost block answers its zeros, settled (3) or with a delta still on its way (1)", async () => {
  const h = harness();
  h.restore.lost.add(3, 0);
  h.stored.set(3, zeros());
  await h.c.answer(1, 3);
  assert.equal(statusOf(h), reply(3, [0, 0, 0, 0]));
  assert.equal(h.writes, [], 'zeros read back intact: not written again');
  h.pending.add(3);
  await h.c.answer(2, 3);
  assert.equal(statusOf(h), reply(1, [0, 0, 0, 0]));
});

test('answer: a lost block whose zeros are damaged or unreadable gets them written again until they read back', async () => {
  const h = harness();
  h.restore.lost.add(3, 0);
  h.stored.set(3, data(9)); // corrupted since
  await h.c.answer(1, 3);
  assert.equal(h.writes, [3]);
  assert.equal([...h.stored.get(3)!], [0, 0, 0, 0]);
  // Written again, so 4, not 3: the write may have gone astray, and the scrub's pass is not clean (seed 1096).
  assert.equal(statusOf(h), reply(4, [0, 0, 0, 0]));
  h.unreadable.add(3);
  await h.c.answer(2, 3);
  assert.equal(h.writes, [3, 3]);
  assert.not.ok(h.unreadable.has(3));
});

test('answer: a lost block whose zeros are damaged in one byte only gets them written again', async () => {
  const h = harness();
  h.restore.lost.add(3, 0);
  h.stored.set(3, Uint8Array.of(0, 0, 7, 0)); // still mostly zeros: not intact
  await h.c.answer(1, 3);
  assert.equal(h.writes, [3]);
  assert.equal([...h.stored.get(3)!], [0, 0, 0, 0]);
  assert.equal(statusOf(h), reply(4, [0, 0, 0, 0]));
});

test('answer: zeros written astray are written again, four times at most; a failed drive stops at once', async () => {
  const h = harness();
  h.restore.lost.add(3, 0);
  h.stored.set(3, data(9));
  h.astray.add(3);
  await h.c.answer(1, 3);
  assert.equal(h.writes, [3, 3, 3, 3]);
  assert.equal(h.reads, [3, 3, 3, 3]);
  const g = harness();
  g.restore.lost.add(3, 0);
  g.stored.set(3, data(9));
  g.failWrites();
  await g.c.answer(1, 3);
  assert.equal(g.writes, [3]);
  assert.equal(g.reads, [3]);
});

test('answer: a lost block replaced by a write while its zeros waited for the lock is not zero-checked', async () => {
  const h = harness();
  h.restore.lost.add(3, 0);
  h.stored.set(3, data(9));
  let asked: Promise<void> | undefined;
  await h.locks.with(3, async () => {
    asked = h.c.answer(1, 3);
    await h.settle();
    h.restore.lost.delete(3); // the host write
  });
  await asked;
  assert.equal(h.writes, []);
  assert.equal(h.reads, []);
  // Nothing was written again: not status 4, which would leave the scrub's pass unclean.
  assert.ok(statusOf(h).status !== 4, 'not counted as zeros written again');
});

// ——— answer() while the block is being rebuilt ———

test('answer during a rebuild: the stored copy read once more without the lock (status by the outbox)', async () => {
  const h = harness();
  h.stored.set(2, data(4));
  await h.locks.with(2, async () => {
    h.c.beginRepair(2, true);
    await h.c.answer(1, 2);
    assert.equal(statusOf(h), reply(0, [4, 4, 4, 4]));
    h.pending.add(2);
    await h.c.answer(2, 2);
    assert.equal(statusOf(h), reply(1, [4, 4, 4, 4]));
    h.unreadable.add(2);
    await h.c.answer(3, 2);
    assert.equal(statusOf(h), reply(2, []), 'still unreadable');
    h.c.endRepair(2);
  });
});

test('answer during a rebuild: not rereadable (not restored), no copy; once the rebuilt data is being written, that data', async () => {
  const h = harness();
  h.stored.set(2, data(4));
  await h.locks.with(2, async () => {
    h.c.beginRepair(2, false);
    await h.c.answer(1, 2);
    assert.equal(statusOf(h), reply(2, []));
    h.c.repairWrites(2, data(8));
    await h.c.answer(2, 2);
    assert.equal(statusOf(h), reply(0, [8, 8, 8, 8]));
    h.c.endRepair(2);
  });
  assert.equal(h.reads, []);
});

test('answer during a rebuild: a request already waiting for the lock is answered when the rebuild starts', async () => {
  const h = harness();
  h.stored.set(2, data(4));
  let asked: Promise<void> | undefined;
  await h.locks.with(2, async () => {
    asked = h.c.answer(1, 2); // waits for the lock (a host write holds it)
    await h.settle();
    assert.is(h.sent.length, 0);
    h.c.beginRepair(2, true); // the host write's block is rebuilt
    await asked;
    assert.equal(statusOf(h), reply(0, [4, 4, 4, 4]), 'answered while the rebuild holds the lock');
    h.c.endRepair(2);
  });
  // The answered request no longer waits: the lock is free at once for the next.
  await h.c.answer(2, 2);
  assert.is(h.sent.length, 2);
});

test('answer during a rebuild: a request answered when one rebuild started is not answered again by the next', async () => {
  const h = harness();
  h.stored.set(2, data(4));
  let asked: Promise<void> | undefined;
  await h.locks.with(2, async () => {
    asked = h.c.answer(1, 2);
    await h.settle();
    h.c.beginRepair(2, true);
    await asked;
    h.c.endRepair(2);
    assert.equal(h.reads, [2], 'read once more, for its answer');
    // A second rebuild of the block: the answered request waits for nothing now, so it reads nothing more.
    h.c.beginRepair(2, true);
    await h.settle();
    h.c.endRepair(2);
  });
  assert.equal(h.reads, [2]);
  assert.is(h.sent.length, 1);
});

test('answer: a lost block waiting for the lock when a rebuild starts is answered then, its zeros unchecked', async () => {
  const h = harness();
  h.restore.lost.add(2, 0);
  h.stored.set(2, data(9));
  await h.locks.with(2, async () => {
    const asked = h.c.answer(1, 2);
    await h.settle();
    assert.is(h.sent.length, 0);
    h.c.beginRepair(2, true);
    await asked;
    assert.equal(statusOf(h), reply(3, [0, 0, 0, 0]));
    h.c.endRepair(2);
  });
  await h.settle();
  assert.equal(h.writes, [], 'answered: not judged again once the lock is free (its zeros unchecked)');
  assert.equal(h.reads, []);
});

test('repairWrites outside a rebuild records nothing', async () => {
  const h = harness();
  h.stored.set(2, data(4));
  h.c.repairWrites(2, data(8));
  await h.c.answer(1, 2);
  assert.equal(statusOf(h), reply(0, [4, 4, 4, 4]), 'read under the lock, not the stray data');
});

test('answer during a rebuild: the read again without the lock, overtaken by the rebuilt data being written, gives that data', async () => {
  const h = harness();
  h.stored.set(2, data(4));
  h.held.add(2);
  await h.locks.with(2, async () => {
    h.c.beginRepair(2, true);
    const asked = h.c.answer(1, 2);
    await h.settle();
    h.c.repairWrites(2, data(8));
    h.releases.shift()!();
    await asked;
    assert.equal(statusOf(h), reply(0, [8, 8, 8, 8]));
    h.c.endRepair(2);
  });
});

test('answer during a rebuild: the rebuild ending during the read again gives no copy', async () => {
  const h = harness();
  h.stored.set(2, data(4));
  h.held.add(2);
  let asked: Promise<void> | undefined;
  await h.locks.with(2, async () => {
    h.c.beginRepair(2, true);
    asked = h.c.answer(1, 2);
    await h.settle();
    h.c.endRepair(2);
  });
  h.releases.shift()!();
  await asked;
  assert.equal(statusOf(h), reply(2, []));
});

test('answerJoin during a rebuild: the rebuild ending during the read again asks again under the lock, after the write that followed it (seed 526)', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  h.held.add(1);
  let asked: Promise<void> | undefined;
  await h.locks.with(1, async () => {
    h.c.beginRepair(1, true);
    asked = h.c.answerJoin(1, 1);
    await h.settle();
    h.c.endRepair(1);
    h.held.delete(1);
    h.releases.shift()!();
    await h.settle();
    assert.is(h.sent.length, 0, 'asked again: waits for the lock');
    // The host write that followed the rebuild under the lock.
    h.stored.set(1, data(9));
    h.setHighest(13);
  });
  await asked;
  assert.equal(h.hits, ['join-copy-asked-again']);
  const m = h.last() as { data: number[]; reflectsUpTo: number };
  assert.equal(m.data, [9, 9, 9, 9]);
  assert.is(m.reflectsUpTo, 13);
});

// ——— merge copies: the build and a join ———

test('sendBuild: one block-copy per block of the range, clipped to the array; no copy for what it cannot read', async () => {
  const h = harness();
  h.stored.set(4, data(4));
  h.unreadable.add(5);
  await h.c.sendBuild(3, 10);
  assert.equal(
    h.sent.map((m) => [(m as { block: number }).block, [...(m as { data: Uint8Array }).data]]),
    [
      [3, [0x11, 0x11, 0x11, 0x11]],
      [4, [4, 4, 4, 4]],
      [5, []],
    ],
  );
  assert.ok(h.sent.every((m) => m.type === 'block-copy'));
  const g = harness();
  await g.c.sendBuild(0, 2);
  assert.equal(
    g.sent.map((m) => (m as { block: number }).block),
    [0, 1],
  );
});

test('answerJoin: the copy and the last delta it reflects, in our epoch', async () => {
  const h = harness();
  h.stored.set(1, data(6));
  await h.c.answerJoin(9, 1);
  assert.equal(h.last(), { type: 'join-copy', id: 9, block: 1, epoch: 5, reflectsUpTo: 12, data: [6, 6, 6, 6] });
  h.unreadable.add(1);
  h.setHighest(14);
  await h.c.answerJoin(10, 1);
  assert.equal(h.last(), { type: 'join-copy', id: 10, block: 1, epoch: 5, reflectsUpTo: 14, data: [] });
});

test('answerJoin: a lost block or one not restored yet gives no copy; a write the disk could not store gives its data', async () => {
  const h = harness();
  h.restore.lost.add(1, 0);
  h.stored.set(1, data(6));
  await h.c.answerJoin(1, 1);
  assert.equal((h.last() as { data: number[] }).data, []);
  h.restore.begin();
  await h.c.answerJoin(2, 2);
  assert.equal((h.last() as { data: number[] }).data, [], 'not restored yet: the new array holds zeros, not our data');
  h.restore.valid.add(2);
  await h.c.answerJoin(3, 2);
  assert.equal((h.last() as { data: number[] }).data, [0x11, 0x11, 0x11, 0x11]);
  h.unstored.set(1, data(3));
  await h.c.answerJoin(4, 1);
  assert.equal((h.last() as { data: number[] }).data, [3, 3, 3, 3], 'the unstored write is the copy, even over a loss');
  assert.ok(h.hits.includes('unstored-write-copied'));
  assert.is(h.hits.filter((x) => x === 'unstored-write-copied').length, 1);
});

test('answerJoin: read under the lock (fenced), unless a planted bug drops the fence', async () => {
  const h = harness();
  let asked: Promise<void> | undefined;
  await h.locks.with(1, async () => {
    asked = h.c.answerJoin(1, 1);
    await h.settle();
    assert.is(h.sent.length, 0, 'waits for the lock');
    h.stored.set(1, data(2));
  });
  await asked;
  assert.equal((h.last() as { data: number[] }).data, [2, 2, 2, 2]);
  const g = harness({ seam: { ...HONEST, fencesJoinCopies: false } });
  await g.locks.with(1, async () => {
    await g.c.answerJoin(1, 1);
    assert.is(g.sent.length, 1, 'unfenced: answered while the lock is held');
    g.unreadable.add(1);
    await g.c.answerJoin(2, 1);
    assert.equal((g.last() as { data: number[] }).data, []);
  });
});

test('answerJoin during a rebuild: the stored copy read again, or the rebuilt data once it is being written', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  await h.locks.with(1, async () => {
    h.c.beginRepair(1, true);
    await h.c.answerJoin(1, 1);
    assert.equal((h.last() as { data: number[] }).data, [2, 2, 2, 2]);
    h.c.repairWrites(1, data(7));
    await h.c.answerJoin(2, 1);
    assert.equal((h.last() as { data: number[] }).data, [7, 7, 7, 7]);
    h.restore.lost.add(1, 0);
    await h.c.answerJoin(3, 1);
    assert.equal((h.last() as { data: number[] }).data, [], 'found lost: its rebuilt data is not its copy');
    h.c.endRepair(1);
  });
  assert.equal(h.hits, []);
});

test('answerJoin during a rebuild of a block not restored, or unreadable again: no copy', async () => {
  const h = harness();
  await h.locks.with(1, async () => {
    h.c.beginRepair(1, false);
    await h.c.answerJoin(1, 1);
    assert.equal((h.last() as { data: number[] }).data, []);
    h.c.endRepair(1);
    h.unreadable.add(1);
    h.c.beginRepair(1, true);
    await h.c.answerJoin(2, 1);
    assert.equal((h.last() as { data: number[] }).data, []);
    h.c.endRepair(1);
  });
  assert.equal(h.reads, [1], 'not restored: not read at all');
});

test('answerJoin during a rebuild: the rebuilt data being written while the stored copy was read again is the copy', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  h.held.add(1);
  await h.locks.with(1, async () => {
    h.c.beginRepair(1, true);
    const asked = h.c.answerJoin(1, 1);
    await h.settle();
    h.c.repairWrites(1, data(7));
    h.releases.shift()!();
    await asked;
    assert.equal((h.last() as { data: number[] }).data, [7, 7, 7, 7]);
    h.c.endRepair(1);
  });
});

test('a join copy waiting for the lock when a rebuild starts is answered from the rebuild', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  let asked: Promise<void> | undefined;
  await h.locks.with(1, async () => {
    asked = h.c.answerJoin(1, 1);
    await h.settle();
    h.c.beginRepair(1, true);
    await asked;
    assert.equal((h.last() as { data: number[] }).data, [2, 2, 2, 2]);
    h.c.endRepair(1);
  });
});

test('two requests waiting for the lock are both answered when a rebuild starts', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  let first: Promise<void> | undefined;
  let second: Promise<void> | undefined;
  await h.locks.with(1, async () => {
    first = h.c.answer(1, 1);
    second = h.c.answer(2, 1);
    await h.settle();
    h.c.beginRepair(1, true);
    await Promise.all([first, second]);
    assert.is(h.sent.length, 2);
    h.c.endRepair(1);
  });
});

test('a request that took the lock is not answered again by a later rebuild', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  h.held.add(1);
  const asked = h.c.answer(1, 1); // takes the lock at once, its read held
  await h.settle();
  h.c.beginRepair(1, true); // (a stray begin: the test only checks the request does not answer twice)
  h.c.endRepair(1);
  h.releases.shift()!();
  await asked;
  assert.is(h.sent.length, 1);
});

test('answerJoin during a rebuild: a block found lost while it is rebuilt (its loss being persisted) gives no copy', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  await h.locks.with(1, async () => {
    h.c.beginRepair(1, true);
    h.restore.lost.add(1, 0);
    await h.c.answerJoin(1, 1);
    assert.equal((h.last() as { data: number[] }).data, []);
    h.c.endRepair(1);
  });
  assert.equal(h.reads, [], 'not read: a lost block holds nothing of the host');
});

test('answerJoin during a rebuild: a new rebuild (not rereadable) begun during the read again gives no copy', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  h.held.add(1);
  await h.locks.with(1, async () => {
    h.c.beginRepair(1, true);
    const asked = h.c.answerJoin(1, 1);
    await h.settle();
    h.c.endRepair(1);
    h.c.beginRepair(1, false);
    h.releases.shift()!();
    await asked;
    assert.equal((h.last() as { data: number[] }).data, []);
    h.c.endRepair(1);
  });
});

test('a request still waiting for the lock when another took it is answered when a rebuild starts', async () => {
  const h = harness();
  h.stored.set(1, data(2));
  let first: Promise<void> | undefined;
  let second: Promise<void> | undefined;
  let rebuilding: Promise<void> | undefined;
  let endRebuild: () => void = () => {};
  await h.locks.with(1, async () => {
    first = h.c.answer(1, 1); // takes the lock next
    await h.settle();
    // A host read whose block is then rebuilt, queued before the second request.
    rebuilding = h.locks.with(1, async () => {
      h.c.beginRepair(1, true);
      await new Promise<void>((r) => (endRebuild = r));
      h.c.endRepair(1);
    });
    second = h.c.answer(2, 1);
    await h.settle();
  });
  await first;
  await h.settle();
  assert.is(h.sent.length, 2, 'the second answered while the rebuild holds the lock');
  endRebuild();
  await Promise.all([second, rebuilding]);
  assert.is(h.sent.length, 2);
});

test.run();
