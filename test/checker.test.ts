// The checker must be able to fail: every planted bug is caught, the literal
// protocol is caught, and a correct run passes with real work checked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DurabilityChecker } from '../sim/checker/durability-checker.js';
import type { Violation } from '../sim/checker/violation.js';
import { Engine } from '../sim/engine/engine.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { scenario } from './helpers.js';
import { BlockSet } from '../src/util/block-set.js';

test('a correct run passes, and the checker did real work', async () => {
  const r = await runScenario(scenario(), { seed: 1, file: 'x' });
  assert.equal(r.violations, []);
  assert.is(r.verdict, 'pass');
  assert.ok(r.hostOps.writes > 500, `writes ${r.hostOps.writes}`);
  assert.ok(r.checks.parity >= r.hostOps.writes, `parity checks ${r.checks.parity} < writes ${r.hostOps.writes}`);
  assert.is(r.checks.reads, r.hostOps.reads);
  assert.is(r.checks.sweeps, 2);
});

// These break every update, so any workload shows them; the rest need their
// hazard's scenario and are hunted by `xorsim selftest` (test/selftest.test.ts;
// the checksum bugs also test/corruption.test.ts).
for (const bug of ['parity-stores-delta', 'primary-skips-delta', 'primary-sends-data-not-delta', 'wrong-block-delta'] as const) {
  test(`planted bug "${bug}" is caught as a parity violation`, async () => {
    const r = await runScenario(scenario(), { seed: 1, file: 'x', plantedBugs: new Set([bug]) });
    assert.is(r.verdict, 'correctness');
    const v = r.violations[0]!;
    assert.is(v.kind, 'parity');
    assert.is(v.array, 'parity');
    assert.ok(v.block !== null && v.block >= 0 && v.block < 256);
    assert.match(v.message, /^Q\[\d+\] = …?[0-9a-f]{16}…? but the XOR of p1, p2, p3 is …?[0-9a-f]{16}…?$/);
    assert.ok(v.recent.some((e) => e.includes(`block=${v.block}`)), 'the violation shows the events that touched the block');
  });
}

test('planted bug "parity-reports-false-loss" is caught as an honesty violation', async () => {
  const r = await runScenario(
    scenario({ faults: { schedule: [{ at: '50ms', do: 'fail-array', array: 'p2', replaceAfter: '20ms' }] } }),
    { seed: 1, file: 'x', plantedBugs: new Set(['parity-reports-false-loss']) },
  );
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]!.kind, 'honesty');
  assert.match(r.violations[0]!.message, /p2 reports block \d+ lost, but no other copy in its group was damaged/);
});

test('the literal protocol (no per-block serialisation) is caught under concurrent writes', async () => {
  // A hot set of 8 blocks makes concurrent read-modify-writes of one block certain.
  const r = await runScenario(scenario({ protocol: 'literal', primaries: { count: 3, blocks: 8 } }), { seed: 1, file: 'x' });
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]!.kind, 'parity');
});

test('the same hot workload passes under hardened', async () => {
  const r = await runScenario(scenario({ primaries: { count: 3, blocks: 8 } }), { seed: 1, file: 'x' });
  assert.equal(r.violations, []);
});

test('durability checker: the last acknowledged write, or any write overlapping the read', () => {
  const e = new Engine(1);
  const found: Omit<Violation, 'recent'>[] = [];
  const zero = new Uint8Array(4);
  const c = new DurabilityChecker(e, () => zero, (v) => found.push(v));
  const a = Uint8Array.of(1, 1, 1, 1);
  const b = Uint8Array.of(2, 2, 2, 2);
  const w1 = c.writeIssued('p1', 5, a);
  c.writeDone('p1', 5, w1, true);
  const r1 = c.readIssued('p1', 5);
  const w2 = c.writeIssued('p1', 5, b); // in flight during the read
  c.readDone('p1', 5, r1, b);
  c.writeDone('p1', 5, w2, true);
  const r2 = c.readIssued('p1', 5);
  c.readDone('p1', 5, r2, b);
  assert.equal(found, []);
  const r3 = c.readIssued('p1', 5);
  c.readDone('p1', 5, r3, a); // stale: a was overwritten by b, invoked after a completed
  assert.is(found.length, 1);
  assert.is(found[0]!.kind, 'durability');
  const r4 = c.readIssued('p1', 6);
  c.readDone('p1', 6, r4, zero); // never written: initial contents
  assert.is(found.length, 1);
  assert.is(c.checks, 4);
});

test('durability checker: overlapping writes may take effect in either order', () => {
  const e = new Engine(1);
  const found: Omit<Violation, 'recent'>[] = [];
  const c = new DurabilityChecker(e, () => new Uint8Array(1), (v) => found.push(v));
  const [x, y, z] = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
  const wx = c.writeIssued('p', 0, x); // slow: acknowledged last
  const wy = c.writeIssued('p', 0, y);
  c.writeDone('p', 0, wy, true);
  const wz = c.writeIssued('p', 0, z);
  c.writeDone('p', 0, wz, true);
  c.writeDone('p', 0, wx, true);
  // x overlapped y and z: x,y,z and y,z,x are both valid orders — z or x may be read; y may not (z followed it).
  for (const [value, legal] of [[z, true], [x, true], [y, false]] as const) {
    const before = found.length;
    const r = c.readIssued('p', 0);
    c.readDone('p', 0, r, value);
    assert.is(found.length - before, legal ? 0 : 1, `value ${value[0]}`);
  }
});

test('durability checker: a settled block keeps no register, and judges the same when used again', () => {
  const e = new Engine(1);
  const found: Omit<Violation, 'recent'>[] = [];
  const c = new DurabilityChecker(e, () => new Uint8Array(2), (v) => found.push(v));
  const value = (b: number, v: number) => Uint8Array.of(b, v);
  for (let b = 0; b < 100; b++) c.writeDone('p', b, c.writeIssued('p', b, value(b, 1)), true);
  assert.is(c.registers, 0, 'every block settled');
  const open = c.writeIssued('p', 7, value(7, 2));
  const read = c.readIssued('p', 8);
  assert.is(c.registers, 2, 'a write in flight and a read open keep theirs');
  c.readDone('p', 8, read, value(8, 1));
  c.writeDone('p', 7, open, true);
  assert.is(c.registers, 0);
  const stale = c.readIssued('p', 7);
  c.readDone('p', 7, stale, value(7, 1)); // overwritten by the second write
  const fresh = c.readIssued('p', 9);
  c.readDone('p', 9, fresh, value(9, 1));
  assert.is(found.length, 1);
  assert.match(found[0]!.message, /p\[7\]/);
  assert.ok(c.sweep('p', new BlockSet(), (b) => (b === 7 ? value(7, 2) : b < 100 ? value(b, 1) : new Uint8Array(2)), () => false));
  assert.is(c.blocksSwept, 100);
});

test('durability checker: a failed write stays possible until a later write is acknowledged', () => {
  const e = new Engine(1);
  const found: Omit<Violation, 'recent'>[] = [];
  const c = new DurabilityChecker(e, () => new Uint8Array(1), (v) => found.push(v));
  const [f, g] = [Uint8Array.of(7), Uint8Array.of(8)];
  const wf = c.writeIssued('p', 0, f);
  c.writeDone('p', 0, wf, false); // crashed: may or may not have landed
  for (const value of [f, new Uint8Array(1)]) {
    const r = c.readIssued('p', 0);
    c.readDone('p', 0, r, value);
  }
  assert.equal(found, []);
  const wg = c.writeIssued('p', 0, g);
  c.writeDone('p', 0, wg, true);
  const r = c.readIssued('p', 0);
  c.readDone('p', 0, r, f);
  assert.is(found.length, 1);
});
test.run();
