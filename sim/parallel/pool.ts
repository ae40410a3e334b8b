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
}

/** Every core of this machine. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export async function runJobs<T>(jobs: readonly Job[], options: PoolOptions): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  const done = (i: number, r: unknown) => {
    results[i] = r as T;
    options.onResult?.(i, r);
  };
  if (options.workers <= 1 || jobs.length <= 1) {
    for (const [i, job] of jobs.entries()) done(i, await runJob(job));
    return results;
  }
  const threads = Math.min(options.workers, jobs.length);
  const pool = new Piscina({ filename: new URL('./worker-entry.mjs', import.meta.url).href, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
  try {
    await Promise.all(jobs.map((job, i) => pool.run(job).then((r: unknown) => done(i, r))));
  } finally {
    await pool.destroy();
  }
  return results;
}
