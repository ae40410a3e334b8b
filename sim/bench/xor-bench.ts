// XOR throughput of the product's xorInto beside a plain memory copy of the
// same bytes (the ceiling any XOR can approach).
import { xorInto } from '../../src/protocol/xor.js';
import { wallNowMs } from '../wall-clock.js';

export interface XorBenchResult {
  readonly blockBytes: number;
  readonly xorGBps: number;
  readonly copyGBps: number;
}

export function benchXor(blockBytes: number, totalBytes: number): XorBenchResult {
  const a = new Uint8Array(blockBytes).fill(0x5a);
  const b = new Uint8Array(blockBytes).fill(0xa5);
  const rounds = Math.max(1, Math.floor(totalBytes / blockBytes));
  const time = (fn: () => void) => {
    fn(); // warm up
    const start = wallNowMs();
    for (let i = 0; i < rounds; i++) fn();
    return (wallNowMs() - start) / 1000;
  };
  const xorSec = time(() => void xorInto(a, b));
  const copySec = time(() => a.set(b));
  const gb = (rounds * blockBytes) / 1e9;
  return { blockBytes, xorGBps: gb / xorSec, copyGBps: gb / copySec };
}
