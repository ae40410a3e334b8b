// The rate-driven latent-error process (faults.random.latentErrors): burst
// counts against the Poisson process they come from, error counts against the
// compound (geometric) Poisson sum, spread over the drives, and the clustering
// in space and time; every error lands on its drive and in the honesty
// checker's evidence. Bounds are ±3.29σ (a correct model fails one seed in a
// thousand; several drives at once: a χ² test); the seeds are fixed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Engine } from '../sim/engine/engine.js';
import { SECOND } from '../sim/engine/time.js';
import { type LatentBurst, startLatentErrors } from '../sim/faults/random/latent-errors.js';
import { World } from '../sim/world/world.js';
import { scenario } from './helpers.js';

const DRIVES = 4;
const PRIMARIES = 3;
const latent = { rate: '2/s', burstSize: 4, burstSpan: 16, burstWithin: '50ms' };

async function simulate(seed: number, windowUs: number) {
  const s = scenario({
    blockSize: '64KiB',
    primaries: { count: PRIMARIES, blocks: 4096 },
    prefill: 0,
    disk: { model: 'hdd', drives: DRIVES },
    faults: { random: { latentErrors: latent } },
  });
  const engine = new Engine(seed);
  const world = new World(engine, s);
  const bursts: (LatentBurst & { at: number })[] = [];
  startLatentErrors(engine, world, s.faults.random.latentErrors!, windowUs, (b) => bursts.push({ ...b, at: engine.now }));
  await engine.run({ until: windowUs + SECOND });
  return { world, bursts, errors: world.probes.snapshot()['latent-error'] ?? 0 };
}

const within = (x: number, mean: number, sd: number) => Math.abs(x - mean) <= 3.29 * sd;

test('counts over 500 s on 12 drives: bursts Poisson(λT), errors compound Poisson with geometric bursts of mean 4, bursts even over the drives', async () => {
  const T = 500 * SECOND;
  const { bursts, errors } = await simulate(1, T);
  const lambdaT = 2 * PRIMARIES * DRIVES * 500; // 12 000 bursts expected
  assert.ok(within(bursts.length, lambdaT, Math.sqrt(lambdaT)), `${bursts.length} bursts, expected ${lambdaT}`);
  const sizes = bursts.reduce((n, b) => n + b.blocks.length, 0);
  const m = latent.burstSize;
  // Compound Poisson: mean λT·E[N], variance λT·E[N²] with E[N²] = 2m² − m for a geometric on 1, 2, …
  assert.ok(within(sizes, lambdaT * m, Math.sqrt(lambdaT * (2 * m * m - m))), `${sizes} errors, expected ${lambdaT * m}`);
  const meanSize = sizes / bursts.length;
  assert.ok(within(meanSize, m, Math.sqrt((m * (m - 1)) / bursts.length)), `mean burst ${meanSize}`);
  // Errors of the last bursts that would fall after the window are dropped.
  assert.ok(errors <= sizes && errors >= sizes - bursts.filter((b) => b.at > T - 50_000).reduce((n, b) => n + b.blocks.length, 0), `${errors} injected of ${sizes}`);
  const perDrive = new Map<string, number>();
  for (const b of bursts) perDrive.set(`${b.array}/${b.drive}`, (perDrive.get(`${b.array}/${b.drive}`) ?? 0) + 1);
  assert.is(perDrive.size, PRIMARIES * DRIVES, 'bursts strike every drive of every primary, and nothing else');
  // Pearson's χ² over the 12 drives against uniform: below the 99.9 % quantile of χ²(11), 31.26.
  const expected = bursts.length / (PRIMARIES * DRIVES);
  const chi2 = [...perDrive.values()].reduce((x, n) => x + (n - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 31.26, `χ² = ${chi2.toFixed(2)} over ${[...perDrive].map(([d, n]) => `${d}:${n}`).join(' ')}`);
});

test('clustered in space and time: a burst stays on one drive within burstSpan blocks of its first error and within burstWithin of its start; each error is on the drive and in the honesty evidence', async () => {
  const T = 20 * SECOND;
  const { world, bursts } = await simulate(2, T);
  assert.ok(bursts.length > 300);
  // A block struck again by a later burst carries that burst's time as evidence.
  const last = new Map<string, LatentBurst>();
  for (const b of bursts) for (const block of b.blocks) last.set(`${b.array}/${block}`, b);
  let spread = 0;
  for (const b of bursts) {
    const array = world.media.diskArray(b.array);
    const first = array.locate(b.blocks[0]!);
    for (const block of b.blocks) {
      const at = array.locate(block);
      assert.is(at.drive, b.drive);
      assert.ok(Math.abs(at.local - first.local) <= latent.burstSpan, `burst at ${b.at}: block ${block} is ${at.local - first.local} blocks from its first`);
      spread = Math.max(spread, Math.abs(at.local - first.local));
      if (b.at > T - 50_000 || last.get(`${b.array}/${block}`) !== b) continue; // its tail may fall after the window, or a later burst struck
      const when = world.damage.intervals(b.array, block).at(-1)?.start;
      assert.ok(when !== undefined && when >= b.at && when <= b.at + 50_000, `block ${block} of ${b.array}: marked at ${when}, burst at ${b.at}`);
      assert.ok(array.drives[at.drive]!.hasLatentError(at.local), `block ${block} of ${b.array} is readable`);
    }
  }
  assert.is(spread, latent.burstSpan, 'errors reach the edge of the span');
  // Errors come in company as often as the geometric burst size says: 1 − 1/burstSize of bursts have more than one.
  const multi = bursts.filter((b) => b.blocks.length > 1).length / bursts.length;
  assert.ok(within(multi, 1 - 1 / latent.burstSize, Math.sqrt(0.75 * 0.25 / bursts.length)), `${multi} of bursts have more than one error`);
});

test('a seed replays the same errors; another seed draws others', async () => {
  const T = 5 * SECOND;
  const key = (r: Awaited<ReturnType<typeof simulate>>) => JSON.stringify(r.bursts);
  const a = key(await simulate(3, T));
  assert.is(key(await simulate(3, T)), a);
  assert.is.not(key(await simulate(4, T)), a);
});

test.run();
