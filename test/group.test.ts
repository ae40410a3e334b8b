// The parity array's view of its group (src/parity/group.ts), with the joiner
// and leaver recorded: each member's state, what a member leaving takes with
// it, what a new epoch resets, an epoch learned only once. The worlds see
// little of this bookkeeping (a leftover entry of a member gone, a request id
// kept, a set of deltas in progress not reset); the judge runs this test for
// a group.ts mutant no run kills (UNIT_TESTS in scripts/mutation/stryker-plugin.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Group } from '../src/parity/group.js';
import { Joiner } from '../src/parity/joiner.js';
import { Leaver } from '../src/parity/leaver.js';
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

/**
 * A group with the real joiner, leaver and losses (their replay methods use none of their deps), replaying:
 * `config` as configured (default p1 a member, p2 joining); `r` its journal replay.
 */
function replayed(config: ConstructorParameters<typeof Group>[0] = [{ name: 'p1', blockCount: 8 }, { name: 'p2', blockCount: 8, joining: true }]) {
  const joiner = new Joiner({} as ConstructorParameters<typeof Joiner>[0]);
  const leaver = new Leaver({} as ConstructorParameters<typeof Leaver>[0]);
  const losses = new Losses();
  const g = new Group(config, joiner, leaver, losses);
  return { g, joiner, leaver, losses, r: g.replay(async () => true) };
}

test("a checkpoint replayed brings back each member's epoch, restore request and applied deltas, with those applied since", () => {
  const { g, r } = replayed();
  r.checkpoint({ applied: [{ member: 'p1', epoch: 3, floor: 2, above: [5], request: 7 }, { member: 'p2', epoch: 1, floor: 1, above: [] }] }, new Map([['p1', [3, 6]]]), []);
  assert.equal([g.epochs.get('p1'), g.epochs.get('p2'), g.restoreRequests.get('p1'), g.restoreRequests.has('p2')], [3, 1, 7, false]);
  assert.equal(
    g.snapshot().applied,
    [{ member: 'p1', epoch: 3, floor: 3, above: [5, 6], request: 7 }, { member: 'p2', epoch: 1, floor: 1, above: [] }],
  );
  // The group as configured is kept (the checkpoint lists none): p2 still joining.
  assert.equal([g.state('p1'), g.state('p2')], ['member', 'joining']);
});

test("a checkpoint's group replaces the group: a member it lacks has left, each one it lists is in its state and size", () => {
  const { g, r, joiner, leaver } = replayed();
  r.member('p3', 4, 'joining');
  r.checkpoint(
    {
      applied: [{ member: 'p1', epoch: 2, floor: 4, above: [] }, { member: 'p2', epoch: 1, floor: 1, above: [] }],
      members: [{ name: 'p1', blockCount: 8, state: 'member' }, { name: 'p2', blockCount: 8, state: 'member' }, { name: 'p4', blockCount: 6, state: 'leaving' }],
    },
    new Map(),
    [],
  );
  assert.equal(['p1', 'p2', 'p3', 'p4'].map((m) => g.state(m)), ['member', 'member', undefined, 'leaving']);
  assert.is(g.members.get('p4')?.blockCount, 6);
  assert.equal(g.joining(), []);
  assert.equal([joiner.joining('p2'), joiner.joining('p3'), leaver.leaving('p4')], [false, false, true]);
  // The members it lists keep what it carried for them.
  assert.equal(g.snapshot().applied, [{ member: 'p1', epoch: 2, floor: 4, above: [] }, { member: 'p2', epoch: 1, floor: 1, above: [] }]);
  assert.equal(g.snapshot().members, [{ name: 'p1', blockCount: 8, state: 'member' }, { name: 'p2', blockCount: 8, state: 'member' }, { name: 'p4', blockCount: 6, state: 'leaving' }]);
});

test("a checkpoint's merges go back to the joiner, its removals to the leaver, its lost blocks and stripes to the losses", () => {
  const { g, r, joiner, leaver, losses } = replayed();
  r.checkpoint(
    {
      applied: [{ member: 'p2', epoch: 1, floor: 0, above: [] }],
      members: [{ name: 'p1', blockCount: 8, state: 'leaving' }, { name: 'p2', blockCount: 8, state: 'joining' }],
      merged: [{ member: 'p2', blocks: [[1, 4], [3, 0]] }],
      removed: [{ member: 'p1', blocks: [2, 5] }],
      lost: [{ member: 'p2', blocks: [6] }],
      reprotect: [6, 7],
      stale: [7],
    },
    new Map(),
    [],
  );
  assert.equal([1, 2, 3].map((b) => joiner.contributes('p2', b)), [true, false, true]);
  assert.equal([1, 2, 5].map((b) => leaver.contributes('p1', b)), [true, false, false]);
  assert.equal([losses.has('p2', 6), losses.pending(6), losses.pending(7), losses.stale(6), losses.stale(7)], [true, true, true, false, true]);
  const s = g.snapshot();
  assert.equal(
    [s.merged, s.removed, s.lost, s.reprotect, s.stale],
    [[{ member: 'p2', blocks: [[1, 4], [3, 0]] }], [{ member: 'p1', blocks: [2, 5] }], [{ member: 'p2', blocks: [6] }], [6, 7], [7]],
  );
});

test('the loss changes of records before a checkpoint are made again over its losses: true only if they changed them', () => {
  const { r, losses } = replayed();
  losses.add('p1', 9, false);
  const lost = [{ member: 'p1', blocks: [1] }];
  assert.ok(r.checkpoint({ applied: [], lost, reprotect: [1] }, new Map(), [() => r.lost('p1', 2, true)]));
  assert.equal([losses.has('p1', 9), losses.has('p1', 1), losses.has('p1', 2), losses.stale(2)], [false, true, true, true]);
  assert.not.ok(r.checkpoint({ applied: [], lost, reprotect: [1] }, new Map(), [() => r.found('p1', 5)]), 'a change that changed nothing');
  assert.not.ok(r.checkpoint({ applied: [], lost, reprotect: [1] }, new Map(), []));
  assert.equal(losses.entries(), lost);
});

test('records replayed: lost blocks, found, re-protected and forgotten; epochs; applied deltas', () => {
  const { g, r, losses } = replayed();
  r.lost('p1', 3, true);
  r.lost('p2', 5, false);
  assert.equal([losses.has('p1', 3), losses.stale(3), losses.has('p2', 5), losses.pending(5), losses.stale(5)], [true, true, true, true, false]);
  r.found('p1', 3);
  assert.equal([losses.has('p1', 3), losses.pending(3)], [false, true]);
  r.reprotected(3);
  assert.equal([losses.pending(3), losses.stale(3), losses.pending(5)], [false, false, true]);
  r.lossesForgotten('p2');
  assert.equal([losses.has('p2', 5), losses.entries()], [false, []]);
  r.applied('p1', 1);
  r.epoch('p1', 2, 11);
  assert.equal([g.epochs.get('p1'), g.restoreRequests.get('p1'), g.appliedSet('p1').has(1)], [2, 11, false]);
  r.applied('p1', 1);
  r.applied('p1', 2);
  r.applied('p3', 4);
  assert.equal(g.snapshot().applied, [{ member: 'p1', epoch: 2, floor: 2, above: [], request: 11 }, { member: 'p3', epoch: 0, floor: 0, above: [4] }]);
});

test("member records replayed: each sets the member's state; a join or leave completed is kept to announce", () => {
  const { g, r } = replayed();
  r.member('p3', 4, 'joining');
  assert.equal([g.state('p3'), g.members.get('p3')?.blockCount, g.completed], ['joining', 4, []]);
  r.member('p3', 4, 'member');
  r.member('p1', 8, 'leaving');
  assert.equal([g.state('p3'), g.state('p1')], ['member', 'leaving']);
  r.member('p1', 8, 'left');
  assert.is(g.state('p1'), undefined);
  assert.equal(g.completed, [{ member: 'p3', state: 'member' }, { member: 'p1', state: 'left' }]);
});

test('merge records go back to the joiner and teach an epoch not known yet; unmerge records to the leaver', () => {
  const { g, r, joiner, leaver } = replayed();
  r.merged('p2', 3, 5, 4);
  r.merged('p2', 4, 0, 1);
  assert.equal([joiner.contributes('p2', 3), joiner.contributes('p2', 4), joiner.contributes('p2', 5)], [true, true, false]);
  assert.is(g.epochs.get('p2'), 4);
  assert.equal(g.snapshot().merged, [{ member: 'p2', blocks: [[3, 5], [4, 0]] }]);
  r.unmerged('p1', 2);
  assert.equal([leaver.leaving('p1'), leaver.contributes('p1', 2), leaver.contributes('p1', 3)], [true, false, true]);
});

test("a checkpoint's group: sorted by name, each member's size and state; none while it is as configured", () => {
  const { g } = replayed([{ name: 'p2', blockCount: 8, joining: true }, { name: 'p1', blockCount: 6 }]);
  assert.not.ok('members' in g.snapshot());
  g.set('p0', 'joining', 4);
  g.set('p3', 'leaving', 2);
  assert.equal(g.snapshot().members, [
    { name: 'p0', blockCount: 4, state: 'joining' },
    { name: 'p1', blockCount: 6, state: 'member' },
    { name: 'p2', blockCount: 8, state: 'joining' },
    { name: 'p3', blockCount: 2, state: 'leaving' },
  ]);
});

test("a member's applied set and set in progress: made once, then the same one", () => {
  const { g } = replayed();
  g.appliedSet('p9').add(3);
  g.applyingSet('p9').add(4);
  assert.ok(g.appliedSet('p9').has(3));
  assert.ok(g.applyingSet('p9').has(4));
  assert.equal([g.applied.get('p9')?.above(), [...(g.applying.get('p9') ?? [])]], [[3], [4]]);
});

test.run();
