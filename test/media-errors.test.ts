// A primary's own unreadable blocks (latent sector errors): hardened rebuilds
// them from parity, rewrites them and serves them; literal hands the error to
// its host. When a second copy in the group is unreadable too, the block is
// reported lost — and the honesty checker accepts exactly those reports.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PrimaryController } from '../src/primary/primary-controller.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { scenario } from './helpers.js';

const hdd = { model: 'hdd', drives: 2, queue: 'sptf' };
const latent = (array: string, count: number, at = '20ms') => ({ at, do: 'latent-errors', array, count });

test('hardened: a host reading or writing its own unreadable sectors gets them rebuilt by parity, never an error', async () => {
  const s = scenario({ primaries: { count: 3, blocks: 128 }, disk: hdd, workload: { duration: '1s', iodepth: 4, thinkTime: '5ms', readFraction: 0.5 }, faults: { schedule: [latent('p1', 30)] } });
  for (const seed of [1, 2]) {
    const r = await runScenario(s, { seed, file: 'x' });
    assert.is(r.verdict, 'pass', r.violations[0]?.message);
    assert.ok((r.probes['media-error-repaired'] ?? 0) > 0, 'some unreadable sector was repaired');
    assert.is(r.hostOps.failed, 0);
    assert.is(r.checks.lossReports, 0);
  }
});

test('literal: the same unreadable sectors reach the host as media errors', async () => {
  // Reads only, so literal's missing per-block locks cannot break parity first.
  const s = scenario({ protocol: 'literal', primaries: { count: 3, blocks: 128 }, disk: hdd, workload: { duration: '1s', iodepth: 4, thinkTime: '5ms', readFraction: 1 }, faults: { schedule: [latent('p1', 30)] } });
  const r = await runScenario(s, { seed: 1, file: 'x' });
  assert.is(r.verdict, 'pass');
  assert.ok(r.hostOps.failed > 0, `failed host ops ${r.hostOps.failed}`);
  assert.is(r.probes['media-error-repaired'], undefined);
});

test('hardened: unreadable sectors on two arrays at one block are reported lost, honestly, and nothing wrong is returned', async () => {
  // 100 of 128 blocks on each of p1 and p2: many blocks are unreadable on both.
  const s = scenario({
    primaries: { count: 3, blocks: 128 },
    disk: hdd,
    workload: { duration: '1s', iodepth: 4, thinkTime: '5ms', readFraction: 0.5 },
    faults: { budget: 'unlimited', schedule: [latent('p1', 100), latent('p2', 100)] },
  });
  const r = await runScenario(s, { seed: 1, file: 'x' });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.ok(r.checks.lossReports > 0, 'some block was unreadable on both');
  assert.ok((r.probes['media-error-repaired'] ?? 0) > 0, 'blocks unreadable on one array only were repaired');
});

test('hardened: blocks unreadable when parity is first built are reported lost (nothing protected them), zeroed, and writable again', async () => {
  const s = scenario({ primaries: { count: 3, blocks: 128 }, disk: hdd, workload: { duration: '1s', iodepth: 4, thinkTime: '5ms', readFraction: 0.5 } });
  let damaged = 0;
  let p1: { controller: unknown } | undefined;
  const r = await runScenario(s, {
    seed: 1,
    file: 'x',
    beforeBuild: (world) => {
      world.media.addLatentErrors('p1', 30);
      damaged = world.damage.openBlocks().length;
      p1 = world.primaries[0];
    },
  });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.ok(damaged > 20);
  assert.is(r.checks.lossReports, damaged, 'exactly the unreadable blocks are reported lost');
  assert.ok(r.hostOps.failed > 0, 'reads of lost blocks answer data-lost');
  const stillLost = (p1!.controller as PrimaryController).lostBlocks().length; // the built-in controller's own account
  assert.ok(stillLost > 0 && stillLost < damaged, `host writes made some lost blocks whole again (${stillLost} of ${damaged} still lost)`);
});

test('literal: a block unreadable at the build stalls it forever (the claims ask once and wait)', async () => {
  const s = scenario({ protocol: 'literal', primaries: { count: 3, blocks: 128 }, disk: hdd, workload: { duration: '1s', iodepth: 4, thinkTime: '5ms', readFraction: 0.5 } });
  const r = await runScenario(s, { seed: 1, file: 'x', beforeBuild: (world) => world.media.addLatentErrors('p1', 5) });
  assert.is(r.verdict, 'liveness');
  assert.match(r.violations[0]!.message, /parity build stopped making progress/);
});

test('the honesty checker rejects a loss with no second damage behind it (planted false loss)', async () => {
  const s = scenario({ primaries: { count: 3, blocks: 128 }, disk: hdd, workload: { duration: '1s', iodepth: 4, thinkTime: '5ms', readFraction: 0.5 }, faults: { schedule: [latent('p1', 60)] } });
  const r = await runScenario(s, { seed: 1, file: 'x', plantedBugs: new Set(['parity-reports-false-loss']) });
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]!.kind, 'honesty');
  assert.match(r.violations[0]!.message, /^p1 reports block \d*0 lost/);
});

test.run();
