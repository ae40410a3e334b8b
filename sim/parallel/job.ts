// A unit of work a pool can run anywhere: a named export of a module, called
// with a structured-clonable input. Naming the function by module path keeps
// the pool free of imports of its users (reports → sim, never back).
export interface Job {
  /** Absolute file URL of the module (e.g. `new URL('./x.ts', import.meta.url).href`). */
  readonly module: string;
  /** The exported async function to call. */
  readonly fn: string;
  readonly input: unknown;
}

/** Runs one job in this thread. */
export async function runJob(job: Job): Promise<unknown> {
  const mod = (await import(job.module)) as Record<string, unknown>;
  const fn = mod[job.fn];
  if (typeof fn !== 'function') throw new TypeError(`${job.module} has no exported function ${job.fn}`);
  return (fn as (input: unknown) => unknown)(job.input);
}
