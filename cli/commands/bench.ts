// xorsim bench [--json] [--only …]: the tool's own speed. Every figure is CPU
// time (this process, or a child's as the kernel counts it), so a shared,
// noisy machine slows the wall clock but not the figures; a ratio is two
// timings taken in the same run. `--real` instead: what a host waits, in
// wall-clock time, on a real cluster (cli/bench/real-latency.ts). What each
// figure means: README, *Performance*.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import type { Argv } from 'yargs';
import { benchCrc } from '../../sim/bench/crc-bench.js';
import { type EnginePath, benchEngine } from '../../sim/bench/engine-bench.js';
import { benchPrefillMemory, benchWrittenMemory } from '../../sim/bench/memory-bench.js';
import { benchChurn } from '../../sim/bench/churn-bench.js';
import { benchSeedRate, benchStack } from '../../sim/bench/stack-bench.js';
import { type XorSetting, benchXor } from '../../sim/bench/xor-bench.js';
import { coldRun } from '../bench/cold-run.js';
import { benchWorkers } from '../bench/workers-scaling.js';
import { benchRealLatency, formatRealLatency } from '../bench/real-latency.js';
import { intOptionOr } from '../flags.js';
import { withHelp } from '../help.js';
import { scenarioFiles, shippedFile } from '../io.js';
import { loadScenarioFile } from '../scenario-file.js';
import { EXIT_CLEAN, UsageError } from '../usage-error.js';

const SECTIONS = ['engine', 'stack', 'seeds', 'workers', 'kernels', 'memory'] as const;
type Section = (typeof SECTIONS)[number];
/** The full-stack scenarios: a small ideal world, and HDD arrays (fewer, costlier events). */
const STACK = ['scenarios/quickstart.json', 'scenarios/hdd-arrays.json'];

export function benchCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'bench',
    'measure the engine, the whole stack (warm and cold), seeds per CPU-hour per shipped scenario, XOR and CRC-32C against memory copy, memory per block; or (--real) host latency through a real cluster',
    (y) =>
      withHelp(
        y
          .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
          .option('only', { type: 'array', choices: SECTIONS, describe: 'measure only these sections (default: all)' })
          .option('seeds', { type: 'number', default: 2, describe: 'timed seeds per shipped scenario for seeds per CPU-hour' })
          .option('scenario', { type: 'string', describe: 'scenario for the whole-stack figures (default: the shipped quickstart and hdd-arrays)' })
          .option('real', { type: 'boolean', default: false, describe: 'instead: host latency through a real 4+1 cluster (fio over NBD) vs a plain file, with the simulator\'s prediction (needs fio; about a minute)' })
          .option('runtime', intOptionOr('runtime', 'with --real: seconds each fio job is timed', { min: 1, max: 3600 }, 5)),
        [
          ['$0 bench', "this machine's figures (a few minutes; workers alone about three)"],
          ['$0 bench --only workers', 'explore on worker threads against as many processes'],
          ['$0 bench --only engine kernels', 'the engine and the kernels alone'],
          ['$0 bench --json > bench.json', 'the same as one JSON object'],
          ['$0 bench --real', 'latency: the real stack, a plain file, the simulator'],
        ],
      ),
    async (argv) => {
      const say = (line: string) => void (argv.json || console.log(line));
      const want = (s: Section) => argv.only === undefined || (argv.only as Section[]).includes(s);
      const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };
      if (argv.real) {
        // Wall-clock latencies, not CPU time: what a host waits.
        say(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (latencies in wall-clock time)`);
        if (spawnSync('fio', ['--version']).status !== 0) throw new UsageError('bench --real: needs fio on PATH (Debian: apt-get install fio)');
        const real = await benchRealLatency(argv.runtime, (line) => void (argv.json ? process.stderr.write(`${line}\n`) : say(line)));
        for (const line of formatRealLatency(real)) say(line);
        if (argv.json) console.log(JSON.stringify({ machine, real }));
        return done(EXIT_CLEAN);
      }
      say(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (figures in CPU time)`);
      const out: Record<string, unknown> = { machine };
      if (want('engine')) out['engine'] = await engineSection(say);
      if (want('stack')) out['stack'] = await stackSection(say, argv.scenario === undefined ? STACK.map(shippedFile) : [argv.scenario]);
      if (want('seeds')) out['seeds'] = await seedsSection(say, argv.seeds);
      if (want('workers')) out['workers'] = await workersSection(say);
      if (want('kernels')) out['kernels'] = kernelsSection(say);
      if (want('memory')) out['memory'] = await memorySection(say);
      if (argv.json) console.log(JSON.stringify(out));
      done(EXIT_CLEAN);
    },
  );
}

type Say = (line: string) => void;
const m = (n: number) => `${(n / 1e6).toFixed(2)} M`;

async function engineSection(say: Say) {
  const figures = [];
  for (const path of ['typed', 'closure', 'far'] as EnginePath[]) {
    for (const pending of [1_000, 100_000]) {
      await benchEngine(pending, 1_000_000, path); // warm up the JIT
      const r = await benchEngine(pending, 5_000_000, path);
      figures.push(r);
      say(`engine    ${path.padEnd(7)} ${pending.toLocaleString('en-US').padStart(7)} pending: ${m(r.eventsPerSec)} events/s`);
    }
  }
  const typed = figures.find((f) => f.path === 'typed' && f.pending === 1_000)!;
  for (const f of figures.filter((x) => x.path !== 'typed' && x.pending === 1_000)) say(`engine    ${f.path} / typed (1,000 pending): ${(f.eventsPerSec / typed.eventsPerSec).toFixed(2)}×`);
  return figures;
}

async function stackSection(say: Say, files: readonly string[]) {
  const figures = [];
  for (const file of files) {
    const scenario = loadScenarioFile(file);
    const warm = await benchStack(scenario, file);
    say(`stack     ${warm.scenario.padEnd(11)} warm: ${m(warm.eventsPerCpuSec)} events per CPU-second, ${warm.simPerCpu.toFixed(1)}× real time per CPU-second (median of 3: ${warm.events.toLocaleString('en-US')} events, ${Math.round(warm.cpuMs)} ms of CPU)`);
    const churn = await benchChurn(scenario, file, 3);
    say(`stack     ${warm.scenario.padEnd(11)} churn: ${churn.promisesPerEvent.toFixed(2)} promises and ${Math.round(churn.bytesPerEvent).toLocaleString('en-US')} B of JS heap allocated per event (seed 3, ${churn.events.toLocaleString('en-US')} events)`);
    const cold = await coldRun(file, 3);
    if (cold !== undefined) {
      say(`stack     ${cold.scenario.padEnd(11)} cold: ${m(cold.eventsPerCpuSec)} events per CPU-second, ${cold.simPerCpu.toFixed(1)}× real time per CPU-second (a fresh process on ${cold.compiled ? 'the compiled dist/' : 'the sources through tsx: dist/ is older'}: ${Math.round(cold.cpuMs)} ms of CPU, ${(warm.cpuMs / cold.cpuMs).toFixed(2)}× of it the warm run's)`);
    }
    figures.push({ warm, churn, cold });
  }
  return figures;
}

async function seedsSection(say: Say, seeds: number) {
  const rates = [];
  for (const file of scenarioFiles(shippedFile('scenarios'))) {
    const r = await benchSeedRate(loadScenarioFile(file), file, seeds);
    rates.push(r);
    say(`seeds     ${r.scenario.padEnd(24)} --quick: ${Math.round(r.seedsPerCpuHour).toLocaleString('en-US').padStart(7)} seeds per CPU-hour`);
  }
  const cpuMs = rates.reduce((s, r) => s + r.cpuMs, 0);
  const perRound = (cpuMs / seeds) * 1000;
  say(`seeds     every shipped scenario once at --quick: ${(perRound / 1e6).toFixed(1)} s of CPU (the CI gate runs 20 rounds)`);
  return { rates, cpuMsPerRound: perRound / 1000 };
}

async function workersSection(say: Say) {
  // Wall time, in turns (workers-scaling.ts): throughput is what threads are for.
  const file = shippedFile('scenarios/quickstart.json');
  const r = await benchWorkers(file, [2, 4], 48, 3);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const perSeed = (ms: number | undefined) => (ms === undefined ? '' : `, ${Math.round(ms)} ms of CPU per seed`);
  say(`workers   quickstart --quick, ${r.seeds} seeds, wall time, median of ${r.rounds} rounds in turns: 1 worker ${s(r.oneWorkerWallMs)}${perSeed(r.oneWorkerCpuMsPerSeed)}`);
  for (const f of r.figures) {
    say(`workers   ${f.workers} workers ${s(f.poolWallMs)} (${(r.oneWorkerWallMs / f.poolWallMs).toFixed(2)}× 1 worker${perSeed(f.poolCpuMsPerSeed)}) · ${f.workers} processes ${s(f.processesWallMs)}${perSeed(f.processesCpuMsPerSeed)} · threads do ${f.ratio.toFixed(2)} of the processes' work`);
  }
  return r;
}

function kernelsSection(say: Say) {
  // Each figure is a ratio of two timings taken in turns in this process (CPU time).
  const xor = [4096, 65536].map((bytes) => benchXor(bytes));
  const vs = (x: XorSetting) => `${x.xorGBps.toFixed(1)} GB/s = ${x.ratio.toFixed(2)}× copy (${x.copyGBps.toFixed(1)})`;
  for (const x of xor) say(`xor       ${String(x.blockBytes).padStart(6)} B blocks: arena ${vs(x.arena)} · hot ${vs(x.hot)} · plain JS ${vs(x.js)}`);
  const crc = [16, 4096, 65536].map((bytes) => benchCrc(bytes));
  for (const c of crc) say(`crc32c    ${String(c.blockBytes).padStart(6)} B blocks: ${c.newGBps.toFixed(2)} GB/s = ${c.speedup.toFixed(2)}× the bytewise kernel (${c.bytewiseGBps.toFixed(2)})`);
  return { xor, crc };
}

async function memorySection(say: Say) {
  // Live bytes after a full collection, whole stack (memory-bench.ts).
  const written = [await benchWrittenMemory(16, 4, 65536), await benchWrittenMemory(4096, 4, 4096)];
  for (const w of written) say(`memory    per written block, ${String(w.payloadBytes).padStart(4)} B payloads: ${Math.round(w.bytesPerBlock).toLocaleString('en-US')} B (${(w.bytesPerBlock / w.payloadBytes).toFixed(2)}× the payload; ${w.primaries} primaries × ${w.blocksPerPrimary.toLocaleString('en-US')} blocks, each written once)`);
  const prefilled = benchPrefillMemory(4096, 4, 16384, 0.5);
  say(`memory    per prefilled block, ${prefilled.payloadBytes} B payloads: ${Math.round(prefilled.bytesPerBlock).toLocaleString('en-US')} B (${prefilled.perPayload.toFixed(2)}× the payload; ${prefilled.prefilledBlocks.toLocaleString('en-US')} blocks)`);
  return { written, prefilled };
}
