// CRC-32C throughput: the product's slicing-by-8 blockChecksum against the
// bytewise kernel it replaced, timed in the same process (paired.ts).
import { blockChecksum } from '../../src/protocol/checksum.js';
import { blockChecksumBytewise } from './crc-bytewise.js';
import { paired } from './paired.js';

export interface CrcBenchResult {
  readonly blockBytes: number;
  readonly newGBps: number;
  readonly bytewiseGBps: number;
  /** New speed ÷ bytewise speed, same run. */
  readonly speedup: number;
}

export function benchCrc(blockBytes: number, bytesPerRound = 2e8): CrcBenchResult {
  const data = Uint8Array.from({ length: blockBytes }, (_, i) => (i * 2654435761) >>> 24);
  let sink = 0;
  let block = 0;
  const t = paired(
    () => void (sink ^= blockChecksumBytewise(block++, data)),
    () => void (sink ^= blockChecksum(block++, data)),
    Math.max(1000, Math.round(bytesPerRound / 4 / blockBytes)),
  );
  if (sink === 0.5) throw new Error('unreachable'); // keeps the results live
  return { blockBytes, newGBps: blockBytes / t.bSec / 1e9, bytewiseGBps: blockBytes / t.aSec / 1e9, speedup: t.aOverB };
}
