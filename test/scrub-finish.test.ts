// The scrub's finish: whole passes until one finds nothing. A stripe it
// skipped because its Q[k] was being recomputed (a loss not re-protected yet)
// was not looked at, so that pass is not clean. Counted clean, the scrub
// stopped while the re-protection had a member rewrite its lost block's zeros,
// and each rewrite went astray (misdirected): damage nobody looked at again
// (generated unlimited seed 126). Likewise a member that answered with its
// lost block's zeros written again (status 4): its rewrites may have gone
// astray; counted clean, the scrub stopped after four in a row had (seed 1096).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock, Timer } from '../src/ports/clock.js';
import { NO_BUGGIFY } from '../src/ports/buggify.js';
import type { Message } from '../src/protocol/messages.js';
import { HONEST } from '../src/protocol/planted-bugs.js';
import { Scrubber } from '../src/parity/scrubber.js';
import { BlockLocks } from '../src/util/block-locks.js';

const BYTES = 8;

/**
 * A scrubber over a 2-block Q of zeros and one member of zeros; stripe 1 awaits re-protection the
 * first `pendingLooks` times it is asked, and the member's copy of block 1 (a lost block's zeros) is
 * answered as written again (status 4) the first `rewrittenLooks` times.
 */
function scrubber(pendingLooks: number, rewrittenLooks = 0, members = ['p1']) {
  const asked: number[] = []; // the blocks whose copies were requested, in order
  const hits: string[] = [];
  let looks = 0;
  let rewrites = 0;
  let sleeps = 0;
  const timer: Timer = { cancel() {} };
  const clock: Clock = {
    now: () => 0,
    // A scrub that never stops (a mutant's: the judge runs this test) stops being woken, so the process exits.
    sleep: () => (++sleeps > 200 ? new Promise(() => {}) : new Promise((r) => setImmediate(r))),
    timer: () => timer,
    spawn: (_name, task) => void task(),
  };
  const rpc = {
    call: async (to: string, _expect: string, make: (id: number) => Message) => {
      const m = make(1) as Extract<Message, { type: 'copy-request' }>;
      if (to === 'p1') asked.push(m.block);
      // Only p1 wrote its zeros again (p2, if there is one, reads its copy fine).
      const status = to === 'p1' && m.block === 1 && rewrites++ < rewrittenLooks ? 4 : 0;
      return { type: 'copy-reply', id: 1, block: m.block, status, data: new Uint8Array(BYTES) };
    },
  };
  const disk = { blockCount: 2, blockBytes: BYTES, read: async () => ({ ok: true, data: new Uint8Array(BYTES) }) };
  const losses = { pending: (block: number) => block === 1 && looks++ < pendingLooks };
  const s = new Scrubber({
    disk, clock, rpc, losses,
    locks: new BlockLocks(),
    retransmit: { initialUs: 5_000, maxUs: 500_000 },
    probe: { hit: (name: string) => void hits.push(name), anomaly() {} },
    buggify: NO_BUGGIFY,
    members: () => members.map((name) => ({ name, blockCount: 2 })),
    contributes: () => true,
    storeQ: async () => ({ ok: true }),
    declareLost: async () => {},
    ready: async () => {},
    owes: () => false,
    seam: HONEST,
  } as unknown as ConstructorParameters<typeof Scrubber>[0]);
  return { s, asked, hits };
}

test('a stripe skipped while its Q is recomputed makes the pass unclean: the scrub looks at it before it stops', async () => {
  const { s, asked, hits } = scrubber(1);
  s.start(1);
  await s.finish();
  assert.ok(asked.includes(1), `stripe 1 never looked at: copies asked ${JSON.stringify(asked)}`);
  assert.equal(hits, ['scrub-skipped-while-finishing']);
});

test("a member's lost zeros written again to answer make the pass unclean: the scrub looks at every stripe again before it stops", async () => {
  const { s, asked, hits } = scrubber(0, 1);
  s.start(1);
  await s.finish();
  assert.equal(asked.slice(-2), [0, 1], `no whole pass after the rewrite: copies asked ${JSON.stringify(asked)}`);
  assert.ok(asked.filter((b) => b === 1).length >= 2);
  assert.equal(hits, ['scrub-zeros-rewritten']);
});

test('one member of several answering with its zeros written again makes the pass unclean too', async () => {
  const { s, asked, hits } = scrubber(0, 1, ['p1', 'p2']);
  s.start(1);
  await s.finish();
  assert.equal(asked.slice(-2), [0, 1], `no whole pass after the rewrite: p1's copies asked ${JSON.stringify(asked)}`);
  assert.ok(asked.filter((b) => b === 1).length >= 2);
  assert.equal(hits, ['scrub-zeros-rewritten']);
});

test('a clean pass still ends the scrub', async () => {
  const { s, asked, hits } = scrubber(0);
  s.start(1);
  await s.finish();
  assert.equal(asked, [0, 1]);
  assert.equal(hits, []);
});

test.run();
