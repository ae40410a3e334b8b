// Worker threads against processes: does `explore --workers W` do the work of W
// independent processes? Each round runs the same seeds twice, in turns: one
// `xorsim explore FILE --quick --seeds S --workers W` process (the pool), then W
// processes started together, each `--workers 1 --shard i/W` (the yardstick).
// Throughput is wall time here — what a user waits — so the two are taken in
// turns and the median of the rounds' ratios is kept: a neighbour's load moves
// both alike. CPU per seed (the kernel's account of the children) shows what
// the threads cost beyond the processes, whatever else the machine runs.
// Determinism re-checks are off in both (`--recheck 0`): they re-run seeds on
// fresh threads, work the processes would not do. Every process gets the
// young generation a worker thread gets (WORKER_YOUNG_GENERATION_MB), which
// alone makes runs 4–10 % cheaper (sim/parallel/pool.ts).
import { spawn } from 'node:child_process';
import { WORKER_YOUNG_GENERATION_MB } from '../../sim/parallel/pool.js';
import { wallNowMs } from '../../sim/wall-clock.js';
import { shippedFile } from '../io.js';
import { childrenCpuMs } from './children-cpu.js';

export interface WorkersFigure {
  readonly workers: number;
  readonly seeds: number;
  readonly rounds: number;
  /** Median wall time of the pool, and of the W processes together (ms). */
  readonly poolWallMs: number;
  readonly processesWallMs: number;
  /** Median of the rounds' processes ÷ pool wall times: 1 = the threads do what the processes do; the target is ≥ 0.9 at 2. */
  readonly ratio: number;
  /** CPU per seed, median over rounds (ms; undefined off Linux). */
  readonly poolCpuMsPerSeed: number | undefined;
  readonly processesCpuMsPerSeed: number | undefined;
}

/** A line of Node's process warnings on stderr. */
const NODE_WARNING = /^\(node:\d+\) |^\(Use `node --trace-warnings/;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs `xorsim explore` with `args`; resolves when it exits (0 expected: every seed passes). */
function explore(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // The nursery a worker thread gets (pool.ts), so that a process running its seeds in its own thread is its like.
    const nursery = `--max-semi-space-size=${WORKER_YOUNG_GENERATION_MB / 3}`;
    const child = spawn(process.execPath, [nursery, shippedFile('bin/xorsim.mjs'), 'explore', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', reject);
    // 'close', not 'exit': only then has all of stderr been read. Node's own warnings (e.g. NO_COLOR
    // beside FORCE_COLOR in the environment) may follow the message, so they are passed over.
    const said = () => stderr.trim().split('\n').filter((line) => !NODE_WARNING.test(line)).at(-1);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`explore ${args.join(' ')} exited ${code}: ${said()}`))));
  });
}

/** Wall and children's CPU time of `work` (ms). */
async function timed(work: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number | undefined }> {
  const cpu0 = childrenCpuMs();
  const wall0 = wallNowMs();
  await work();
  const wallMs = wallNowMs() - wall0;
  const cpu1 = childrenCpuMs();
  return { wallMs, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

export interface WorkersBench {
  readonly file: string;
  readonly seeds: number;
  readonly rounds: number;
  /** Median wall time of the seeds on one worker (this process's thread), ms. */
  readonly oneWorkerWallMs: number;
  /** Its CPU per seed (ms; undefined off Linux): against the others', what running side by side costs on this machine. */
  readonly oneWorkerCpuMsPerSeed: number | undefined;
  readonly figures: readonly WorkersFigure[];
}

/** `rounds` rounds, each: the seeds on 1 worker, then for each W of `counts` the pool and the W processes, in turns. */
export async function benchWorkers(file: string, counts: readonly number[], seeds: number, rounds: number): Promise<WorkersBench> {
  const common = [file, '--quick', '--seeds', String(seeds), '--recheck', '0'];
  const one: { wallMs: number; cpuMs: number | undefined }[] = [];
  const pool = counts.map(() => [] as { wallMs: number; cpuMs: number | undefined }[]);
  const processes = counts.map(() => [] as { wallMs: number; cpuMs: number | undefined }[]);
  for (let round = 0; round < rounds; round++) {
    one.push(await timed(() => explore([...common, '--workers', '1'])));
    for (const [k, w] of counts.entries()) {
      pool[k]!.push(await timed(() => explore([...common, '--workers', String(w)])));
      processes[k]!.push(await timed(() => Promise.all(Array.from({ length: w }, (_, i) => explore([...common, '--workers', '1', '--shard', `${i}/${w}`])))));
    }
  }
  const perSeed = (runs: readonly { cpuMs: number | undefined }[]) => (runs.some((r) => r.cpuMs === undefined) ? undefined : median(runs.map((r) => r.cpuMs! / seeds)));
  const figures = counts.map((workers, k) => ({
    workers,
    seeds,
    rounds,
    poolWallMs: median(pool[k]!.map((r) => r.wallMs)),
    processesWallMs: median(processes[k]!.map((r) => r.wallMs)),
    ratio: median(pool[k]!.map((p, i) => processes[k]![i]!.wallMs / p.wallMs)),
    poolCpuMsPerSeed: perSeed(pool[k]!),
    processesCpuMsPerSeed: perSeed(processes[k]!),
  }));
  return { file, seeds, rounds, oneWorkerWallMs: median(one.map((r) => r.wallMs)), oneWorkerCpuMsPerSeed: perSeed(one), figures };
}
