// The parity array's view of its group (src/parity/group.ts), with the joiner
// and leaver recorded: each member's state, what a member leaving takes with
// it, what a new epoch resets, an epoch learned only once. The worlds see
// little of this bookkeeping (a leftover entry of a member gone, a request id
// kept, a set of deltas in progress not reset); the judge runs this test for
// a group.ts mutant no run kills (UNIT_TESTS in scripts/mutation/stryker-plugin.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Group } from '../src/parity/group.js';
import type { Joiner } from '../src/parity/joiner.js';
import type { Leaver } from '../src/parity/leaver.js';
import { Losses } from '../src/parity/losses.js';

/** A group of p1 (a member) and p2 (joining); `calls`: what it asked of the joiner and the leaver, in order. */
function group() {
  const calls: string[] = [];
  const rec = (what: string) => (member: string, block?: number) => void calls.push(`${what} ${member}${block === undefined ? '' : ` ${block}`}`);
  const joiner = { restoreJoining: rec('joining'), restoreJoined: rec('joined'), restoreMerged: rec('merged'), forget: rec('joiner-forget'), members: () => [], joining: () => false } as unknown as Joiner;
  const leaver = { restoreRemoved: rec('removed'), forget: rec('leaver-forget'), entries: () => [] } as unknown as Leaver;
  const losses = new Losses();
  const g = new Group([{ name: 'p1', blockCount: 8 }, { name: 'p2', blockCount: 8, joining: true }], joiner, leaver, losses);
  calls.length = 0;
  return { g, calls, losses };
}

test('state: a member, joining, leaving, or not in the group', () => {
  const { g } = group();
  g.set('p3', 'leaving', 4);
  assert.equal(['p1', 'p2', 'p3', 'p9'].map((m) => g.state(m)), ['member', 'joining', 'leaving', undefined]);
  g.set('p2', 'member');
  assert.is(g.state('p2'), 'member');
  assert.equal(g.joining(), []);
});

test('a member that left takes its applied deltas, epoch, restore request and losses with it', () => {
  const { g, calls, losses } = group();
  g.newEpoch('p1', 3, 77);
  g.appliedSet('p1').add(1);
  losses.add('p1', 5, false);
  calls.length = 0;
  g.set('p1', 'left');
  assert.is(g.state('p1'), undefined);
  assert.equal([g.applied.has('p1'), g.epochs.has('p1'), g.restoreRequests.has('p1'), losses.has('p1', 5)], [false, false, false, false]);
  assert.equal(calls, ['joiner-forget p1', 'leaver-forget p1', 'joined p1']);
  assert.not.ok(g.snapshot().applied.some((a) => a.member === 'p1'), 'a checkpoint still lists the member gone');
});

test('joining is restored to the joiner, leaving to the leaver; any later state ends the join', () => {
  const { g, calls } = group();
  g.set('p3', 'joining', 4);
  g.set('p3', 'member');
  g.set('p3', 'leaving');
  assert.equal(calls, ['joining p3', 'joined p3', 'joined p3', 'removed p3']);
});

test('a new epoch: a restore request of its own or none, and no delta applied or in progress', () => {
  const { g } = group();
  g.newEpoch('p1', 1, 42);
  g.appliedSet('p1').add(1);
  g.applyingSet('p1').add(2);
  assert.is(g.restoreRequests.get('p1'), 42);
  g.newEpoch('p1', 2, undefined);
  assert.is(g.epochs.get('p1'), 2);
  assert.not.ok(g.restoreRequests.has('p1'), "a request kept: the checkpoint records the previous epoch's request for this one");
  assert.not.ok(g.appliedSet('p1').has(1));
  assert.not.ok(g.applyingSet('p1').has(2), "a delta of the previous epoch still in progress: this epoch's of that number waits on it");
});

test('an epoch learned from a copy is taken only for a member whose epoch is not known', () => {
  const { g } = group();
  g.learnEpoch('p2', 4);
  g.learnEpoch('p2', 2);
  assert.is(g.epochs.get('p2'), 4);
  g.newEpoch('p1', 5, undefined);
  g.learnEpoch('p1', 1);
  assert.is(g.epochs.get('p1'), 5);
});

test("a checkpoint carries each member's applied deltas, epoch and request, the joins' merges, and the group only once changed", () => {
  const joiner = {
    restoreJoining() {}, restoreJoined() {}, forget() {},
    members: () => ['p2', 'p3', 'p4'],
    entries: (m: string, floor: number) => (m === 'p3' ? [[4, floor]] : []),
    joining: (m: string) => m === 'p2',
  } as unknown as Joiner;
  const leaver = { restoreRemoved() {}, forget() {}, entries: () => [{ member: 'p1', blocks: [1] }] } as unknown as Leaver;
  const losses = new Losses();
  const g = new Group([{ name: 'p1', blockCount: 8 }, { name: 'p2', blockCount: 8, joining: true }], joiner, leaver, losses);
  losses.add('p1', 5, true);
  g.newEpoch('p1', 2, 9);
  for (const seq of [1, 2, 4]) g.appliedSet('p1').add(seq);
  g.learnEpoch('p3', 1);
  const before = g.snapshot();
  assert.equal(before.applied, [{ member: 'p1', epoch: 2, floor: 2, above: [4], request: 9 }, { member: 'p3', epoch: 1, floor: 0, above: [] }]);
  // p2 still joining (nothing merged yet), p3's merges; p4 neither.
  assert.equal(before.merged, [{ member: 'p2', blocks: [] }, { member: 'p3', blocks: [[4, 0]] }]);
  assert.equal([before.removed, before.lost, before.reprotect, before.stale], [[{ member: 'p1', blocks: [1] }], [{ member: 'p1', blocks: [5] }], [5], [5]]);
  assert.not.ok('members' in before, 'the group as configured is not recorded');
  // Nothing of a kind: no entry for it.
  const quiet = { restoreJoining() {}, restoreJoined() {}, forget() {}, members: () => [], joining: () => false } as unknown as Joiner;
  const none = { restoreRemoved() {}, forget() {}, entries: () => [] } as unknown as Leaver;
  assert.equal(Object.keys(new Group([{ name: 'p1', blockCount: 8 }], quiet, none, new Losses()).snapshot()), ['applied']);
  g.set('p2', 'member');
  assert.equal(g.snapshot().members, [{ name: 'p1', blockCount: 8, state: 'member' }, { name: 'p2', blockCount: 8, state: 'member' }]);
});

test("a checkpoint replayed replaces the applied sets and restore requests: nothing of the records before it stays", () => {
  const { g } = group();
  g.appliedSet('p2').add(1);
  g.restoreRequests.set('p2', 5);
  g.replay(async () => true).checkpoint({ applied: [{ member: 'p1', epoch: 0, floor: 2, above: [] }] }, new Map(), []);
  assert.equal([...g.applied.keys()], ['p1']);
  assert.equal([...g.restoreRequests.keys()], []);
});

test.run();
