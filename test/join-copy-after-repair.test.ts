// A join copy asked while the block is being rebuilt from parity is read once
// more without the lock (copies.ts). If the rebuild ends during that read, a
// host write may follow it under the lock — the rebuild was that write's own
// (its block unreadable, then found lost) — and its delta is in no copy we
// could name then. Answering "no copy, reflecting every delta so far" had
// parity merge zeros and absorb the write's delta: Q[k] never got the write,
// and a later rebuild of another member's block from it was wrong (generated
// seed 526). The copy is asked again, as a request coming now would be.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlockDevice, ReadResult, WriteResult } from '../src/ports/block-device.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { Probe } from '../src/ports/probe.js';
import type { Message } from '../src/protocol/messages.js';
import { HONEST } from '../src/protocol/planted-bugs.js';
import { Copies } from '../src/primary/copies.js';
import type { Outbox } from '../src/primary/outbox.js';
import { RestoreState } from '../src/primary/restore-state.js';
import { BlockLocks } from '../src/util/block-locks.js';
import { VerifiedDisk } from '../src/util/verified-disk.js';

const BLOCK = 3;
const FAILED = { ok: false, error: 'media-error' } as const;

test('a join copy whose rebuild ended while it read reflects the write that followed', async () => {
  const sent: Message[] = [];
  const stored = new Map<number, Uint8Array>();
  /** The next read of BLOCK waits until released (the read without the lock, during the rebuild). */
  let release: (() => void) | undefined;
  const dev: BlockDevice = {
    blockBytes: 8,
    blockCount: 8,
    read: (block): Promise<ReadResult> => {
      const answer = (): ReadResult => (stored.has(block) ? { ok: true, data: stored.get(block)!.slice() } : FAILED);
      if (block !== BLOCK || release !== undefined || stored.has(block)) return Promise.resolve(answer());
      const then = answer(); // what the block held when the read began
      return new Promise((resolve) => (release = () => resolve(then)));
    },
    write: async (block, data): Promise<WriteResult> => {
      stored.set(block, data.slice());
      return { ok: true };
    },
    flush: async () => ({ ok: true }),
  };
  const hits: string[] = [];
  const probe: Probe = { hit: (name) => void hits.push(name), anomaly() {} };
  const timer: Timer = { cancel() {} };
  const clock: Clock = { now: () => 0, sleep: () => new Promise(() => {}), timer: () => timer, spawn: () => {} };
  const locks = new BlockLocks();
  const restore = new RestoreState();
  let highest = 12;
  const copies = new Copies({
    disk: new VerifiedDisk(dev, probe, false),
    net: { self: 'p1', send: (_to, m) => void sent.push(m), listen() {} },
    clock,
    buggify: NO_BUGGIFY,
    probe,
    parity: 'parity',
    locks,
    restore,
    outbox: { pending: () => false, unstoredData: () => undefined } as unknown as Outbox,
    seam: HONEST,
    epoch: () => 0,
    highestSeq: () => highest,
  });
  const written = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  let asked: Promise<void> | undefined;
  // A host write: its block unreadable, rebuilt from parity — found lost — then written against zeros.
  await locks.with(BLOCK, async () => {
    copies.beginRepair(BLOCK, true);
    asked = copies.answerJoin(7, BLOCK); // parity merging us: answered without the lock
    await Promise.resolve();
    copies.endRepair(BLOCK); // parity answered "lost"
    highest = 13; // the write's delta
    stored.set(BLOCK, written);
  });
  release!(); // the read without the lock ends only now
  await asked;
  assert.is(sent.length, 1);
  const reply = sent[0]!;
  assert.ok(reply.type === 'join-copy');
  if (reply.type !== 'join-copy') return;
  assert.is(reply.reflectsUpTo, 13);
  assert.equal([...reply.data], [...written], 'the copy holds the write its delta number says it reflects');
  assert.equal(hits, ['join-copy-asked-again']);
});

test.run();
