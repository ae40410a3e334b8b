// Parity's record of lost blocks and of stripes waiting to be re-protected
// (src/parity/losses.ts): what a checkpoint restores, what a loss marks, what a
// member leaving takes with it, and the order checkpoints write them in. The
// worlds judge most of it through the honesty and durability checks; what they
// cannot tell apart (a stripe re-protected twice after a restart: redundant work;
// a departed member's losses: read by nothing until it rejoins) is pinned here.
// The judge runs it for a losses.ts mutant no run kills (UNIT_TESTS in
// scripts/mutation/stryker-plugin.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Losses } from '../src/parity/losses.js';

test('a loss: the block is lost, its stripe waits to be re-protected; stale only when Q[k] holds its data', () => {
  const l = new Losses();
  assert.ok(l.add('p1', 4, false));
  assert.ok(l.has('p1', 4));
  assert.not.ok(l.has('p2', 4), "another member's block of the stripe");
  assert.not.ok(l.has('p1', 5));
  assert.ok(l.pending(4));
  assert.not.ok(l.stale(4), 'merged as zeros: Q is whole for the others');
  assert.not.ok(l.add('p1', 4, false), 'already lost');
  assert.ok(l.add('p2', 7, true));
  assert.ok(l.stale(7) && l.pending(7));
  assert.equal(l.pendingBlocks(), [4, 7]);
  assert.equal(l.staleBlocks(), [7]);
});

test('re-protected: the stripe waits no more and is no longer stale; the loss stands until a write replaces it', () => {
  const l = new Losses();
  l.add('p1', 3, true);
  l.reprotected(3);
  assert.not.ok(l.pending(3));
  assert.not.ok(l.stale(3));
  assert.ok(l.has('p1', 3));
  l.found('p1', 3);
  assert.not.ok(l.has('p1', 3));
  assert.equal(l.entries(), [], 'a member with no loss left is not listed');
  l.found('p9', 1); // a member with no losses: nothing to do
  assert.equal(l.entries(), []);
});

test('found ends only that block; forget drops every loss of a member that left, and only its', () => {
  const l = new Losses();
  l.add('p1', 1, false);
  l.add('p1', 2, false);
  l.add('p2', 1, false);
  l.found('p1', 1);
  assert.equal(l.entries(), [{ member: 'p1', blocks: [2] }, { member: 'p2', blocks: [1] }]);
  l.forget('p1');
  assert.not.ok(l.has('p1', 2));
  assert.ok(l.has('p2', 1));
  assert.equal(l.entries(), [{ member: 'p2', blocks: [1] }]);
  assert.ok(l.add('p1', 2, false), 'lost anew after it joins again');
});

test("a checkpoint's state replaces what came before: only the stripes it lists wait, only those it lists are stale", () => {
  const l = new Losses();
  l.add('p3', 9, true);
  l.add('p1', 8, false);
  l.restore([{ member: 'p1', blocks: [5, 2] }, { member: 'p2', blocks: [6] }], [2], []);
  assert.not.ok(l.has('p3', 9), 'the earlier state is gone');
  assert.not.ok(l.has('p1', 8));
  assert.ok(l.has('p1', 5) && l.has('p1', 2) && l.has('p2', 6));
  assert.equal(l.pendingBlocks(), [2], 'the lost blocks of stripes re-protected before the checkpoint wait no more');
  assert.not.ok(l.pending(5) || l.pending(6) || l.pending(9));
  assert.equal(l.staleBlocks(), []);
  l.restore([{ member: 'p1', blocks: [1] }], [1, 3], [3]);
  assert.equal(l.pendingBlocks(), [1, 3]);
  assert.equal(l.staleBlocks(), [3]);
  assert.ok(l.stale(3) && !l.stale(1));
});

test('entries, pendingBlocks and staleBlocks come sorted (members by name, blocks ascending); the fingerprint is all three', () => {
  const l = new Losses();
  for (const [m, b] of [['p2', 100], ['p2', 30], ['p10', 4], ['p1', 12], ['p1', 3]] as const) l.add(m, b, b === 100 || b === 4);
  assert.equal(l.entries(), [
    { member: 'p1', blocks: [3, 12] },
    { member: 'p10', blocks: [4] },
    { member: 'p2', blocks: [30, 100] },
  ]);
  assert.equal(l.pendingBlocks(), [3, 4, 12, 30, 100]);
  assert.equal(l.staleBlocks(), [4, 100]);
  assert.is(l.fingerprint(), JSON.stringify([l.entries(), [3, 4, 12, 30, 100], [4, 100]]));
  const other = new Losses();
  other.restore(l.entries(), l.pendingBlocks(), l.staleBlocks());
  assert.is(other.fingerprint(), l.fingerprint(), 'a checkpoint restored is the same state');
  other.reprotected(4);
  assert.is.not(other.fingerprint(), l.fingerprint());
});

test.run();
