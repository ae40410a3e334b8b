// Runs jobs on worker threads (piscina), or in this thread for one worker.
//
// Each job is a whole simulation run, deterministic on its own: which thread
// runs it, and in what order jobs finish, cannot change its result. Results
// come back in job order whatever the completion order.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { type Job, runJob } from './job.js';

export interface PoolOptions {
  /** Worker threads; 1 runs every job in this thread, one after another. */
  readonly workers: number;
  /** Called as each job finishes (in completion order), e.g. for a progress bar. */
  readonly onResult?: (index: number, result: unknown) => void;
  /**
   * Asked before each job starts (jobs start in order); once it answers false,
   * no further job starts, and the results are those of the jobs that started
   * (a prefix of `jobs`). E.g. a wall-time budget.
   */
  readonly startWhile?: () => boolean;
  /** Run on fresh worker threads even for one worker: never in this thread. */
  readonly freshThreads?: boolean;
}

/**
 * Each worker thread's young generation: 192 MiB, i.e. semi-spaces of 64 MiB
 * (V8 sizes the young generation at three semi-spaces) where V8 would give
 * 16 MiB. A run allocates a few KiB per event, most of it dead within the
 * instant, and a larger nursery lets more of it die before a scavenge copies
 * it: an exploration of every shipped scenario at --quick took 4–10 % less
 * CPU (README, Performance), for about 100 MB more at peak per thread.
 * 32 MiB gained less, 128 MiB no more. Collection cannot change a result.
 */
export const WORKER_YOUNG_GENERATION_MB = 3 * 64;

/** Every core of this machine. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** What one batch of jobs reports as it runs (the pool's own settings are JobPool's). */
export type BatchOptions = Pick<PoolOptions, 'onResult' | 'startWhile'>;

/**
 * Worker threads kept for several batches of jobs (a steered exploration runs
 * one batch after another): each thread loads the simulator once, not once a
 * batch. One worker without fresh threads runs every job in this thread.
 */
export class JobPool {
  readonly #workers: number;
  readonly #freshThreads: boolean;
  #piscina: Piscina | undefined;

  constructor(options: Pick<PoolOptions, 'workers' | 'freshThreads'>) {
    this.#workers = Math.max(1, options.workers);
    this.#freshThreads = options.freshThreads ?? false;
  }

  /** Runs `jobs`; results in job order (a prefix of them, if `startWhile` said stop). */
  async run<T>(jobs: readonly Job[], options: BatchOptions = {}): Promise<T[]> {
    const results = new Array<T>(jobs.length);
    const mayStart = () => options.startWhile?.() ?? true;
    const done = (i: number, r: unknown) => {
      results[i] = r as T;
      options.onResult?.(i, r);
    };
    let started = 0;
    if (jobs.length === 0) return results;
    if (!this.#freshThreads && this.#workers <= 1) {
      for (const [i, job] of jobs.entries()) {
        if (!mayStart()) break;
        started++;
        done(i, await runJob(job));
      }
      results.length = started;
      return results;
    }
    const pool = (this.#piscina ??= new Piscina({ filename: new URL('./worker-entry.mjs', import.meta.url).href, minThreads: this.#workers, maxThreads: this.#workers, idleTimeout: 1000, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } }));
    // Jobs are handed over a few at a time, not all at once, so that `startWhile`
    // is asked close to the moment each one would start.
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let failed = false;
      const pump = () => {
        while (!failed && running < 2 * this.#workers && started < jobs.length && mayStart()) {
          const i = started++;
          running++;
          const fail = (error: unknown) => {
            failed = true;
            reject(error);
          };
          pool.run(jobs[i]).then((r: unknown) => {
            running--;
            done(i, r);
            pump();
          }).catch(fail);
        }
        if (running === 0) resolve();
      };
      pump();
    });
    results.length = started;
    return results;
  }

  /** Ends the worker threads (if any started). */
  async close(): Promise<void> {
    const pool = this.#piscina;
    this.#piscina = undefined;
    await pool?.destroy();
  }
}

/** Runs `jobs` on a pool of their own (threads no more than jobs; one job, or one worker, in this thread unless fresh threads are asked for). */
export async function runJobs<T>(jobs: readonly Job[], options: PoolOptions): Promise<T[]> {
  const inThread = !options.freshThreads && jobs.length <= 1;
  const pool = new JobPool({ workers: inThread ? 1 : Math.min(options.workers, jobs.length), freshThreads: options.freshThreads ?? false });
  try {
    return await pool.run<T>(jobs, options);
  } finally {
    await pool.close();
  }
}
