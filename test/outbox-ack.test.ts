// A primary's outbox takes a delta-ack only for the delta it names: the same
// epoch, number and block. A lost array's journal numbers from 1 again, so
// an acknowledgement of the earlier life's delta N, late on a slow link, can
// reach the restored array while its own delta N is pending; taken for it,
// it settled a delta parity may not have (seen in generated `unlimited`
// worlds: an ack of block 29 settling a pending delta of block 0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock, Timer } from '../src/ports/clock.js';
import type { Probe } from '../src/ports/probe.js';
import type { Message } from '../src/protocol/messages.js';
import { Outbox } from '../src/primary/outbox.js';

function outbox() {
  const sent: Message[] = [];
  const hits: string[] = [];
  const timer: Timer = { cancel() {} };
  const clock: Clock = { now: () => 0, sleep: () => new Promise(() => {}), timer: () => timer, spawn: () => {} };
  const probe: Probe = { hit: (name) => void hits.push(name), anomaly() {} };
  const box = new Outbox({
    net: { self: 'p1', send: (_to, m) => void sent.push(m), listen() {} },
    clock,
    parity: 'parity',
    retransmit: { initialUs: 5_000, maxUs: 500_000 },
    journal: undefined,
    probe,
    flush: () => Promise.resolve({ ok: true }),
    epoch: () => 2, // restored once: the earlier life sent in epoch 1
  });
  return { box, sent, hits };
}

test('an ack of another epoch or naming another block does not settle the pending delta of its number', async () => {
  const { box, sent, hits } = outbox();
  let settled = false;
  void box.send(0, new Uint8Array(8), 3).then(() => (settled = true));
  assert.is(sent.length, 1);
  box.ack({ epoch: 2, seq: 3, block: 29 }); // not delta 3's block
  box.ack({ epoch: 1, seq: 3, block: 0 }); // the earlier life's delta 3, of the same block
  await Promise.resolve();
  assert.ok(box.pending(0), 'delta 3 of block 0 still pending');
  assert.not.ok(settled);
  assert.equal(hits, ['stale-ack-ignored', 'stale-ack-ignored']);
  box.ack({ epoch: 2, seq: 3, block: 0 }); // its own ack
  await Promise.resolve();
  assert.not.ok(box.pending(0));
  assert.ok(settled);
});

test('a duplicate ack of a settled delta changes nothing', () => {
  const { box } = outbox();
  void box.send(5, new Uint8Array(8), 1);
  box.ack({ epoch: 2, seq: 1, block: 5 });
  box.ack({ epoch: 2, seq: 1, block: 5 });
  assert.not.ok(box.pending(5));
});

test.run();
