// Parity's side of a restore (src/parity/restorer.ts), with its ports scripted:
// what no check of a run judges — how long a cut waits before it is tried
// again, which sessions send, and when a session counts as over — pinned
// here (docs/MUTATION.md, "restorer.ts triaged"). The mutation judge runs
// this file for a restorer.ts mutant no run caught.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock, Timer } from '../src/ports/clock.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Message } from '../src/protocol/messages.js';
import { HONEST } from '../src/protocol/planted-bugs.js';
import { Restorer } from '../src/parity/restorer.js';
import { BlockLocks } from '../src/util/block-locks.js';

const BYTES = 4;
const RETRANSMIT = { initialUs: 5_000, maxUs: 500_000 };

interface Sent {
  readonly to: string;
  readonly message: Message;
}

type Member = Parameters<Restorer['begin']>[0];
type Reply = Message | Promise<Message>;

/**
 * A restorer over Q of `blocks` blocks (Q[k] = k in every byte), restoring member p1 and one other member
 * p2 whose copy of every block is zeros. `reply(to, message)` answers a call (by default at once: a settled
 * copy, an acknowledgement); `deps` overrides ports.
 */
function restorer(opts: { blocks?: number; reply?: (to: string, m: Message) => Reply | undefined; deps?: Record<string, unknown> } = {}) {
  const blocks = opts.blocks ?? 2;
  const sleeps: number[] = [];
  const hits: string[] = [];
  const sent: Sent[] = [];
  const lost: [readonly string[], number, boolean][] = [];
  const timer: Timer = { cancel() {} };
  let now = 0;
  const clock: Clock = {
    now: () => now,
    sleep: (us) => {
      sleeps.push(us);
      now += us;
      return new Promise((r) => setImmediate(r));
    },
    timer: () => timer,
    spawn: (_name, task) => void task(),
  };
  const usual = (m: Message): Message =>
    m.type === 'copy-request' ? { type: 'copy-reply', id: m.id, block: m.block, status: 0, data: new Uint8Array(BYTES) } : { type: 'restore-ack', id: 'id' in m ? m.id : 0, block: 0 };
  const rpc = {
    call: (to: string, _expect: string, make: (id: number) => Message) => {
      const message = make(sent.length + 1);
      sent.push({ to, message });
      return Promise.resolve(opts.reply?.(to, message) ?? usual(message));
    },
  };
  const disk = { blockCount: blocks, blockBytes: BYTES, read: async (k: number) => ({ ok: true, data: new Uint8Array(BYTES).fill(k) }) };
  const r = new Restorer({
    disk, clock, rpc,
    locks: new BlockLocks(),
    retransmit: RETRANSMIT,
    probe: { hit: (name: string) => void hits.push(name), anomaly() {} },
    buggify: NO_BUGGIFY,
    members: () => [{ name: 'p1', blockCount: blocks }, { name: 'p2', blockCount: blocks }],
    contributes: () => true,
    losses: { has: () => false, stale: () => false },
    declareLost: async (members: readonly string[], block: number, stale: boolean) => void lost.push([members, block, stale]),
    owes: () => false,
    seam: HONEST,
    ...opts.deps,
  } as unknown as ConstructorParameters<typeof Restorer>[0]);
  const p1: Member = { name: 'p1', blockCount: blocks } as Member;
  /** Restore messages sent for `session`. */
  const of = (session: number) => sent.map((x) => x.message).filter((m) => (m.type === 'restore-data' || m.type === 'restore-complete') && m.session === session);
  return { r, sleeps, hits, sent, lost, p1, of };
}

const settle = async () => {
  for (let i = 0; i < 50; i++) await new Promise((res) => setImmediate(res));
};

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

const copy = (block: number, status: number): Message => ({ type: 'copy-reply', id: 0, block, status, data: status === 2 ? new Uint8Array(0) : new Uint8Array(BYTES).fill(9) });

test('a cut with a copy ahead of Q is tried again after the retransmission back-off, doubling', async () => {
  let ahead = 3;
  const { r, sleeps, hits } = restorer({ reply: (to, m) => (m.type === 'copy-request' && to === 'p2' && ahead-- > 0 ? { ...copy(m.block, 1), id: m.id } : undefined) });
  const rebuilt = await r.reconstruct('p1', 1);
  assert.equal(rebuilt, { lost: false, data: new Uint8Array(BYTES).fill(1) }); // Q[1] ^ p2's settled zeros
  assert.equal(sleeps, [5_000, 10_000, 20_000]);
  assert.equal(hits, ['restore-cut-retried', 'restore-cut-retried', 'restore-cut-retried']);
});

test('a Q[k] that owes an absorbed delta rebuilds nobody: the block is lost, declared so, not computed from Q', async () => {
  const { r, lost, sent } = restorer({ deps: { owes: (k: number) => k === 1 }, reply: (to, m) => (m.type === 'copy-request' && to === 'p1' ? { ...copy(m.block, 2), id: m.id } : undefined) });
  assert.equal(await r.reconstruct('p1', 1), { lost: true });
  assert.equal(lost, [[['p1'], 1, true]]);
  assert.not.ok(sent.some((s) => s.to === 'p2'), 'the other members asked for copies of a Q that cannot be used');
});

test('a block Q holds nothing of yet (not merged) is lost for the asker alone, without marking the stripe stale', async () => {
  const { r, lost } = restorer({ deps: { contributes: (m: string) => m !== 'p1' }, reply: (to, m) => (m.type === 'copy-request' && to === 'p1' ? { ...copy(m.block, 2), id: m.id } : undefined) });
  assert.equal(await r.reconstruct('p1', 0), { lost: true });
  assert.equal(lost, [[['p1'], 0, false]]);
});

test("the asker's own copy answers a block that cannot be rebuilt — settled or ahead of Q (its host wrote it)", async () => {
  for (const status of [0, 1]) {
    const { r, lost } = restorer({ deps: { owes: () => true }, reply: (to, m) => (m.type === 'copy-request' && to === 'p1' ? { ...copy(m.block, status), id: m.id } : undefined) });
    assert.equal(await r.reconstruct('p1', 0), { lost: false, data: new Uint8Array(BYTES).fill(9) }, `own copy of status ${status}`);
    assert.equal(lost, []);
  }
});

test('a restore sends every block of its session, then restore-complete', async () => {
  const { r, p1, of } = restorer({ blocks: 3 });
  const session = r.begin(p1);
  await settle();
  const sent = of(session);
  assert.equal(sent.filter((m) => m.type === 'restore-data').map((m) => (m.type === 'restore-data' ? [m.block, m.data[0]] : [])).sort(), [[0, 0], [1, 1], [2, 2]]);
  assert.equal(sent.at(-1)?.type, 'restore-complete');
});

test('a session superseded while it rebuilds a block sends neither that block nor restore-complete', async () => {
  // Session 1 gathers block 0 (p2's copy held back); session 2 begins meanwhile.
  const held = gate();
  let first = true;
  const { r, p1, of } = restorer({
    blocks: 1,
    reply: (to, m) => {
      if (m.type !== 'copy-request' || to !== 'p2' || !first) return undefined;
      first = false;
      return held.opened.then(() => ({ ...copy(m.block, 0), id: m.id }));
    },
  });
  const one = r.begin(p1);
  await settle();
  const two = r.begin(p1);
  assert.ok(two > one, 'sessions are numbered in the order they begin');
  held.open();
  await settle();
  assert.equal(of(one), [], 'the superseded session sent');
  assert.equal(of(two).map((m) => m.type), ['restore-data', 'restore-complete']);
});

test("a superseded session's late acknowledgement of its restore-complete does not end the session after it", async () => {
  // Session 1 sends restore-complete, acknowledged late; session 2 begins before that ack and is still
  // rebuilding (p2's copy held back) when it comes.
  const lateAck = gate();
  const held = gate();
  const { r, p1, of } = restorer({
    blocks: 1,
    reply: (to, m) => {
      if (m.type === 'restore-complete' && m.session === 1) return lateAck.opened.then(() => ({ type: 'restore-ack', id: m.id, block: 0 }));
      if (m.type === 'copy-request' && to === 'p2' && of(1).length === 2) return held.opened.then(() => ({ ...copy(m.block, 0), id: m.id }));
      return undefined;
    },
  });
  r.begin(p1);
  await settle();
  const two = r.begin(p1);
  await settle();
  lateAck.open();
  await settle();
  held.open();
  await settle();
  assert.equal(of(two).map((m) => m.type), ['restore-data', 'restore-complete'], 'session 2 stopped');
});

test.run();
