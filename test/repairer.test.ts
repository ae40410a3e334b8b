// Recomputing Q[k] (src/parity/repairer.ts), with its ports scripted: what
// no check of a run judges — how long a gather waits before it is tried
// again, and which probe a recomputation hits — pinned here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock, Timer } from '../src/ports/clock.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Message } from '../src/protocol/messages.js';
import { Repairer } from '../src/parity/repairer.js';
import { BlockLocks } from '../src/util/block-locks.js';

const BYTES = 4;

/** A repairer over a 2-block Q and members p1, p2 (p1's copy of k holds 1s, p2's 2s). `ahead`: times p2's copy of block 0 is ahead of Q. */
function repairer(opts: { ahead?: number; pending?: (k: number) => boolean } = {}) {
  let ahead = opts.ahead ?? 0;
  const sleeps: number[] = [];
  const hits: string[] = [];
  const stored: [number, number[]][] = [];
  const tasks: Promise<void>[] = [];
  const timer: Timer = { cancel() {} };
  const clock: Clock = {
    now: () => 0,
    sleep: (us) => {
      sleeps.push(us);
      return new Promise((r) => setImmediate(r));
    },
    timer: () => timer,
    spawn: (_name, task) => void tasks.push(task()),
  };
  const rpc = {
    call: async (to: string, _expect: string, make: (id: number) => Message) => {
      const m = make(1) as Extract<Message, { type: 'copy-request' }>;
      const status = to === 'p2' && m.block === 0 && ahead-- > 0 ? 1 : 0;
      return { type: 'copy-reply', id: 1, block: m.block, status, data: new Uint8Array(BYTES).fill(to === 'p1' ? 1 : 2) };
    },
  };
  const r = new Repairer({
    disk: { blockCount: 2, blockBytes: BYTES },
    clock, rpc,
    locks: new BlockLocks(),
    retransmit: { initialUs: 5_000, maxUs: 500_000 },
    probe: { hit: (name: string) => void hits.push(name), anomaly() {} },
    buggify: NO_BUGGIFY,
    members: () => [{ name: 'p1', blockCount: 2 }, { name: 'p2', blockCount: 2 }],
    contributes: () => true,
    intact: async () => false,
    storeQ: async (k: number, q: Uint8Array) => {
      stored.push([k, [...q]]);
      return { ok: true };
    },
    ready: async () => {},
    losses: { pending: opts.pending ?? (() => false), stale: () => false, has: () => false, found() {}, reprotected() {} },
    declareLost: async () => {},
    askRepair: async () => {},
  } as unknown as ConstructorParameters<typeof Repairer>[0]);
  const settle = async () => {
    await Promise.all(tasks);
  };
  return { r, sleeps, hits, stored, settle };
}

test('a gather with a copy ahead of Q is tried again after the retransmission back-off, doubling', async () => {
  const { r, sleeps, hits, stored, settle } = repairer({ ahead: 3 });
  r.repair(0);
  await settle();
  assert.equal(sleeps, [5_000, 10_000, 20_000]);
  assert.equal(stored, [[0, [3, 3, 3, 3]]]);
  assert.equal(hits, ['parity-block-rebuilt']);
  assert.not.ok(r.repairing(0), 'a finished repair still counted under way');
});

test('a re-protection hits its own probe', async () => {
  let pending = true;
  const { r, hits, settle } = repairer({ pending: () => pending });
  r.reprotect(1);
  await settle();
  pending = false;
  assert.equal(hits, ['stripe-reprotected']);
});

test.run();
