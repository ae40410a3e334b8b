// The shipped real-scale scenario (scenarios/large/, outside the per-scenario
// sweeps: a run costs about half an hour of CPU) is issue #13's shape, and the
// same world at 1/1024 of its size and durations passes with p2 restored while
// the hosts' load still runs.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../lib/run.js';

const text = JSON.parse(readFileSync(new URL('../scenarios/large/real-scale.json', import.meta.url), 'utf8'));

test('real-scale: 4 primaries of 16 M blocks of 1 MiB on HDD arrays, a quarter prefilled, a primary lost and replaced under load', () => {
  assert.is(text.primaries.count, 4);
  assert.is(text.primaries.blocks, 2 ** 24);
  assert.is(text.blockSize, '1MiB');
  assert.is(text.disk.model, 'hdd');
  assert.is(text.prefill, 0.25);
  assert.equal(text.faults.schedule, [{ at: '1h', do: 'fail-array', array: 'p2', replaceAfter: '100ms' }]);
});

test('real-scale at 1/1024: passes, and p2 is restored before the load ends', async () => {
  const small = { ...text, primaries: { ...text.primaries, blocks: 2 ** 14 }, workload: { ...text.workload, duration: '84s' }, faults: { schedule: [{ ...text.faults.schedule[0], at: '3.5s' }] }, settle: '90s' };
  let restoredAt = -1;
  let lastOp = -1;
  const r = await run(small, {
    seed: 1,
    onTrace: (line) => {
      if (line.includes('"node.restored"')) restoredAt = JSON.parse(line).t;
      else if (line.includes('"host.op"')) lastOp = JSON.parse(line).t;
    },
  });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.ok(restoredAt > 0, 'p2 was restored');
  assert.ok(restoredAt < lastOp, `restored at ${restoredAt} µs, the last host operation at ${lastOp} µs`);
});

test.run();
