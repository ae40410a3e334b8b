// The bench's measuring parts (xorsim bench; README, Performance): each engine
// path runs the events asked for and is deterministic; seeds per CPU-hour runs
// the scenario as the CI gate does (--quick) and counts its CPU.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { benchEngine } from '../sim/bench/engine-bench.js';
import { benchSeedRate } from '../sim/bench/stack-bench.js';
import { loadScenarioFile } from '../cli/scenario-file.js';
import { simulate } from '../cli/bench/real-latency.js';
import { benchWorkers } from '../cli/bench/workers-scaling.js';
import { xorsimHere } from './in-process-cli.js';

for (const path of ['typed', 'closure', 'far'] as const) {
  test(`engine bench, ${path} path: the events asked for, the same trace every time`, async () => {
    const a = await benchEngine(100, 20_000, path);
    const b = await benchEngine(100, 20_000, path);
    assert.is(a.events, 20_000);
    assert.is(a.path, path);
    assert.ok(a.eventsPerSec > 0 && a.cpuMs >= 0);
    assert.is(a.traceHash, b.traceHash);
  });
}

test('the engine paths schedule differently (their traces differ)', async () => {
  const hashes = await Promise.all((['typed', 'closure', 'far'] as const).map(async (p) => (await benchEngine(100, 5_000, p)).traceHash));
  assert.is(new Set(hashes).size, 3);
});

test('seeds per CPU-hour: timed seeds of the scenario at --quick', async () => {
  const file = 'scenarios/quickstart.json';
  const r = await benchSeedRate(loadScenarioFile(file), file, 1);
  assert.is(r.scenario, 'quickstart');
  assert.is(r.seeds, 1);
  assert.ok(r.cpuMs > 0 && Number.isFinite(r.seedsPerCpuHour) && r.seedsPerCpuHour > 0);
});

test('workers against processes: the same seeds on a pool of 2 threads and on 2 processes (a shard each), timed', async () => {
  const r = await benchWorkers('scenarios/quickstart.json', [2], 2, 1);
  assert.is(r.figures.length, 1);
  const f = r.figures[0]!;
  assert.is(f.workers, 2);
  assert.ok(r.oneWorkerWallMs > 0 && f.poolWallMs > 0 && f.processesWallMs > 0);
  assert.ok(Math.abs(f.ratio - f.processesWallMs / f.poolWallMs) < 1e-9, 'one round: its own ratio');
  if (process.platform === 'linux') assert.ok(f.poolCpuMsPerSeed! > 0 && f.processesCpuMsPerSeed! > 0);
});

test('workers against processes: an explore that fails fails the bench, with its last line', async () => {
  try {
    await benchWorkers('scenarios/no-such-scenario.json', [2], 2, 1);
    assert.unreachable('it should have failed');
  } catch (error) {
    assert.match(String(error), /explore scenarios\/no-such-scenario\.json .* exited 2: .*no-such-scenario/, String(error));
  }
});

// bench --real calibrates the simulator on this path (cli/bench/real-latency.ts, README): if the
// controllers' write path changes, this says the explanation must change with it.
test('bench --real: the simulated host write is 4 disk operations, 2 journal appends and 2 messages in turn; a read, one disk read', async () => {
  const write = await simulate(1000, 100, 10, 0);
  const read = await simulate(1000, 100, 10, 1);
  assert.ok(Math.abs(write.p50Us - (4 * 1000 + 2 * 100 + 2 * 10)) <= 10, `write p50 ${write.p50Us} µs`);
  assert.is(read.p50Us, 1000);
});

test('bench --real without fio on PATH: one line saying so, exit 2', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const r = await xorsimHere('bench', '--real');
    assert.is(r.code, 2);
    assert.match(r.stderr, /bench --real: needs fio on PATH/);
  } finally {
    process.env.PATH = path;
  }
});

test.run();
