// Live memory as the memory figures count it: the JS heap, the backing stores
// of ArrayBuffers (typed arrays keep their bytes outside the heap), and the
// ranges of the payload memory in use (its unused tail is not counted).
import { payloadMemoryStats } from '../../src/util/payload-memory.js';

export function liveBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers + payloadMemoryStats().inUseBytes;
}
