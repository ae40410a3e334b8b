// Monte Carlo of data loss in one parity group, on the simulator's engine
// (virtual time, seeded streams: deterministic by seed).
//
// Model: G arrays (G − 1 primaries and the parity array) of D drives each.
// Striping is aligned (drive d of every array holds the same block numbers), so
// the D drive slots form independent groups of G drives: a failed drive is
// restored from the G − 1 drives of its slot, and data is lost when a second
// drive of the same slot fails before the restore is done, or when a restore
// meets an unrecoverable read error (URE) on one of the drives it reads.
// - Drive failures: exponential, rate λ = −ln(1 − AFR) per year, on every drive
//   at all times (a replacement that fails while being restored starts over).
// - A restore takes MTTR = drive capacity ÷ restore bandwidth and proceeds
//   linearly through the blocks; at a second failure, the part not yet restored
//   is lost on both drives (user data: the primaries' part of it).
// - UREs: each bit a restore reads fails with probability `uer`; a hit loses
//   one sector on the restoring drive and on the drive that could not read it.
// A trial runs from all drives healthy until the restores under way at its
// first loss have finished (no further failures are drawn after the first
// loss): its time to first loss is one observation of the MTTDL, and the
// bytes lost in that episode one renewal cycle's loss, so bytes per year =
// Σ bytes ÷ Σ cycle time (renewal–reward).
//
// Acceleration: exact time compression. Rates are multiplied and durations
// divided by `timeScale`, which only relabels the clock (the process is
// identical in distribution), so multi-millennium MTTDLs fit the µs clock
// (~285 years); results are scaled back. No rate is inflated and no event
// skipped: every drive failure and restore is simulated, about
// 1 ÷ ((G − 1)·λ·MTTR) of them per loss.
import { Engine } from '../../sim/engine/engine.js';
import { YEAR } from '../../sim/engine/time.js';
import type { Job } from '../../sim/parallel/job.js';

export interface GroupModel {
  /** Arrays in the group: the primaries and the parity array (the formula's N). */
  readonly arrays: number;
  readonly drivesPerArray: number;
  readonly driveBytes: number;
  /** Bytes per second a restore writes (MTTR = driveBytes ÷ this). */
  readonly restoreBytesPerSec: number;
  readonly annualFailureRate: number;
  /** Unrecoverable read errors per bit read during restores (0: off). */
  readonly uer: number;
  readonly sectorBytes: number;
}

export interface MonteCarloInput {
  readonly model: GroupModel;
  readonly trials: number;
  readonly seed: number;
  /** Names the PRNG streams (reliability/<stream>/trial/<i>), so configurations draw independently. */
  readonly stream: string;
  /** Virtual µs per real µs (> 1 compresses time). */
  readonly timeScale: number;
}

export interface MonteCarloResult {
  readonly trials: number;
  readonly seed: number;
  /** Σ over trials of the time to first loss, real years. */
  readonly sumFirstLossYears: number;
  /** Σ of the cycle lengths (to the end of the first loss's episode), real years. */
  readonly sumCycleYears: number;
  readonly bytesDoubleFailure: number;
  readonly bytesLatent: number;
  /** Trials whose first loss was a second drive failure (the rest: a URE). */
  readonly firstLossByDoubleFailure: number;
  readonly failures: number;
  readonly restores: number;
  readonly events: number;
}

export function monteCarloJob(input: MonteCarloInput): Job {
  return { module: import.meta.url, fn: 'runMonteCarlo', input };
}

export function mttrYears(m: GroupModel): number {
  return m.driveBytes / m.restoreBytesPerSec / (YEAR / 1e6);
}

export function failureRatePerYear(m: GroupModel): number {
  return -Math.log(1 - m.annualFailureRate);
}

/** MTTF²/(N·(N−1)·MTTR) for one drive slot (N = arrays, MTTF of a drive), ÷ D independent slots, in years. */
export function formulaMttdlYears(m: GroupModel): number {
  const mttf = 1 / failureRatePerYear(m);
  return (mttf * mttf) / (m.arrays * (m.arrays - 1) * mttrYears(m)) / m.drivesPerArray;
}

interface Restore {
  readonly array: number;
  readonly start: number;
  readonly end: number;
  readonly generation: number;
}

// Why over 70 lines: one trial loop whose event handlers (failure, restore end, latent error)
// share the trial's drive slots and counters.
export async function runMonteCarlo(input: MonteCarloInput): Promise<MonteCarloResult> {
  const { model: m, trials, seed, stream, timeScale } = input;
  const yearUs = YEAR / timeScale; // virtual µs per real year
  const mttrUs = Math.max(1, Math.round(mttrYears(m) * yearUs));
  const drives = m.arrays * m.drivesPerArray;
  const meanGapUs = yearUs / (failureRatePerYear(m) * drives); // all drives together
  const bitsPerRestore = m.driveBytes * 8;
  const parity = m.arrays - 1;
  const userBlocks = (a: number, b: number) => (a === parity ? 0 : 1) + (b === parity ? 0 : 1);
  const out = { sumFirstLoss: 0, sumCycle: 0, bytesDouble: 0, bytesLatent: 0, byDouble: 0, failures: 0, restores: 0, events: 0 };
  for (let t = 0; t < trials; t++) {
    const engine = new Engine(seed);
    const rng = engine.random.stream(`reliability/${stream}/trial/${t}`);
    const slots: Restore[][] = Array.from({ length: m.drivesPerArray }, () => []);
    let generation = 0;
    let firstLoss = -1;
    let firstByDouble = false;
    const loss = (bytes: number, double: boolean): void => {
      if (double) out.bytesDouble += bytes;
      else out.bytesLatent += bytes;
      if (firstLoss < 0) {
        firstLoss = engine.now;
        firstByDouble = double;
      }
    };
    const ended = engine.handler('reliability.restored', (key) => {
      const slot = slots[key % m.drivesPerArray]!;
      const i = slot.findIndex((r) => r.generation === Math.floor(key / m.drivesPerArray));
      if (i >= 0) slot.splice(i, 1);
      if (firstLoss >= 0 && slots.every((s) => s.length === 0)) engine.stop(); // the loss episode is over
    });
    const latent = engine.handler('reliability.ure', (key) => {
      const d = key % m.drivesPerArray;
      const rest = Math.floor(key / m.drivesPerArray);
      const gen = Math.floor(rest / m.arrays);
      const survivor = rest % m.arrays;
      const restore = slots[d]!.find((r) => r.generation === gen);
      if (restore !== undefined) loss(m.sectorBytes * userBlocks(restore.array, survivor), false);
    });
    const failure = engine.handler('reliability.failure', () => {
      out.failures++;
      const drive = rng.int(drives);
      const array = Math.floor(drive / m.drivesPerArray);
      const d = drive % m.drivesPerArray;
      const slot = slots[d]!;
      const now = engine.now;
      for (const other of slot) {
        if (other.array === array) continue;
        const unrestored = Math.max(0, (other.end - now) / mttrUs);
        loss(unrestored * m.driveBytes * userBlocks(array, other.array), true);
      }
      const mine = slot.findIndex((r) => r.array === array);
      if (mine >= 0) slot.splice(mine, 1); // its replacement failed: the restore starts over
      const gen = generation++;
      slot.push({ array, start: now, end: now + mttrUs, generation: gen });
      out.restores++;
      engine.post(mttrUs, ended, gen * m.drivesPerArray + d);
      if (m.uer > 0) {
        // Each surviving drive of the slot is read end to end: its UREs fall as a Poisson process over the restore.
        const hitsPerRestore = bitsPerRestore * m.uer;
        for (let a = 0; a < m.arrays; a++) {
          if (a === array || slot.some((r) => r.array === a)) continue;
          for (let x = rng.exponential(1 / hitsPerRestore); x < 1; x += rng.exponential(1 / hitsPerRestore)) {
            engine.post(Math.round(x * mttrUs), latent, (gen * m.arrays + a) * m.drivesPerArray + d);
          }
        }
      }
      if (firstLoss < 0) engine.post(Math.max(1, Math.round(rng.exponential(meanGapUs))), failure, 0);
    });
    engine.post(Math.max(1, Math.round(rng.exponential(meanGapUs))), failure, 0);
    await engine.run();
    if (firstLoss < 0) throw new Error(`reliability trial ${t}: the run ended without a loss (time scale too large?)`);
    out.sumFirstLoss += firstLoss / yearUs;
    out.sumCycle += engine.now / yearUs;
    if (firstByDouble) out.byDouble++;
    out.events += engine.events;
  }
  return {
    trials,
    seed,
    sumFirstLossYears: out.sumFirstLoss,
    sumCycleYears: out.sumCycle,
    bytesDoubleFailure: out.bytesDouble,
    bytesLatent: out.bytesLatent,
    firstLossByDoubleFailure: out.byDouble,
    failures: out.failures,
    restores: out.restores,
    events: out.events,
  };
}
