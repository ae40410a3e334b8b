// The disk array: striping over HDDs, drive loss (exactly the drive's blocks),
// controller crash/restart and power failure, misdirected I/O, and the faults
// passed down to the drives. Fixed seeds; statistical bounds are ±3.29σ (a
// correct model fails one in a thousand seeds). DISK_TEST_VERBOSE=1 prints figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskArray, type DiskArrayOptions } from '../sim/disk/disk-array.js';
import { Engine } from '../sim/engine/engine.js';
import { SECOND } from '../sim/engine/time.js';

const verbose = process.env['DISK_TEST_VERBOSE'] !== undefined;
const note = (line: string): void => void (verbose && console.log(`  ${line}`));

const BYTES = 8;
const pattern = (block: number, version = 0): Uint8Array => Uint8Array.from({ length: BYTES }, (_, i) => (block * 7 + version * 31 + i) & 0xff);

function setup(seed: number, options: Partial<DiskArrayOptions> = {}) {
  const engine = new Engine(seed);
  const array = new DiskArray(engine, { name: 'A', blockCount: 203, blockBytes: BYTES, driveCount: 4, ...options });
  const written: number[] = [];
  array.observe({ written: (b) => written.push(b) });
  return { engine, array, written, rng: engine.random.stream('test/workload') };
}

/** Runs `script` inside the engine until quiescent; fails the test if it threw. */
async function run(engine: Engine, script: () => Promise<void>): Promise<void> {
  engine.watch(script(), 'script');
  await engine.run();
  if (engine.crash !== undefined) throw engine.crash.error;
}

async function writeAll(array: DiskArray, version = 0): Promise<void> {
  const rs = await Promise.all(Array.from({ length: array.blockCount }, (_, b) => array.write(b, pattern(b, version))));
  assert.ok(rs.every((r) => r.ok));
}

const at = (engine: Engine, delayUs: number, fn: () => void): void => void engine.after(delayUs, engine.trace.kind('test.fault'), fn);

test('striping: locate and logicalOf are inverse; stripe units of u blocks go round-robin', () => {
  for (const u of [1, 3]) {
    const { array } = setup(1, { stripeUnitBlocks: u, blockCount: 1001 });
    const perDrive = [0, 0, 0, 0];
    for (let b = 0; b < 1001; b++) {
      const { drive, local } = array.locate(b);
      assert.is(drive, Math.floor(b / u) % 4);
      assert.is(array.logicalOf(drive, local), b);
      assert.ok(local < array.drives[drive]!.blockCount);
      perDrive[drive]!++;
    }
    assert.ok(Math.max(...perDrive) - Math.min(...perDrive) <= u);
  }
});

test('drive failure loses exactly the blocks striped on that drive, and no others', async () => {
  const { engine, array } = setup(2, { stripeUnitBlocks: 2 });
  const expected = Array.from({ length: 203 }, (_, b) => b).filter((b) => Math.floor(b / 2) % 4 === 2);
  await run(engine, async () => {
    await writeAll(array);
    array.failDrive(2);
    assert.equal(array.lostBlocks(), expected);
    for (let b = 0; b < 203; b++) {
      const r = await array.read(b);
      if (expected.includes(b)) assert.equal(r, { ok: false, error: 'device-failed' }, `block ${b}`);
      else assert.equal(r, { ok: true, data: pattern(b) }, `block ${b}`);
    }
    assert.equal(await array.write(expected[0]!, pattern(0, 1)), { ok: false, error: 'device-failed' });
  });
  assert.equal(array.store.writtenBlocks(), Array.from({ length: 203 }, (_, b) => b).filter((b) => !expected.includes(b)));
  assert.ok(array.drives[2]!.failed && !array.drives[1]!.failed);
});

test('drive failure: requests queued at that drive answer device-failed; other drives carry on', async () => {
  const { engine, array } = setup(3);
  const results: (string | boolean)[] = [];
  await run(engine, async () => {
    at(engine, 1000, () => array.failDrive(1));
    const rs = await Promise.all([1, 5, 9, 0, 2].map((b) => array.read(b)));
    for (const r of rs) results.push(r.ok || r.error);
  });
  assert.equal(results, ['device-failed', 'device-failed', 'device-failed', true, true]);
  assert.is(array.inFlight, 0);
});

test('a replacement drive: its blocks stay lost (device-failed) until each is rewritten', async () => {
  const { engine, array } = setup(4, { blockCount: 40 });
  await run(engine, async () => {
    await writeAll(array);
    array.failDrive(3);
    array.replaceDrive(3);
    const lost = array.lostBlocks();
    assert.equal(lost, [3, 7, 11, 15, 19, 23, 27, 31, 35, 39]);
    assert.equal(await array.read(7), { ok: false, error: 'device-failed' });
    for (const b of lost.slice(0, 5)) assert.ok((await array.write(b, pattern(b, 2))).ok);
    assert.equal(array.lostBlocks(), lost.slice(5));
    assert.equal(await array.read(7), { ok: true, data: pattern(7, 2) });
    for (const b of lost.slice(5)) assert.ok((await array.write(b, pattern(b, 2))).ok);
    assert.equal(array.lostBlocks(), []);
    assert.equal(await array.read(39), { ok: true, data: pattern(39, 2) });
  });
});

test('a lost block rewritten with the write cache on: a destage landing before the acknowledgement is heard again once it counts rewritten', async () => {
  // A cache answer slower than any destage: every write lands first (seed 574 of the unlimited budget: 17 µs against 50).
  const { engine, array } = setup(5, { blockCount: 40, writeCache: true, hdd: { cacheLatencyUs: 100_000 } });
  const heard: [number, boolean][] = [];
  array.observe({ written: (b) => heard.push([b, array.isLost(b)]) });
  await run(engine, async () => {
    array.failDrive(3);
    array.replaceDrive(3);
    heard.length = 0;
    assert.ok((await array.write(7, pattern(7, 2))).ok);
    assert.ok((await array.write(6, pattern(6, 2))).ok); // not lost: heard once, at its landing
  });
  assert.equal(heard, [[7, true], [7, false], [6, false]], 'landed while lost, then heard again at the acknowledgement');
  assert.equal(array.lostBlocks().includes(7), false);
});

test('latent sector error through the array: media-error until rewritten', async () => {
  const { engine, array } = setup(5);
  await run(engine, async () => {
    await array.write(17, pattern(17));
    array.addLatentError(17);
    assert.equal(await array.read(17), { ok: false, error: 'media-error' });
    assert.equal(await array.read(18), { ok: true, data: pattern(0, 0).fill(0) });
    await array.write(17, pattern(17, 1));
    assert.equal(await array.read(17), { ok: true, data: pattern(17, 1) });
  });
});

test('silent corruption through the array: ok:true with wrong bytes; the store shows it; a rewrite clears it', async () => {
  const { engine, array } = setup(6);
  await run(engine, async () => {
    await array.write(40, pattern(40));
    array.corrupt(40);
    const r = await array.read(40);
    assert.ok(r.ok);
    if (r.ok) assert.not.equal(r.data, pattern(40));
    assert.not.equal(array.store.get(40), pattern(40));
    await array.write(40, pattern(40, 1));
    assert.equal(await array.read(40), { ok: true, data: pattern(40, 1) });
  });
});

test('misdirected write lands on the other block (acknowledged); misdirected read returns the other block', async () => {
  const { engine, array, written } = setup(7);
  await run(engine, async () => {
    await writeAll(array);
    written.length = 0;
    array.misdirectNextWrite(5, 9);
    assert.equal(await array.write(5, pattern(5, 1)), { ok: true });
    assert.equal(array.store.get(5), pattern(5), 'the intended block is untouched');
    assert.equal(array.store.get(9), pattern(5, 1), 'the other block was overwritten');
    assert.equal(written, [9]);
    array.misdirectNextRead(1, 2);
    assert.equal(await array.read(1), { ok: true, data: pattern(2) });
    assert.equal(await array.read(1), { ok: true, data: pattern(1) }, 'only the next read');
  });
});

test('misdirected reads at probability 0.1: the rate of wrong answers within ±3.29σ', async () => {
  const { engine, array, rng } = setup(8, { misdirectedReadProbability: 0.1 });
  const n = 4000;
  let wrong = 0;
  await run(engine, async () => {
    await writeAll(array);
    const workers = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < n / 8; i++) {
        const b = rng.int(array.blockCount);
        const r = await array.read(b);
        if (r.ok && !equal(r.data, pattern(b))) wrong++;
      }
    });
    await Promise.all(workers);
  });
  note(`misdirected reads: ${wrong} of ${n} (expected ${0.1 * n})`);
  assert.ok(Math.abs(wrong / n - 0.1) < 3.29 * Math.sqrt((0.1 * 0.9) / n), `${wrong} wrong`);
});

test('controller crash: queued requests answer device-failed and never reach the media; requests fail until restart', async () => {
  const { engine, array } = setup(9, { driveCount: 2, blockCount: 64 });
  const blocks = [0, 1, 2, 3, 4, 5, 6, 7];
  const ok: number[] = [];
  const failed: number[] = [];
  let queuedAtCrash = 0;
  await run(engine, async () => {
    at(engine, 2000, () => {
      queuedAtCrash = array.drives.reduce((n, d) => n + Math.max(0, d.queueDepth - 1), 0);
      array.crash();
    });
    const rs = await Promise.all(blocks.map((b) => array.write(b, pattern(b, 1))));
    rs.forEach((r, i) => (r.ok ? ok : failed).push(blocks[i]!));
    assert.equal(await array.read(0), { ok: false, error: 'device-failed' });
    array.restart();
    for (const b of ok) assert.equal(await array.read(b), { ok: true, data: pattern(b, 1) });
  });
  note(`crash: ${ok.length} writes finished or in service, ${failed.length} queued and failed`);
  assert.ok(queuedAtCrash >= 2);
  assert.is(failed.length, queuedAtCrash, 'exactly the queued requests fail (the ones in service finish)');
  assert.equal(array.store.writtenBlocks(), ok, 'failed writes never reached the media');
});

test('controller crash with crashTearProbability 1: the write in service tears sector-wise', async () => {
  const { engine, array } = setup(10, { driveCount: 1, blockCount: 16, blockBytes: 32, modeledBlockBytes: 16384, crashTearProbability: 1 });
  const old = new Uint8Array(32).fill(0xee);
  const next = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  await run(engine, async () => {
    await array.write(3, old);
    at(engine, 500, () => array.crash());
    assert.equal(await array.write(3, next), { ok: false, error: 'device-failed' });
  });
  const torn = array.store.get(3);
  let fresh = 0;
  for (let s = 0; s < 4; s++) {
    const slice = torn.subarray(8 * s, 8 * s + 8);
    const isNew = slice.every((x, j) => x === next[8 * s + j]);
    assert.ok(isNew || slice.every((x) => x === 0xee), `sector ${s}`);
    if (isNew) fresh++;
  }
  assert.ok(fresh > 0 && fresh < 4, `${fresh} of 4 sectors new`);
});

test('power failure with the write cache on loses acknowledged, un-destaged writes; durability is reported at destage', async () => {
  // One drive: one destage in service at the power failure, the other five still in the cache.
  const { engine, array, written } = setup(11, { writeCache: true, blockCount: 400_000, driveCount: 1 });
  const blocks = [50_000, 100_000, 200_000, 300_000, 350_000, 399_999];
  let durableBefore = 0;
  await run(engine, async () => {
    const rs = await Promise.all(blocks.map((b) => array.write(b, pattern(b))));
    assert.ok(rs.every((r) => r.ok));
    assert.is(engine.now, 50, 'acknowledged from the cache');
    durableBefore = written.length;
    array.powerFail(); // a destage in service tears: with one sector per block, all or nothing
    array.restart();
    for (const b of blocks) assert.equal(await array.read(b), { ok: true, data: written.includes(b) ? pattern(b) : new Uint8Array(BYTES) }, `block ${b}`);
  });
  note(`write cache: ${durableBefore} of 6 writes destaged within 50 µs of their acknowledgement, ${written.length - durableBefore} landed by the power failure's tear`);
  assert.is(durableBefore, 0, 'a destage needs a seek and a rotation: none is done 50 µs after the write');
  assert.ok(written.length <= 1, 'at most the destage in service lands; the other acknowledged writes are lost');
  assert.equal(array.store.writtenBlocks(), [...written].sort((a, b) => a - b));
});

test('with the write cache on, writes reach the media later and survive a later power failure', async () => {
  const { engine, array, written } = setup(12, { writeCache: true });
  await run(engine, async () => {
    await Promise.all([10, 11, 12, 13].map((b) => array.write(b, pattern(b))));
  });
  assert.equal([...written].sort((a, b) => a - b), [10, 11, 12, 13]);
  array.powerFail();
  array.restart();
  for (const b of [10, 11, 12, 13]) assert.equal(array.store.get(b), pattern(b));
});

test('with the write cache off, an acknowledged write survives power failure', async () => {
  const { engine, array, written } = setup(13);
  await run(engine, async () => {
    assert.ok((await array.write(21, pattern(21))).ok);
    assert.equal(written, [21]);
    array.powerFail();
    assert.equal(await array.read(21), { ok: false, error: 'device-failed' }, 'down until restart');
    array.restart();
    assert.equal(await array.read(21), { ok: true, data: pattern(21) });
  });
});

test('whole-array fail and replace (SimDevice): media gone, device-failed, then a new empty array', async () => {
  const { engine, array } = setup(14);
  await run(engine, async () => {
    await writeAll(array);
    array.fail();
    assert.ok(array.failed);
    assert.is(array.store.writtenCount, 0);
    assert.equal(await array.read(3), { ok: false, error: 'device-failed' });
    array.replace();
    assert.equal(await array.read(3), { ok: true, data: new Uint8Array(BYTES) });
    assert.equal(array.lostBlocks(), []);
  });
});

test('arrays of different sizes; random reads spread evenly over the drives; 4 drives at depth 16 beat 3× one drive at depth 1', async () => {
  const engine = new Engine(15);
  const small = new DiskArray(engine, { name: 'S', blockCount: 100, blockBytes: BYTES, driveCount: 2 });
  const big = new DiskArray(engine, { name: 'B', blockCount: 1_000_000, blockBytes: BYTES, driveCount: 4 });
  assert.is(small.blockCount, 100);
  assert.equal(await small.read(100), { ok: false, error: 'out-of-range' });
  const rng = engine.random.stream('test/workload');
  let done = 0;
  for (let w = 0; w < 16; w++) {
    engine.watch(
      (async () => {
        for (;;) {
          await big.read(rng.int(big.blockCount));
          done++;
        }
      })(),
      'worker',
    );
  }
  await engine.run({ until: 30 * SECOND });
  const iops = done / 30;
  const one = 1e6 / big.drives[0]!.expectedRandomServiceUs('read');
  const reads = big.driveStats().map((s) => s.reads);
  note(`4-drive array, depth 16: ${iops.toFixed(1)} IOPS (one drive at depth 1: ${one.toFixed(1)}); per drive ${reads.join(', ')}`);
  assert.ok(iops > 3 * one, `${iops} IOPS`);
  const mean = done / 4;
  for (const r of reads) assert.ok(Math.abs(r - mean) < 3.29 * Math.sqrt(mean * 0.75) + 16, `per-drive reads ${reads.join(', ')}`);
});

test('determinism: same seed, same trace hash', async () => {
  const hash = async (seed: number) => {
    const { engine, array, rng } = setup(seed, { writeCache: true, queuePolicy: 'sstf', misdirectedWriteProbability: 0.05 });
    await run(engine, async () => {
      at(engine, 30_000, () => array.failDrive(1));
      at(engine, 60_000, () => array.replaceDrive(1));
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let i = 0; i < 100; i++) {
            const b = rng.int(array.blockCount);
            if (rng.chance(0.5)) await array.read(b);
            else await array.write(b, pattern(b, i));
          }
        }),
      );
    });
    return engine.trace.hash;
  };
  assert.is(await hash(31), await hash(31));
  assert.is.not(await hash(31), await hash(32));
});

test('options are checked at construction', () => {
  const e = new Engine(1);
  const base = { name: 'X', blockCount: 10, blockBytes: 8, driveCount: 2 };
  assert.throws(() => new DiskArray(e, { ...base, driveCount: 0 }), /driveCount/);
  assert.throws(() => new DiskArray(e, { ...base, stripeUnitBlocks: 1.5 }), /stripeUnitBlocks/);
  assert.throws(() => new DiskArray(e, { ...base, misdirectedWriteProbability: 2 }), /misdirectedWriteProbability/);
  assert.throws(() => new DiskArray(e, { ...base, hdd: { rpm: 0 } }), /rpm/);
  const a = new DiskArray(e, base);
  assert.throws(() => a.failDrive(2), /no drive/);
  assert.throws(() => a.misdirectNextWrite(1, 10), /outside/);
});

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

test.run();
