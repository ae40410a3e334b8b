// Runs that end for want of capacity are told apart from protocol failures:
// an open-loop load beyond what the arrays serve is an overload (with the
// rates offered and served), and a run that reaches the simulator's own
// limits (its clock, its event queue) is a limit — neither a crash of a
// controller nor a liveness violation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isSimulatorLimit } from '../sim/engine/limit.js';
import { Engine } from '../sim/engine/engine.js';
import { TIME_MAX } from '../sim/engine/time.js';
import { xorsimHere } from './in-process-cli.js';

test('an open-loop load beyond the arrays: overload, offered and served rates, exit 1', async () => {
  const r = await xorsimHere('run', 'test/fixtures/overload.json', '--seed', '1', '--json');
  assert.is(r.code, 1);
  const s = JSON.parse(r.stdout);
  assert.is(s.verdict, 'overload');
  assert.match(s.violations[0].message, /^overload: the hosts offered 40,000 ops\/s \(20,000\/s per host × 2\), the arrays served [\d,]+ ops\/s \([\d,]+ operations in [\d.]+ms\); [\d,]+ still waiting 50ms after the load stopped \(the settle bound\)$/);
  const served = Number(/served ([\d,]+) ops\/s/.exec(s.violations[0].message)![1]!.replace(/,/g, ''));
  assert.ok(served > 1000 && served < 40_000, `served ${served}`);
  const text = await xorsimHere('run', 'test/fixtures/overload.json', '--seed', '1');
  assert.match(text.stdout, /FAIL {2}over seed 1: overload violation/);
});

test("the simulator's clock passed: a limit, not a crash of the controller that scheduled it", async () => {
  const r = await xorsimHere('run', 'test/fixtures/simulator-limit.json', '--seed', '1', '--json');
  assert.is(r.code, 1);
  const s = JSON.parse(r.stdout);
  assert.is(s.verdict, 'limit');
  assert.match(s.violations[0].message, /^the simulator's limit, not the protocol's: an event [\d.]+y after [\d.]+m?s is past the simulator's clock \(2\^53 µs, about 285 years\) \(p\d: /);
});

test('the engine raises its limits as SimulatorLimit; a bad delay stays a programming error', () => {
  const engine = new Engine(1);
  const kind = engine.trace.kind('test.tick');
  let error: unknown;
  try {
    engine.after(TIME_MAX, kind, () => undefined);
    engine.after(TIME_MAX + 10, kind, () => undefined);
  } catch (e) {
    error = e;
  }
  assert.ok(isSimulatorLimit(error), String(error));
  assert.throws(() => engine.after(1.5, kind, () => undefined), (e: unknown) => e instanceof RangeError && !isSimulatorLimit(e));
});

test('explore counts them in columns of their own, shown only when some run ended so', async () => {
  const r = await xorsimHere('explore', 'test/fixtures/overload.json', 'test/fixtures/tiny.json', '--seeds', '1', '--workers', '1', '--recheck', '0');
  assert.is(r.code, 1);
  assert.match(r.stdout, /\nscenario +seeds +pass +correctness +liveness +crash +overload +events /);
  assert.match(r.stdout, /\nover +1 +0 +0 +0 +0 +1 /);
  const clean = await xorsimHere('explore', 'test/fixtures/tiny.json', '--seeds', '1', '--workers', '1', '--recheck', '0');
  assert.match(clean.stdout, /\nscenario +seeds +pass +correctness +liveness +crash +events /);
});

test.run();
