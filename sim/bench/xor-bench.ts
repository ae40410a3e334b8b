// XOR throughput of the product's xorInto beside a plain memory copy of the
// same bytes (TypedArray.set: the ceiling any XOR can approach), timed in
// turns in one process (paired.ts), in three settings:
//
//  - arena: blocks of a block store (in the payload memory, so the SIMD
//    kernel runs), block i XORed into block i + W/2 across a 64 MiB working
//    set — what the simulator's stores do; the copy moves the same pairs;
//  - hot: the same two stored blocks over and over (both in the CPU's cache);
//  - js: two ordinary JS arrays — the 32-bit-word loop (operands the kernel
//    cannot reach, as the controllers' own buffers).
//
// The ratio is the figure: XOR reads two blocks and writes one, a copy reads
// one and writes one. In cache, a copy moves 32 bytes a cycle with AVX2 while
// 128-bit WebAssembly lanes move 16, so "hot" stays near half; from memory
// both wait on the same traffic.
import { xorInto } from '../../src/protocol/xor.js';
import { BlockStore } from '../storage/block-store.js';
import { paired } from './paired.js';

export interface XorSetting {
  readonly xorGBps: number;
  readonly copyGBps: number;
  /** XOR speed ÷ copy speed, same run. */
  readonly ratio: number;
}

export interface XorBenchResult {
  readonly blockBytes: number;
  readonly arena: XorSetting;
  readonly hot: XorSetting;
  readonly js: XorSetting;
}

const WORKING_SET = 64 << 20;

export function benchXor(blockBytes: number, bytesPerRound = 2e9): XorBenchResult {
  const blocks = Math.max(4, Math.floor(WORKING_SET / blockBytes));
  const store = new BlockStore(blocks, blockBytes);
  const fill = new Uint8Array(blockBytes);
  for (let b = 0; b < blocks; b++) store.set(b, fill.fill(b & 0xff));
  // Views only once the store is filled: filling may grow the payload memory, which empties earlier views.
  const views = Array.from({ length: blocks }, (_, b) => store.view(b)!);
  const half = blocks >> 1;
  const calls = (bytes: number) => Math.max(100, Math.round(bytes / blockBytes));

  let k = 0;
  const arena = setting(
    blockBytes,
    () => {
      k = k + 1 === half ? 0 : k + 1;
      xorInto(views[k]!, views[k + half]!);
    },
    () => {
      k = k + 1 === half ? 0 : k + 1;
      views[k]!.set(views[k + half]!);
    },
    calls(bytesPerRound),
  );
  const [a, b] = [views[0]!, views[1]!];
  const hot = setting(blockBytes, () => void xorInto(a, b), () => a.set(b), calls(bytesPerRound));
  const [ja, jb] = [new Uint8Array(blockBytes).fill(0x5a), new Uint8Array(blockBytes).fill(0xa5)];
  const js = setting(blockBytes, () => void xorInto(ja, jb), () => ja.set(jb), calls(bytesPerRound / 8));
  store.release();
  return { blockBytes, arena, hot, js };
}

function setting(blockBytes: number, xor: () => void, copy: () => void, calls: number): XorSetting {
  const t = paired(copy, xor, calls, 9); // nine rounds: memory-bound timings move with what the neighbours do
  return { xorGBps: blockBytes / t.bSec / 1e9, copyGBps: blockBytes / t.aSec / 1e9, ratio: t.aOverB }; // copy time ÷ XOR time
}
