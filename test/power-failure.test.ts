// Power failure: at the device (exactly the writes in service tear, exactly
// the un-flushed cached ones are lost, the ideal disk never tears), and end to
// end (hardened recovers parity exactly; literal, with no journal, is caught —
// by the power failure, as a run without it shows).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskArray } from '../sim/disk/disk-array.js';
import { IdealDisk } from '../sim/disk/ideal-disk.js';
import { Engine } from '../sim/engine/engine.js';
import { MS } from '../sim/engine/time.js';
import { FaultInjector } from '../sim/faults/fault-injector.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { World } from '../sim/world/world.js';
import { scenario } from './helpers.js';

/** Runs `script` inside the engine until quiescent; fails the test if it threw. */
async function run(engine: Engine, script: () => Promise<void>): Promise<void> {
  engine.watch(script(), 'script');
  await engine.run();
  if (engine.crash !== undefined) throw engine.crash.error;
}

const SECTORS = 8;
const PAYLOAD = 64; // 8 payload bytes per modelled 4 KiB sector
const fresh = (block: number) => Uint8Array.from({ length: PAYLOAD }, (_, i) => ((block * 13 + i) % 255) + 1); // never a zero byte

/** Per sector of `data`: did the new contents land (true) or do the old zeros remain (false)? */
function sectors(data: Uint8Array, block: number): boolean[] {
  const want = fresh(block);
  return Array.from({ length: SECTORS }, (_, s) => {
    const got = data.subarray(s * 8, s * 8 + 8);
    if (got.every((x, j) => x === want[s * 8 + j])) return true;
    assert.ok(got.every((x) => x === 0), `block ${block} sector ${s} is neither old nor new`);
    return false;
  });
}

test('HDD array, write cache on: power failure tears exactly the destage in service on each drive, loses exactly the cached blocks not yet destaged, and keeps what a flush covered', async () => {
  for (const seed of [1, 2, 3]) {
    const engine = new Engine(seed);
    const array = new DiskArray(engine, { name: 'A', blockCount: 400, blockBytes: PAYLOAD, modeledBlockBytes: SECTORS * 4096, driveCount: 4, writeCache: true });
    const durableAt = new Map<number, number>();
    array.observe({ written: (b) => durableAt.set(b, engine.now) });
    const flushed = Array.from({ length: 20 }, (_, i) => i * 3); // written, then flushed
    const cached = Array.from({ length: 80 }, (_, i) => 200 + i); // written after the flush
    let powerAt = 0;
    let loss = { torn: 0, cachedLost: 0 };
    await run(engine, async () => {
      for (const r of await Promise.all(flushed.map((b) => array.write(b, fresh(b))))) assert.ok(r.ok);
      assert.equal(await array.flush(), { ok: true });
      for (const b of flushed) assert.ok(durableAt.has(b), `flush returned before block ${b} reached the media`);
      for (const r of await Promise.all(cached.map((b) => array.write(b, fresh(b))))) assert.ok(r.ok, 'acknowledged from the cache');
      await engine.sleep(40_000, engine.trace.kind('test.wait')); // a few destages done, most still cached
      const pending = array.flush();
      powerAt = engine.now;
      loss = array.powerFail();
      assert.equal(await pending, { ok: false, error: 'device-failed' }, 'a flush still waiting fails with the power');
    });
    for (const b of flushed) assert.equal(sectors(array.store.get(b), b), Array(SECTORS).fill(true), `flushed block ${b}`);
    const torn: number[] = [];
    let lost = 0;
    for (const b of cached) {
      const s = sectors(array.store.get(b), b);
      const landed = s.filter(Boolean).length;
      if (landed === SECTORS) assert.ok(durableAt.get(b)! < powerAt, `block ${b} whole on the media but destaged at ${durableAt.get(b)}`);
      else if (landed === 0) lost++;
      else {
        torn.push(b);
        assert.equal(s, [...Array(landed).fill(true), ...Array(SECTORS - landed).fill(false)], `torn block ${b}: a prefix of its sectors landed`);
        assert.is(durableAt.get(b), powerAt, 'a torn write is reported at the moment power failed');
      }
    }
    // Every drive had destages queued, so each was writing one when power failed.
    assert.is(torn.length, 4, `seed ${seed}: torn ${torn}`);
    assert.equal(new Set(torn.map((b) => array.locate(b).drive)).size, 4, 'one torn write per drive');
    assert.is(loss.torn, torn.length);
    assert.is(loss.cachedLost, lost + torn.length, 'the cache held exactly the lost and the torn blocks');
    assert.ok(lost > 0 && lost + torn.length < cached.length, `seed ${seed}: ${lost} lost of ${cached.length}`);
  }
});

test('HDD array, write cache off: an acknowledged write survives power failure whole; only the one in service tears', async () => {
  const engine = new Engine(4);
  const array = new DiskArray(engine, { name: 'A', blockCount: 100, blockBytes: PAYLOAD, modeledBlockBytes: SECTORS * 4096, driveCount: 1 });
  const results: boolean[] = [];
  let loss = { torn: 0, cachedLost: 0 };
  await run(engine, async () => {
    const writes = Array.from({ length: 10 }, (_, b) => array.write(b, fresh(b)).then((r) => void (results[b] = r.ok)));
    await engine.sleep(30_000, engine.trace.kind('test.wait'));
    loss = array.powerFail();
    await Promise.all(writes);
  });
  assert.is(loss.torn, 1);
  assert.is(loss.cachedLost, 0);
  for (let b = 0; b < 10; b++) {
    const landed = sectors(array.store.get(b), b).filter(Boolean).length;
    if (results[b]) assert.is(landed, SECTORS, `acknowledged block ${b}`);
    else assert.ok(landed < SECTORS, `failed block ${b} is not whole`);
  }
  assert.ok(results.some(Boolean) && !results.every(Boolean));
});

test('ideal disk: each write in flight at power failure lands whole or not at all (even odds, within ±3.29σ); requests fail until restart', async () => {
  const engine = new Engine(5);
  const disk = new IdealDisk(engine, { name: 'I', blockCount: 2000, blockBytes: 8, latencyUs: 100 });
  const n = 2000;
  const answers: string[] = [];
  await run(engine, async () => {
    const writes = Array.from({ length: n }, (_, b) => disk.write(b, new Uint8Array(8).fill(7)).then((r) => void answers.push(r.ok ? 'ok' : r.error)));
    await engine.sleep(50, engine.trace.kind('test.wait'));
    disk.powerFail();
    assert.equal(await disk.read(0), { ok: false, error: 'device-failed' });
    assert.equal(await disk.flush(), { ok: false, error: 'device-failed' });
    await Promise.all(writes);
    disk.restart();
    assert.equal(await disk.flush(), { ok: true });
  });
  assert.equal(new Set(answers), new Set(['device-failed']), 'no write in flight is acknowledged');
  let landed = 0;
  for (let b = 0; b < n; b++) {
    const d = disk.store.get(b);
    assert.ok(d.every((x) => x === 7) || d.every((x) => x === 0), `block ${b} torn`);
    if (d[0] === 7) landed++;
  }
  const sd = Math.sqrt(n * 0.25);
  assert.ok(Math.abs(landed - n / 2) <= 3.29 * sd, `${landed} of ${n} landed`);
});

test('power-failure scenario: hardened recovers parity exactly after every power failure, redoing torn and lost writes (2 seeds)', async () => {
  const { parseScenarioText } = await import('../sim/scenario/load.js');
  const { readFileSync } = await import('node:fs');
  const loaded = parseScenarioText('power-failure', readFileSync(new URL('../scenarios/power-failure.json', import.meta.url), 'utf8'));
  assert.ok(loaded.ok);
  if (!loaded.ok) return;
  for (const seed of [1, 2]) {
    const r = await runScenario(loaded.scenario, { seed, file: 'scenarios/power-failure.json' });
    assert.is(r.verdict, 'pass', r.violations[0]?.message);
    assert.is(r.faults.injected, 4);
    for (const probe of ['torn-write', 'cached-writes-lost', 'primary-journal-redo', 'parity-journal-redo']) assert.ok((r.probes[probe] ?? 0) > 0, `seed ${seed}: ${probe} never happened`);
  }
});

// One primary, one host stream: literal has no concurrent deltas to lose
// (H4, H5), so only the power failure can break it.
const quiet = (protocol: 'literal' | 'hardened', powerFail: boolean) =>
  scenario({
    protocol,
    blockSize: '64KiB',
    primaries: { count: 1, blocks: 512 },
    disk: { model: 'hdd', drives: 2, writeCache: true },
    workload: { duration: '1s', iodepth: 1, thinkTime: '2ms', readFraction: 0.2 },
    faults: { schedule: powerFail ? [{ at: '300ms', do: 'power-fail', restoreAfter: '20ms' }, { at: '700ms', do: 'power-fail', arrays: ['p1'] }] : [] },
    settle: '20s',
  });

test('literal is caught by power failure alone: the same run without it passes (write cache on, 2 seeds)', async () => {
  for (const seed of [1, 2]) {
    const control = await runScenario(quiet('literal', false), { seed, file: 'quiet' });
    assert.is(control.verdict, 'pass', `control: ${control.violations[0]?.message}`);
    const r = await runScenario(quiet('literal', true), { seed, file: 'quiet' });
    assert.is(r.verdict, 'correctness', `seed ${seed}`);
    assert.ok((r.probes['torn-write'] ?? 0) + (r.probes['cached-writes-lost'] ?? 0) > 0);
  }
});

test('hardened passes the same single-primary power failures', async () => {
  const r = await runScenario(quiet('hardened', true), { seed: 1, file: 'quiet' });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
});

test('overlapping power failures: an array stays off until its last outage ends, then its controller restarts once', async () => {
  const s = scenario({
    primaries: { count: 2, blocks: 64 },
    prefill: 0,
    workload: { duration: '1s' },
    faults: {
      schedule: [
        { at: '100ms', do: 'power-fail', arrays: ['p1'], restoreAfter: '200ms' },
        { at: '150ms', do: 'power-fail', restoreAfter: '20ms' },
      ],
    },
  });
  const engine = new Engine(6);
  const world = new World(engine, s);
  new FaultInjector(engine, world).start(0, 1000 * MS);
  const seen: string[] = [];
  const probe = engine.trace.kind('test.probe');
  for (const t of [99, 101, 160, 180, 299, 301]) {
    engine.at(t * MS, probe, () => seen.push(`${t}ms ${['p1', 'p2', 'parity'].map((n) => `${n}:${world.node(n).incarnation.number}${world.node(n).incarnation.alive ? '' : ' dead'}${world.node(n).device.down ? ' off' : ''}`).join(' ')}`));
  }
  await engine.run({ until: 1000 * MS });
  assert.equal(seen, [
    '99ms p1:1 p2:1 parity:1',
    '101ms p1:1 dead off p2:1 parity:1',
    '160ms p1:1 dead off p2:1 dead off parity:1 dead off',
    '180ms p1:1 dead off p2:2 parity:2',
    '299ms p1:1 dead off p2:2 parity:2',
    '301ms p1:2 p2:2 parity:2',
  ]);
});

test('a write torn over a latent error leaves the error, and the damage log keeps the block damaged (seed 621)', async () => {
  // Only a torn write's first sectors land (hdd-media.ts); a latent error stays where the rest did
  // not. The landing of that part once closed the block's latent damage: p1's later loss of it, with
  // parity's Q[k] unreadable too, was judged dishonest, and the fault budget let Q[k] be damaged.
  const s = scenario({ primaries: { count: 2, blocks: 16 }, blockSize: 65536, payloadBytes: 8, prefill: 0, disk: { model: 'hdd', drives: 1 }, workload: { duration: '1ms' } });
  const engine = new Engine(7);
  const world = new World(engine, s);
  const device = world.node('p1').device as DiskArray;
  await run(engine, async () => {
    await engine.sleep(2000 * MS, engine.trace.kind('test.wait'));
    world.media.addLatentError('p1', 5);
    const write = device.write(5, fresh(5).subarray(0, device.blockBytes));
    await engine.sleep(1 * MS, engine.trace.kind('test.wait'));
    world.power.fail(['p1']);
    assert.is((await write).ok, false);
  });
  assert.is(device.drives[0]!.stats.torn, 1, 'the write tore');
  assert.ok(device.hasLatentError(5), 'the torn write left the latent error');
  assert.ok(world.damage.openAt('p1', 5, ['latent']), 'the block is still damaged');
});

test.run();
