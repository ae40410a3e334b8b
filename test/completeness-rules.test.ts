// The completeness checker's rule, pinned both ways against a small world
// (events published by hand): a primary outside the group whose array failed
// owes a loss report for every block its host has not rewritten since, and
// nothing else is demanded (a member's failure is parity's to restore).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CompletenessChecker } from '../sim/checker/completeness-checker.js';
import type { Violation } from '../sim/checker/violation.js';
import type { Engine } from '../sim/engine/engine.js';
import type { World } from '../sim/world/world.js';

interface Fixture {
  readonly checker: CompletenessChecker;
  readonly violations: Omit<Violation, 'recent'>[];
  readonly alive: Map<string, boolean>;
  readonly publish: (kind: string, e: Record<string, unknown>) => void;
}

function fixture(): Fixture {
  const violations: Omit<Violation, 'recent'>[] = [];
  const listeners = new Map<string, ((e: unknown) => void)[]>();
  const alive = new Map([['p1', true], ['p2', true]]);
  const membership = new Map([['p1', 'outside'], ['p2', 'member']]);
  const primary = (name: string) => ({ name, device: { blockCount: 4 }, incarnation: { get alive() { return alive.get(name)!; } } });
  const world = {
    primaries: [primary('p1'), primary('p2')],
    parity: { name: 'parity' },
    oracle: { membership: (array: string) => membership.get(array) },
    events: { on: (kind: string, fn: (e: unknown) => void) => listeners.set(kind, [...(listeners.get(kind) ?? []), fn]) },
  } as unknown as World;
  const checker = new CompletenessChecker({ now: 1000 } as unknown as Engine, world, (v) => violations.push(v));
  const publish = (kind: string, e: Record<string, unknown>) => { for (const fn of listeners.get(kind) ?? []) fn({ kind, ...e }); };
  return { checker, violations, alive, publish };
}

const lost = (f: Fixture, array: string, block: number) => f.publish('block-reported-lost', { array, block, again: false });

test('an outside array failed, its losses unreported: a violation naming the array and its first block', () => {
  const f = fixture();
  f.publish('array-failed', { array: 'p1' });
  lost(f, 'p1', 0);
  assert.is(f.checker.judge('p1'), false);
  assert.is(f.violations[0]!.kind, 'completeness');
  assert.is(f.violations[0]!.block, 1);
  assert.match(f.violations[0]!.message, /3 of its blocks were never reported lost.*p1\[1\]/);
});

test('every block reported lost, or rewritten by an acknowledged host write: complete', () => {
  const f = fixture();
  f.publish('array-failed', { array: 'p1' });
  lost(f, 'p1', 0);
  lost(f, 'p1', 2);
  f.publish('host-write-done', { op: 1, array: 'p1', block: 1, ok: true });
  f.publish('host-write-done', { op: 2, array: 'p1', block: 3, ok: false }); // failed: still owed
  assert.is(f.checker.judge('p1'), false);
  assert.is(f.violations[0]!.block, 3);
  f.publish('host-write-done', { op: 3, array: 'p1', block: 3, ok: true });
  assert.ok(f.checker.final());
  assert.is(f.violations.length, 1);
});

test("an earlier life's reports do not count for a new failure", () => {
  const f = fixture();
  f.publish('array-failed', { array: 'p1' });
  for (let b = 0; b < 4; b++) lost(f, 'p1', b);
  assert.ok(f.checker.judge('p1'));
  f.publish('array-failed', { array: 'p1' });
  assert.is(f.checker.judge('p1'), false);
});

test("a member's failure owes nothing (parity restores it, and reports what it cannot)", () => {
  const f = fixture();
  f.publish('array-failed', { array: 'p2' });
  f.publish('array-failed', { array: 'parity' });
  assert.ok(f.checker.final());
  assert.is(f.violations.length, 0);
});

test('the run’s end judges live primaries only', () => {
  const f = fixture();
  f.publish('array-failed', { array: 'p1' });
  f.alive.set('p1', false);
  assert.ok(f.checker.final());
  f.alive.set('p1', true);
  assert.is(f.checker.final(), false);
});

test.run();
