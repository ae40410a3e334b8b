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

/** Every core of this machine. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export async function runJobs<T>(jobs: readonly Job[], options: PoolOptions): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  const mayStart = () => options.startWhile?.() ?? true;
  const done = (i: number, r: unknown) => {
    results[i] = r as T;
    options.onResult?.(i, r);
  };
  let started = 0;
  if (jobs.length === 0) return results;
  if (!options.freshThreads && (options.workers <= 1 || jobs.length <= 1)) {
    for (const [i, job] of jobs.entries()) {
      if (!mayStart()) break;
      started++;
      done(i, await runJob(job));
    }
    results.length = started;
    return results;
  }
  const threads = Math.max(1, Math.min(options.workers, jobs.length));
  const pool = new Piscina({ filename: new URL('./worker-entry.mjs', import.meta.url).href, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
  try {
    // Jobs are handed over a few at a time, not all at once, so that `startWhile`
    // is asked close to the moment each one would start.
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let failed = false;
      const pump = () => {
        while (!failed && running < 2 * threads && started < jobs.length && mayStart()) {
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
  } finally {
    await pool.destroy();
  }
  results.length = started;
  return results;
}
