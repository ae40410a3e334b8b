// The ack policy decides what an acknowledgement promises, and the durability
// checker holds each run to exactly that promise: under local-write, a write
// acknowledged before parity had its delta may be lost with its array — and
// nothing else may; under parity-durable, nothing acknowledged may be lost.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DurabilityChecker } from '../sim/checker/durability-checker.js';
import type { Violation } from '../sim/checker/violation.js';
import { Engine } from '../sim/engine/engine.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioText } from '../sim/scenario/load.js';

const loaded = parseScenarioText('local-write-failure.json', readFileSync(new URL('../scenarios/local-write-failure.json', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error('local-write-failure.json does not validate');
const scenario = loaded.scenario;

test('local-write: an array lost while its deltas could not reach parity loses acknowledged writes — allowed, and counted', async () => {
  const r = await runScenario(scenario, { seed: 1, file: 'x' });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.ok(r.ackWindow.atRisk > 0, 'acknowledged writes were not in parity when p2 failed');
  assert.ok(r.ackWindow.hits > 0, 'and reads found them lost');
});

test('the same run held to parity-durable\'s promise is a durability violation', async () => {
  const r = await runScenario(scenario, { seed: 1, file: 'x', checkAs: 'parity-durable' });
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]!.kind, 'durability');
  assert.match(r.violations[0]!.array!, /^p2$/);
});

test('parity-durable under the same faults: nothing acknowledged is lost (the writes wait for parity instead)', async () => {
  const r = await runScenario({ ...scenario, ackPolicy: 'parity-durable' }, { seed: 1, file: 'x' });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.equal(r.ackWindow, { atRisk: 0, hits: 0 });
});

function checker(policy: 'local-write' | 'parity-durable') {
  const found: Omit<Violation, 'recent'>[] = [];
  const c = new DurabilityChecker(new Engine(1), () => Uint8Array.of(0), (v) => found.push(v), policy);
  const write = (value: number, seq: number) => {
    const id = c.writeIssued('p', 0, Uint8Array.of(value));
    c.deltaSent('p', 0, seq);
    c.writeDone('p', 0, id, true);
  };
  const read = (value: number) => {
    const before = found.length;
    const id = c.readIssued('p', 0);
    c.readDone('p', 0, id, Uint8Array.of(value));
    return found.length === before;
  };
  return { c, write, read };
}

test('durability checker, local-write: after a failure, exactly the versions from the newest parity-acknowledged one on', () => {
  const { c, write, read } = checker('local-write');
  write(1, 1);
  write(2, 2);
  c.deltaDurable('p', 2); // parity has 2 (and so 1 is gone for good)
  write(3, 3);
  write(4, 4); // 3 and 4 only local
  assert.ok(read(4));
  assert.not.ok(read(2), 'before the failure, only the newest');
  c.arrayFailed('p');
  assert.is(c.atRisk, 2);
  for (const v of [2, 3, 4]) assert.ok(read(v), `version ${v} may come back`);
  assert.is(c.windowHits, 2, 'versions 2 and 3 are acknowledged writes lost');
  for (const v of [1, 0, 9]) assert.not.ok(read(v), `version ${v} may not`);
});

test('durability checker, parity-durable: a failure loses nothing acknowledged', () => {
  const { c, write, read } = checker('parity-durable');
  write(1, 1);
  write(2, 2);
  c.arrayFailed('p');
  assert.is(c.atRisk, 0);
  assert.ok(read(2));
  assert.not.ok(read(1));
});

test.run();
