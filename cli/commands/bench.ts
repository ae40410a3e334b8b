// xorsim bench [--json]: the tool's own speed (wall clock, the only place it is read).
import { withHelp } from '../help.js';
import { cpus } from 'node:os';
import type { Argv } from 'yargs';
import { benchCrc } from '../../sim/bench/crc-bench.js';
import { benchEngine } from '../../sim/bench/engine-bench.js';
import { benchPrefillMemory, benchWrittenMemory } from '../../sim/bench/memory-bench.js';
import { type XorSetting, benchXor } from '../../sim/bench/xor-bench.js';
import { runScenario } from '../../sim/runner/run-scenario.js';
import { shippedFile } from '../io.js';
import { loadScenarioFile } from '../scenario-file.js';
import { EXIT_CLEAN } from '../usage-error.js';

export function benchCommand(yargs: Argv, done: (code: number) => void): Argv {
  return yargs.command(
    'bench',
    'measure engine events/s, full-stack events/s, XOR and CRC-32C throughput, memory per block',
    (y) =>
      withHelp(

      y
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
        .option('scenario', { type: 'string', describe: 'scenario for the full-stack figure (default: the shipped scenarios/quickstart.json)' }),
        [['$0 bench', "this machine's figures"], ['$0 bench --json > bench.json', 'the same as one JSON object']],
      ),
    async (argv) => {
      const say = (line: string) => void (argv.json || console.log(line));
      const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };
      say(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
      const engine = [];
      for (const pending of [1_000, 100_000]) {
        await benchEngine(pending, 1_000_000); // warm up the JIT
        const r = await benchEngine(pending, 5_000_000);
        engine.push(r);
        say(`engine    ${pending.toLocaleString('en-US').padStart(7)} pending: ${(r.eventsPerSec / 1e6).toFixed(2)} M events/s`);
      }
      const file = argv.scenario ?? shippedFile('scenarios/quickstart.json');
      const scenario = loadScenarioFile(file);
      for (const seed of [1, 2]) await runScenario(scenario, { seed, file }); // warm up the JIT
      const runs = [];
      for (const seed of [3, 4, 5]) runs.push(await runScenario(scenario, { seed, file }));
      const run = runs.sort((a, b) => a.events / a.wallMs - b.events / b.wallMs)[1]!; // the median run
      const stack = { scenario: scenario.name, events: run.events, wallMs: run.wallMs, eventsPerSec: run.events / (run.wallMs / 1000), simPerWall: run.simTimeUs / 1000 / run.wallMs };
      say(`stack     ${scenario.name} (median of 3): ${(stack.eventsPerSec / 1e6).toFixed(2)} M events/s, ${stack.simPerWall.toFixed(1)}× real time (${run.events.toLocaleString('en-US')} events in ${run.wallMs} ms)`);
      // Kernels: each figure is a ratio of two timings taken in turns in this process (CPU time).
      const xor = [4096, 65536].map((bytes) => benchXor(bytes));
      const vs = (x: XorSetting) => `${x.xorGBps.toFixed(1)} GB/s = ${x.ratio.toFixed(2)}× copy (${x.copyGBps.toFixed(1)})`;
      for (const x of xor) say(`xor       ${String(x.blockBytes).padStart(6)} B blocks: arena ${vs(x.arena)} · hot ${vs(x.hot)} · plain JS ${vs(x.js)}`);
      const crc = [16, 4096, 65536].map((bytes) => benchCrc(bytes));
      for (const c of crc) say(`crc32c    ${String(c.blockBytes).padStart(6)} B blocks: ${c.newGBps.toFixed(2)} GB/s = ${c.speedup.toFixed(2)}× the bytewise kernel (${c.bytewiseGBps.toFixed(2)})`);
      // Memory: live bytes after a full collection, whole stack (memory-bench.ts).
      const written = [await benchWrittenMemory(16, 4, 65536), await benchWrittenMemory(4096, 4, 4096)];
      for (const m of written) say(`memory    per written block, ${String(m.payloadBytes).padStart(4)} B payloads: ${Math.round(m.bytesPerBlock).toLocaleString('en-US')} B (${(m.bytesPerBlock / m.payloadBytes).toFixed(2)}× the payload; ${m.primaries} primaries × ${m.blocksPerPrimary.toLocaleString('en-US')} blocks, each written once)`);
      const prefilled = benchPrefillMemory(4096, 4, 16384, 0.5);
      say(`memory    per prefilled block, ${prefilled.payloadBytes} B payloads: ${Math.round(prefilled.bytesPerBlock).toLocaleString('en-US')} B (${prefilled.perPayload.toFixed(2)}× the payload; ${prefilled.prefilledBlocks.toLocaleString('en-US')} blocks)`);
      if (argv.json) console.log(JSON.stringify({ machine, engine, stack, xor, crc, memory: { written, prefilled } }));
      done(EXIT_CLEAN);
    },
  );
}
