// A drive failure loses exactly that drive's blocks; hardened serves them by
// reconstruction meanwhile and rebuilds exactly those blocks from parity once
// the drive is replaced, under load — on a primary and on the parity array.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioValue } from '../sim/scenario/load.js';
import type { World } from '../sim/world/world.js';
import { scenario } from './helpers.js';

const hdd = { model: 'hdd', drives: 2, queue: 'sptf' };
const load = { duration: '1500ms', iodepth: 4, thinkTime: '5ms', readFraction: 0.5 };
const failDrive = (array: string, drive: number, at: string, replaceAfter = '200ms') => ({ at, do: 'fail-drive', array, drive, replaceAfter });

test('hardened: a primary drive and a parity drive fail and are rebuilt under load; exactly their blocks were lost', async () => {
  const s = scenario({ primaries: { count: 3, blocks: 128 }, disk: hdd, workload: load, faults: { schedule: [failDrive('p1', 1, '50ms'), failDrive('parity', 0, '700ms')] } });
  let world: World | undefined;
  const r = await runScenario(s, { seed: 1, file: 'x', beforeBuild: (w) => (world = w) });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.is(r.hostOps.failed, 0, 'reads and writes of lost blocks are served by reconstruction');
  const w = world!;
  for (const [array, drive] of [['p1', 1], ['parity', 0]] as const) {
    const onDrive = w.media.blocksOnDrive(array, drive);
    assert.is(onDrive.length, 64);
    for (let block = 0; block < 128; block++) {
      const lost = w.damage.intervals(array, block).filter((d) => d.kind === 'drive');
      assert.is(lost.length, onDrive.includes(block) ? 1 : 0, `${array}[${block}]`);
      for (const d of lost) assert.ok(d.end !== undefined, `${array}[${block}] rebuilt`);
    }
  }
  assert.ok((r.probes['lost-block-rebuilt'] ?? 0) > 0 && (r.probes['lost-block-rebuilt'] ?? 0) <= 64);
  assert.is(r.probes['parity-block-rebuilt'], 64, 'every Q block of the replaced parity drive rebuilt from the members');
  assert.ok((r.probes['degraded-write'] ?? 0) + (r.probes['media-error-repaired'] ?? 0) > 0, 'host I/O met the lost blocks before the rebuild');
});

test('literal: a lost drive is never rebuilt (caught)', async () => {
  const s = scenario({ protocol: 'literal', primaries: { count: 3, blocks: 128 }, disk: hdd, workload: { ...load, readFraction: 1 }, faults: { schedule: [failDrive('p1', 1, '50ms')] } });
  const r = await runScenario(s, { seed: 1, file: 'x' });
  assert.is(r.verdict, 'liveness');
  assert.match(r.violations[0]!.message, /damaged block\(s\) not repaired after the settle bound, first p1\[\d+\] \(drive\)/);
});

test('fault budget: a second drive holding the same blocks fails only under "unlimited"; then the doubly lost blocks are reported, honestly', async () => {
  const schedule = [failDrive('p1', 0, '50ms', '300ms'), failDrive('p2', 0, '100ms', '300ms')];
  const recoverable = await runScenario(scenario({ primaries: { count: 3, blocks: 128 }, disk: hdd, workload: load, faults: { schedule } }), { seed: 1, file: 'x' });
  assert.is(recoverable.verdict, 'pass', recoverable.violations[0]?.message);
  assert.equal(recoverable.faults, { injected: 1, suppressed: 1 });
  assert.is(recoverable.checks.lossReports, 0);
  const unlimited = await runScenario(scenario({ primaries: { count: 3, blocks: 128 }, disk: hdd, workload: load, faults: { budget: 'unlimited', schedule } }), { seed: 1, file: 'x' });
  assert.is(unlimited.verdict, 'pass', unlimited.violations[0]?.message);
  assert.equal(unlimited.faults, { injected: 2, suppressed: 0 });
  assert.ok(unlimited.checks.lossReports > 0);
});

test('random drive failures: a Poisson process over every drive, each replaced, within the budget', async () => {
  const s = scenario({
    primaries: { count: 3, blocks: 128 },
    disk: hdd,
    workload: load,
    faults: { random: { driveFailures: { afr: '1.5%/year', acceleration: 1e9, replaceAfter: '100ms' } } },
  });
  const r = await runScenario(s, { seed: 2, file: 'x' });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.ok(r.faults.injected + r.faults.suppressed >= 3, JSON.stringify(r.faults));
});

test('scenario checks: drive faults need HDD arrays and an existing drive', () => {
  const base = { name: 'd', primaries: { count: 2, blocks: 16 }, workload: { duration: '1s' } };
  const problem = (json: unknown) => {
    const r = parseScenarioValue('d.json', json);
    return r.ok ? 'ok' : `${r.problems[0]!.path}: ${r.problems[0]!.message}`;
  };
  assert.is(problem({ ...base, faults: { schedule: [{ at: '1ms', do: 'fail-drive', array: 'p1', drive: 0 }] } }), 'faults.schedule[0].do: "fail-drive" needs disk.model "hdd"');
  assert.is(
    problem({ ...base, disk: { model: 'hdd', drives: 4 }, faults: { schedule: [{ at: '1ms', do: 'replace-drive', array: 'p1', drive: 4 }] } }),
    'faults.schedule[0].drive: drive 4 does not exist: the arrays have 4 drives (0 … 3)',
  );
  assert.is(problem({ ...base, faults: { random: { driveFailures: { afr: '1%/year' } } } }), 'faults.random.driveFailures: drive failures need disk.model "hdd"');
  assert.is(problem({ ...base, disk: { model: 'hdd' }, faults: { schedule: [{ at: '1ms', do: 'fail-drive', array: 'p1', drive: 3, replaceAfter: '5ms' }] } }), 'ok');
});

test.run();
