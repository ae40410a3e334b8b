// The HDD model: timing against its own parameters and queueing theory, the
// queue policies, and every fault it injects. Statistical tests use fixed
// seeds and state their tolerance in the name; HDD_TEST_VERBOSE=1 prints the
// measured and predicted figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hdd, type HddOptions } from '../sim/disk/hdd.js';
import { DEFAULT_HDD_PARAMS, HddMechanics, hazardPerUs, resolveHddParams } from '../sim/disk/hdd-params.js';
import { Engine } from '../sim/engine/engine.js';
import { SECOND, YEAR } from '../sim/engine/time.js';

const verbose = process.env['HDD_TEST_VERBOSE'] !== undefined;
const note = (line: string): void => void (verbose && console.log(`  ${line}`));
const ms = (us: number): string => `${(us / 1000).toFixed(3)} ms`;

function setup(seed: number, options: Partial<HddOptions> = {}) {
  const engine = new Engine(seed);
  const hdd = new Hdd(engine, { name: 'hdd', blockBytes: 16, ...options });
  return { engine, hdd, rng: engine.random.stream('test/workload') };
}

const fill = (n: number, byte: number): Uint8Array => new Uint8Array(n).fill(byte);

/** Runs `script` inside the engine until quiescent; fails the test if it threw. */
async function run(engine: Engine, script: () => Promise<void>): Promise<void> {
  engine.watch(script(), 'script');
  await engine.run();
  if (engine.crash !== undefined) throw engine.crash.error;
}

test('seek curve: 0 for no move, single-track time for 1 cylinder, monotone to the full stroke', () => {
  const m = new HddMechanics(DEFAULT_HDD_PARAMS);
  for (const write of [false, true]) {
    assert.is(m.seekUs(0, write), 0);
    assert.ok(Math.abs(m.seekUs(1, write) - DEFAULT_HDD_PARAMS.trackToTrackUs) < 1e-9);
    let last = 0;
    for (let d = 1; d < m.cylinders; d += d < 1000 ? 1 : 997) {
      const s = m.seekUs(d, write);
      assert.ok(s >= last, `seek(${d}) = ${s} < ${last}`);
      last = s;
    }
    assert.ok(m.fullStrokeUs(write) >= last);
  }
  note(`cylinders ${m.cylinders}; full stroke read ${ms(m.fullStrokeUs(false))} write ${ms(m.fullStrokeUs(true))}; seek(100) ${ms(m.seekUs(100, false))}`);
});

test('seek curve: mean over 400k random block pairs within 2 % of the datasheet average (read 7.4 ms, write 8.2 ms)', () => {
  const { hdd, rng } = setup(1);
  const n = 400_000;
  let read = 0;
  let write = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(hdd.cylinderOf(rng.int(hdd.blockCount)) - hdd.cylinderOf(rng.int(hdd.blockCount)));
    read += hdd.seekUs(d, 'read');
    write += hdd.seekUs(d, 'write');
  }
  note(`mean seek read ${ms(read / n)} (datasheet 7.4 ms), write ${ms(write / n)} (8.2 ms)`);
  assert.ok(Math.abs(read / n / DEFAULT_HDD_PARAMS.avgSeekReadUs - 1) < 0.02, `read ${read / n}`);
  assert.ok(Math.abs(write / n / DEFAULT_HDD_PARAMS.avgSeekWriteUs - 1) < 0.02, `write ${write / n}`);
});

test('zoned layout: block 0 transfers at the outer rate, the last block near the inner rate', () => {
  const m = new HddMechanics(DEFAULT_HDD_PARAMS);
  assert.ok(Math.abs(m.transferUs(m.radial(0), 285e6) - 1e6) < 1e-6);
  assert.ok(Math.abs(m.transferUs(m.radial(1 - 1e-12), 142.5e6) - 1e6) < 1);
  assert.ok(m.radial(0.5) < 0.5, 'outer cylinders hold more than their share of the capacity');
});

test('random reads at queue depth 1: mean service within 5 % of avg seek + half a revolution + transfer (20k requests)', async () => {
  const { engine, hdd, rng } = setup(2);
  const n = 20_000;
  await run(engine, async () => {
    for (let i = 0; i < n; i++) assert.ok((await hdd.read(rng.int(hdd.blockCount))).ok);
  });
  const predicted = hdd.expectedRandomServiceUs('read');
  note(`mean service ${ms(hdd.stats.service.mean)}, end to end ${ms(engine.now / n)}, predicted ${ms(predicted)} (${(1e6 / predicted).toFixed(1)} IOPS)`);
  assert.is(hdd.stats.service.count, n);
  assert.ok(Math.abs(hdd.stats.service.mean / predicted - 1) < 0.05, `service ${hdd.stats.service.mean} vs ${predicted}`);
  assert.ok(Math.abs(engine.now / n / predicted - 1) < 0.05, `end to end ${engine.now / n} vs ${predicted}`);
  assert.ok(hdd.stats.wait.mean < 1, 'no queueing at depth 1 (answers come up to 1 µs early)');
});

async function poisson(seed: number, rho: number, n: number) {
  const { engine, hdd, rng } = setup(seed);
  const meanGap = hdd.expectedRandomServiceUs('read') / rho;
  const kArrive = engine.trace.kind('test.arrive');
  let sent = 0;
  let lastArrival = 0;
  const arrive = (): void => {
    lastArrival = engine.now;
    void hdd.read(rng.int(hdd.blockCount));
    if (++sent < n) engine.after(Math.round(rng.exponential(meanGap)), kArrive, arrive);
  };
  engine.after(Math.round(rng.exponential(meanGap)), kArrive, arrive);
  await engine.run();
  const s = hdd.stats.service;
  assert.is(s.count, n);
  const lambda = n / lastArrival;
  const measuredRho = lambda * s.mean;
  const pk = (lambda * s.secondMoment) / (2 * (1 - measuredRho));
  note(`ρ ${rho}: measured ρ ${measuredRho.toFixed(3)}, E[S] ${ms(s.mean)}, CV² ${(s.variance / s.mean ** 2).toFixed(3)}, W ${ms(hdd.stats.wait.mean)} vs P-K ${ms(pk)} (${((hdd.stats.wait.mean / pk - 1) * 100).toFixed(1)} %)`);
  return { wait: hdd.stats.wait.mean, pk };
}

test('FIFO under Poisson arrivals, ρ = 0.5: mean wait within 10 % of Pollaczek–Khinchine (200k requests)', async () => {
  const { wait, pk } = await poisson(3, 0.5, 200_000);
  assert.ok(Math.abs(wait / pk - 1) < 0.1, `W ${wait} vs P-K ${pk}`);
});

test('FIFO under Poisson arrivals, ρ = 0.8: mean wait within 10 % of Pollaczek–Khinchine (300k requests)', async () => {
  const { wait, pk } = await poisson(4, 0.8, 300_000);
  assert.ok(Math.abs(wait / pk - 1) < 0.1, `W ${wait} vs P-K ${pk}`);
});

async function closedLoopIops(policy: HddOptions['queuePolicy'], depth: number, durationUs: number): Promise<number> {
  const { engine, hdd, rng } = setup(5, { queuePolicy: policy });
  let done = 0;
  for (let w = 0; w < depth; w++) {
    engine.watch(
      (async () => {
        for (;;) {
          await hdd.read(rng.int(hdd.blockCount));
          done++;
        }
      })(),
      'worker',
    );
  }
  await engine.run({ until: durationUs });
  return done / (durationUs / SECOND);
}

test('queue depth 16: sstf and sptf each give over 1.2× the random-read throughput of fifo', async () => {
  const fifo = await closedLoopIops('fifo', 16, 60 * SECOND);
  const sstf = await closedLoopIops('sstf', 16, 60 * SECOND);
  const sptf = await closedLoopIops('sptf', 16, 60 * SECOND);
  note(`IOPS at depth 16: fifo ${fifo.toFixed(1)}, sstf ${sstf.toFixed(1)}, sptf ${sptf.toFixed(1)} (a 7200 rpm drive: ~170 read IOPS at depth 16)`);
  assert.ok(sstf > 1.2 * fifo, `sstf ${sstf} vs fifo ${fifo}`);
  assert.ok(sptf > 1.2 * fifo, `sptf ${sptf} vs fifo ${fifo}`);
});

test('consecutive blocks stream at the media rate: after the first, each read costs its transfer time (±10 %)', async () => {
  const { engine, hdd } = setup(6);
  const n = 30_000; // crosses two cylinder boundaries (~11.6k blocks per outer cylinder)
  let firstDone = 0;
  await run(engine, async () => {
    for (let b = 0; b < n; b++) {
      assert.ok((await hdd.read(b)).ok);
      if (b === 0) firstDone = engine.now;
    }
  });
  const perBlock = (engine.now - firstDone) / (n - 1);
  const transfer = hdd.mechanics.transferUs(0, 4096);
  note(`sequential: ${perBlock.toFixed(3)} µs per block after the first (outer transfer ${transfer.toFixed(3)} µs); cylinders crossed ${hdd.cylinderOf(n - 1)}`);
  assert.ok(hdd.cylinderOf(n - 1) >= 2);
  assert.ok(Math.abs(perBlock / transfer - 1) < 0.1, `${perBlock} µs per block`);
});

test('latent sector error: the read answers media-error until the block is rewritten', async () => {
  const { engine, hdd } = setup(7);
  await run(engine, async () => {
    await hdd.write(9, fill(16, 1));
    hdd.addLatentError(9);
    assert.equal(await hdd.read(9), { ok: false, error: 'media-error' });
    assert.equal(await hdd.read(9), { ok: false, error: 'media-error' });
    assert.ok((await hdd.read(10)).ok);
    assert.ok((await hdd.write(9, fill(16, 2))).ok);
    assert.equal(await hdd.read(9), { ok: true, data: fill(16, 2) });
  });
  assert.is(hdd.latentErrors, 0);
});

test('unrecoverable bit errors: reads fail at the configured rate and leave a latent error (±3.29σ)', async () => {
  const ber = 1e-6;
  const { engine, hdd, rng } = setup(8, { unrecoverableBitErrorRate: ber, modeledBlockBytes: 4096 });
  const n = 4000;
  let errors = 0;
  await run(engine, async () => {
    for (let i = 0; i < n; i++) if (!(await hdd.read(rng.int(hdd.blockCount))).ok) errors++;
  });
  const p = -Math.expm1(4096 * 8 * Math.log1p(-ber));
  note(`URE: ${errors} of ${n} reads, expected ${(p * n).toFixed(1)}`);
  assert.ok(Math.abs(errors / n - p) < 3.29 * Math.sqrt((p * (1 - p)) / n), `${errors} errors`);
  assert.is(hdd.latentErrors, errors);
});

test('silent corruption: the read succeeds with wrong bytes until the block is rewritten', async () => {
  const { engine, hdd } = setup(9);
  await run(engine, async () => {
    await hdd.write(3, fill(16, 7));
    hdd.corrupt(3);
    const r = await hdd.read(3);
    assert.ok(r.ok);
    if (r.ok) assert.not.equal(r.data, fill(16, 7));
    await hdd.write(3, fill(16, 8));
    assert.equal(await hdd.read(3), { ok: true, data: fill(16, 8) });
  });
});

test('torn write: power failure mid-write leaves a sector-wise mix of old and new, never other bytes; queued writes are lost', async () => {
  // 32 KiB blocks of 8 sectors, 64-byte payloads: sector i covers payload bytes [8i, 8i+8).
  const seen = new Set<number>();
  for (let seed = 0; seed < 20; seed++) {
    const { engine, hdd } = setup(100 + seed, { modeledBlockBytes: 32768, blockBytes: 64 });
    const old = fill(64, 0xaa);
    const next = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
    const results: string[] = [];
    await run(engine, async () => {
      await hdd.write(5, old);
      await hdd.write(6, old);
      // Block 5 sits just before 6 on the same track: its write waits most of a revolution, so it is in service at 1 ms.
      engine.after(1000, engine.trace.kind('test.power'), () => hdd.powerFail());
      const [a, b] = await Promise.all([hdd.write(5, next), hdd.write(6, next)]);
      results.push(a.ok ? 'ok' : a.error, b.ok ? 'ok' : b.error);
    });
    assert.equal(results, ['device-failed', 'device-failed']);
    assert.equal(hdd.peek(6), old, 'the queued write never reached the media');
    const torn = hdd.peek(5);
    let newSectors = 0;
    for (let s = 0; s < 8; s++) {
      const slice = torn.subarray(8 * s, 8 * s + 8);
      const isOld = slice.every((x) => x === 0xaa);
      const isNew = slice.every((x, j) => x === next[8 * s + j]);
      assert.ok(isOld || isNew, `sector ${s} is neither old nor new`);
      if (isNew) newSectors++;
    }
    assert.ok(newSectors > 0 && newSectors < 8, `${newSectors} new sectors: not torn`);
    seen.add(newSectors);
  }
  note(`torn writes landed ${[...seen].sort().join(', ')} of 8 sectors`);
  assert.ok(seen.size >= 3, 'the tear point varies');
});

test('write cache on: writes are acknowledged after the cache delay; power failure loses the un-destaged ones', async () => {
  const { engine, hdd } = setup(10, { writeCache: true });
  const acks: number[] = [];
  await run(engine, async () => {
    const writes = [1, 2, 3, 4].map((b) => hdd.write(b * 1_000_000, fill(16, b)).then((r) => (assert.ok(r.ok), acks.push(engine.now))));
    await Promise.all(writes);
    assert.is(hdd.dirtyBlocks, 4);
    hdd.powerFail();
    for (const b of [1, 2, 3, 4]) assert.equal(await hdd.read(b * 1_000_000), { ok: true, data: fill(16, 0) });
  });
  assert.equal(acks, [50, 50, 50, 50]);
  assert.is(hdd.dirtyBlocks, 0);
});

test('write cache on: destaged writes survive power failure and are reported durable; reads hit the cache', async () => {
  const { engine, hdd } = setup(11, { writeCache: true });
  const durable: number[] = [];
  hdd.onDurable = (b) => durable.push(b);
  await run(engine, async () => {
    await hdd.write(42, fill(16, 9));
    assert.equal(await hdd.read(42), { ok: true, data: fill(16, 9) });
    assert.is(hdd.stats.cacheHits, 1);
  });
  assert.equal(durable, [42]);
  hdd.powerFail();
  assert.equal(hdd.peek(42), fill(16, 9));
});

test('write cache off: an acknowledged write survives power failure', async () => {
  const { engine, hdd } = setup(12);
  await run(engine, async () => {
    assert.ok((await hdd.write(77, fill(16, 5))).ok);
    hdd.powerFail();
    assert.equal(await hdd.read(77), { ok: true, data: fill(16, 5) });
  });
});

test('fail-stop: queued, in-service and later requests answer device-failed; replace gives an empty drive', async () => {
  const { engine, hdd } = setup(13);
  const results: string[] = [];
  await run(engine, async () => {
    await hdd.write(1, fill(16, 1));
    const kFail = engine.trace.kind('test.fail');
    engine.after(100, kFail, () => hdd.fail());
    const rs = await Promise.all([hdd.read(1), hdd.read(2), hdd.write(3, fill(16, 3))]);
    for (const r of rs) results.push(r.ok ? 'ok' : r.error);
    const later = await hdd.read(1);
    results.push(later.ok ? 'ok' : later.error);
    hdd.replace();
    assert.equal(await hdd.read(1), { ok: true, data: fill(16, 0) });
  });
  assert.equal(results, ['device-failed', 'device-failed', 'device-failed', 'device-failed']);
  assert.is(hdd.inFlight, 0);
});

test('determinism: the same seed gives the same trace; another seed differs', async () => {
  const hash = async (seed: number) => {
    const { engine, hdd, rng } = setup(seed, { queuePolicy: 'sptf', writeCache: true });
    for (let w = 0; w < 4; w++) {
      engine.watch(
        (async () => {
          for (let i = 0; i < 200; i++) {
            const b = rng.int(hdd.blockCount);
            if (rng.chance(0.5)) await hdd.read(b);
            else await hdd.write(b, fill(16, i & 0xff));
          }
        })(),
        'w',
      );
    }
    await engine.run();
    return engine.trace.hash;
  };
  assert.is(await hash(21), await hash(21));
  assert.is.not(await hash(21), await hash(22));
});

test('options are checked at construction', () => {
  const e = new Engine(1);
  assert.throws(() => new Hdd(e, { name: 'x', blockBytes: 0 }), RangeError);
  assert.throws(() => new Hdd(e, { name: 'x', blockBytes: 8, queuePolicy: 'lifo' as 'fifo' }), /queuePolicy/);
  assert.throws(() => new Hdd(e, { name: 'x', blockBytes: 8, params: { rpm: -1 } }), /rpm/);
  assert.throws(() => new Hdd(e, { name: 'x', blockBytes: 8, params: { innerRateBytesPerSec: 300e6 } }), /inner/);
  assert.throws(() => new Hdd(e, { name: 'x', blockBytes: 8, blockCount: 1e10 }), /capacity/);
  assert.throws(() => new Hdd(e, { name: 'x', blockBytes: 8, unrecoverableBitErrorRate: 2 }), /unrecoverable/);
  assert.throws(() => resolveHddParams({ avgSeekReadUs: 100 }), /average seeks/);
});

test('hazard helper: AFR 1.5 %/year and LSEs on 3.45 % of disks in 32 months as Poisson rates', () => {
  const afr = hazardPerUs(DEFAULT_HDD_PARAMS.annualFailureRate, YEAR);
  assert.ok(Math.abs(1 - Math.exp(-afr * YEAR) - 0.015) < 1e-12);
  const lse = hazardPerUs(DEFAULT_HDD_PARAMS.latentErrorDiskFraction, DEFAULT_HDD_PARAMS.latentErrorWindowUs);
  assert.ok(lse > 0 && lse * YEAR < 0.02);
});

test.run();
