// Worker-thread entry for the pool. Built (dist/, scripts/build.mjs), the jobs
// are JavaScript and a worker starts without a compiler. Run from the
// TypeScript sources (the tests; a tree edited since its build), a module
// loader registered on the main thread does not reach worker threads, so each
// worker registers tsx's itself — only then, and only once.
import { existsSync } from 'node:fs';

let tsx;
const withTsx = () => (tsx ??= import('tsx/esm/api').then(({ register }) => void register()));
const built = existsSync(new URL('./job.js', import.meta.url));
if (!built) await withTsx();
const { runJob } = await import(built ? './job.js' : './job.ts');

export default async function run(job) {
  if (job.module.endsWith('.ts')) await withTsx();
  return runJob(job);
}
