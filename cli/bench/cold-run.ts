// A cold run: `xorsim run FILE --seed N --json` in a fresh Node process, as a
// user or a CI job starts one — process start, module loading (tsx compiling
// the sources when no dist/ is built) and the JIT's warm-up all included. Its
// CPU time is read from the kernel's account of waited-for children
// (/proc/self/stat cutime + cstime), so other load on the machine does not
// inflate it; Linux only (elsewhere the figure is left out).
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { shippedFile } from '../io.js';
import { childrenCpuMs } from './children-cpu.js';

export interface ColdRun {
  readonly scenario: string;
  readonly cpuMs: number;
  readonly events: number;
  readonly simTimeUs: number;
  readonly eventsPerCpuSec: number;
  readonly simPerCpu: number;
  /** Did the process run the compiled dist/ (as after `npm ci`), or the sources through tsx (dist/ older than them)? */
  readonly compiled: boolean;
}

/** One cold run of `file` at `seed`; undefined where children's CPU time cannot be read. */
export async function coldRun(file: string, seed: number): Promise<ColdRun | undefined> {
  const { isFresh } = (await import(pathToFileURL(shippedFile('scripts/build.mjs')).href)) as { isFresh: () => boolean };
  const before = childrenCpuMs();
  if (before === undefined) return undefined;
  const child = spawnSync(process.execPath, [shippedFile('bin/xorsim.mjs'), 'run', file, '--seed', String(seed), '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const cpuMs = childrenCpuMs()! - before;
  if (child.status !== 0 && child.status !== 1) throw new Error(`cold run of ${file} exited ${child.status}: ${child.stderr.trim().split('\n')[0]}`);
  const r = JSON.parse(child.stdout) as { scenario: string; events: number; simTimeUs: number };
  return { scenario: r.scenario, cpuMs, events: r.events, simTimeUs: r.simTimeUs, eventsPerCpuSec: r.events / (cpuMs / 1000), simPerCpu: r.simTimeUs / 1000 / cpuMs, compiled: isFresh() };
}
