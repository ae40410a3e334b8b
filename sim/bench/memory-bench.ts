// What the simulator keeps per block, measured: the whole stack (controllers,
// media, checksum regions, checkers) is built as `run` builds it, every block
// of every primary is written once by its host, and the live memory after a
// full collection is compared at half and at all of the blocks written — so
// fixed costs cancel and what is left is the cost of one more written block
// (the parity array's block k, shared by every primary's block k, included).
// The prefill figure is the same comparison before and after prefill, per
// prefilled block, against the payload size.
import { DurabilityChecker } from '../checker/durability-checker.js';
import { ParityChecker } from '../checker/parity-checker.js';
import { Engine } from '../engine/engine.js';
import { prefill } from '../world/prefill.js';
import { parseScenarioValue } from '../scenario/load.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { World } from '../world/world.js';
import { fullGc } from './gc.js';
import { liveBytes } from './live-bytes.js';

export interface WrittenMemoryResult {
  readonly payloadBytes: number;
  readonly primaries: number;
  readonly blocksPerPrimary: number;
  /** Bytes held per written primary block (its share of parity included). */
  readonly bytesPerBlock: number;
}

export interface PrefillMemoryResult {
  readonly payloadBytes: number;
  readonly prefilledBlocks: number;
  readonly bytesPerBlock: number;
  /** bytesPerBlock ÷ payloadBytes: 1 would be one copy of each block and nothing else. */
  readonly perPayload: number;
}

function benchScenario(payloadBytes: number, primaries: number, blocks: number, fraction: number): ResolvedScenario {
  const r = parseScenarioValue('memory-bench', {
    name: 'memory-bench',
    primaries: { count: primaries, blocks },
    payloadBytes,
    prefill: fraction,
    workload: { duration: '1ms', iodepth: 1, thinkTime: '1ms' },
  });
  if (!r.ok) throw new Error(`memory bench scenario: ${JSON.stringify(r.problems)}`);
  return r.scenario;
}

/** Memory per written block: `primaries` arrays of `blocks` blocks, each block written once by its host. */
export async function benchWrittenMemory(payloadBytes: number, primaries: number, blocks: number): Promise<WrittenMemoryResult> {
  const scenario = benchScenario(payloadBytes, primaries, blocks, 0);
  const engine = new Engine(1);
  const world = new World(engine, scenario);
  const fail = (v: { message: string }) => {
    throw new Error(`memory bench: ${v.message}`);
  };
  const initial = prefill(engine, world);
  const durability = new DurabilityChecker(engine, initial.contents, fail, scenario.ackPolicy);
  durability.listen(world.events, world.parity.name);
  const parity = new ParityChecker(engine, world, fail);
  let built = false;
  engine.watch(world.parity.controller.build().then(() => void (built = true)), 'build');
  await engine.run({ stopWhen: () => built });

  // Each host writes its blocks [from, to) in order, 4 at a time, as the workload would (checker told of each).
  const rng = engine.random.stream('memory-bench');
  const writeRange = async (from: number, to: number) => {
    for (const p of world.primaries) {
      let next = from;
      for (let stream = 0; stream < 4; stream++) {
        engine.watch(
          (async () => {
            while (next < to) {
              const block = next++;
              const data = rng.fill(new Uint8Array(payloadBytes));
              const id = durability.writeIssued(p.name, block, data);
              const r = await world.hostWrite(p, block, data);
              if (!r.ok) throw new Error(`memory bench: write ${p.name}[${block}] failed`);
              durability.writeDone(p.name, block, id, true);
            }
          })(),
          'memory bench writes',
        );
      }
    }
    const stop = await engine.run();
    if (stop !== 'quiescent') throw new Error(`memory bench: the writes stopped with ${stop} (${engine.crash?.error})`);
  };

  const half = Math.floor(blocks / 2);
  await writeRange(0, half);
  fullGc();
  const before = liveBytes();
  await writeRange(half, blocks);
  fullGc();
  const after = liveBytes();
  if (!parity.sweep()) throw new Error('memory bench: parity does not match');
  world.release();
  durability.release();
  return { payloadBytes, primaries, blocksPerPrimary: blocks, bytesPerBlock: (after - before) / (primaries * (blocks - half)) };
}

/** Memory per prefilled block (prefill's own copy, the media, the checksum region) against the payload size. */
export function benchPrefillMemory(payloadBytes: number, primaries: number, blocks: number, fraction: number): PrefillMemoryResult {
  const scenario = benchScenario(payloadBytes, primaries, blocks, fraction);
  const engine = new Engine(1);
  const world = new World(engine, scenario);
  fullGc();
  const before = liveBytes();
  const initial = prefill(engine, world);
  fullGc();
  const after = liveBytes();
  let prefilled = 0;
  for (const p of world.primaries) for (const _ of initial.blocks(p.name)) prefilled++;
  const bytesPerBlock = (after - before) / prefilled;
  world.release();
  initial.release();
  return { payloadBytes, prefilledBlocks: prefilled, bytesPerBlock, perPayload: bytesPerBlock / payloadBytes };
}
