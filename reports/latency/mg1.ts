// Theory check: one simulated drive (sim/disk/hdd.ts, datasheet defaults,
// FIFO queue) under Poisson arrivals of random 4 KiB reads, against the
// Pollaczek–Khinchine mean wait of an M/G/1 queue, W = λ·E[S²] / (2·(1 − ρ)),
// computed with the model's own service-time moments (as test/hdd.test.ts).
// The simulated mean wait comes with a batch-means standard error.
import { Hdd } from '../../sim/disk/hdd.js';
import { Engine } from '../../sim/engine/engine.js';
import type { Job } from '../../sim/parallel/job.js';
import { batchMeans } from '../stats/confidence.js';

export interface Mg1Input {
  readonly rho: number;
  readonly requests: number;
  readonly seed: number;
}

export interface Mg1Result {
  readonly rho: number;
  readonly seed: number;
  readonly requests: number;
  /** Measured: arrivals ÷ time of the last arrival. */
  readonly lambdaPerSec: number;
  readonly meanServiceUs: number;
  readonly serviceCv2: number;
  readonly measuredRho: number;
  readonly waitUs: number;
  readonly waitStandardErrorUs: number;
  readonly pkWaitUs: number;
  readonly events: number;
}

export const MG1_BATCHES = 20;

export function mg1Job(input: Mg1Input): Job {
  return { module: import.meta.url, fn: 'mg1Point', input };
}

export async function mg1Point(input: Mg1Input): Promise<Mg1Result> {
  const { rho, requests: n, seed } = input;
  const engine = new Engine(seed);
  const hdd = new Hdd(engine, { name: 'mg1', blockBytes: 16, modeledBlockBytes: 4096, queuePolicy: 'fifo' });
  const rng = engine.random.stream('report/mg1/arrivals');
  const meanGap = hdd.expectedRandomServiceUs('read') / rho;
  const kArrive = engine.trace.kind('report.arrive');
  // Per-batch wait sums, from the drive's running wait statistics at batch boundaries.
  const batch = Math.floor(n / MG1_BATCHES);
  const batchWait: number[] = [];
  let lastSum = 0;
  let sent = 0;
  let lastArrival = 0;
  const completed = (): void => {
    const w = hdd.stats.wait;
    if (w.count % batch !== 0 || batchWait.length === MG1_BATCHES) return;
    const sum = w.count * w.mean;
    batchWait.push((sum - lastSum) / batch);
    lastSum = sum;
  };
  const arrive = (): void => {
    lastArrival = engine.now;
    void hdd.read(rng.int(hdd.blockCount)).then(completed);
    if (++sent < n) engine.after(Math.round(rng.exponential(meanGap)), kArrive, arrive);
  };
  engine.after(Math.round(rng.exponential(meanGap)), kArrive, arrive);
  await engine.run();
  const s = hdd.stats.service;
  const lambda = n / lastArrival;
  const measuredRho = lambda * s.mean;
  const { mean, standardError } = batchMeans(batchWait, MG1_BATCHES);
  return {
    rho,
    seed,
    requests: n,
    lambdaPerSec: lambda * 1e6,
    meanServiceUs: s.mean,
    serviceCv2: s.variance / s.mean ** 2,
    measuredRho,
    waitUs: mean,
    waitStandardErrorUs: standardError,
    pkWaitUs: (lambda * s.secondMoment) / (2 * (1 - measuredRho)),
    events: engine.events,
  };
}
