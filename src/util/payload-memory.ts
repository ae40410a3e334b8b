// Where full-size block payloads can live so the WebAssembly XOR kernel can
// reach them: one WebAssembly memory per thread, carved into ranges.
//
// The kernel sees only its own memory, and copying blocks in and out per call
// costs more than the SIMD saves, so whoever keeps payloads that are XORed
// often (the simulator's block stores) allocates them here; xorInto
// (src/protocol/xor.ts) uses the kernel whenever both operands are inside.
//
// Growing the memory replaces its ArrayBuffer (the old one is detached, and
// every view on it goes empty), so holders keep offsets, not views, and make
// new views when `generation` changes. The memory stops at 4 GiB; past that
// allocate() answers -1 and the caller keeps its bytes in ordinary JS memory.
//
// A range is returned to the pool when the object that owns it is garbage
// collected (FinalizationRegistry). That decides only which addresses later
// ranges get, never what anything computes: a range handed out again is
// zeroed first, as a fresh one is.
import { type XorKernel, xorKernel } from '../protocol/xor-kernel.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB: the most a 32-bit WebAssembly memory can address

const memory = new WebAssembly.Memory({ initial: 0, maximum: MAX_PAGES });
const kernel: XorKernel | undefined = xorKernel(memory);
/** Free ranges by size in pages. */
const free = new Map<number, number[]>();
const freed = new FinalizationRegistry<{ readonly offset: number; readonly pages: number }>(({ offset, pages }) => {
  inUse -= pages * PAGE;
  let list = free.get(pages);
  if (list === undefined) free.set(pages, (list = []));
  list.push(offset);
});
let full = false;
let inUse = 0;
let buffer: ArrayBuffer = memory.buffer;
let generation = 0;

/** The memory's current buffer (xorInto compares operands' buffers with it). */
export function payloadBuffer(): ArrayBuffer {
  return buffer;
}

/** Changes whenever the memory grows: views made before are empty now. */
export function payloadGeneration(): number {
  return generation;
}

/** The kernel over this memory, or undefined where WebAssembly SIMD is missing. */
export function payloadKernel(): XorKernel | undefined {
  return kernel;
}

/**
 * Reserves `bytes` (rounded up to 64 KiB), zeroed, for as long as `owner` is
 * alive; the offset, or -1 if the memory cannot hold it (no kernel, or 4 GiB).
 */
export function allocatePayload(bytes: number, owner: object): number {
  if (kernel === undefined) return -1;
  const pages = Math.ceil(bytes / PAGE);
  let offset = free.get(pages)?.pop();
  if (offset !== undefined) new Uint8Array(buffer, offset, pages * PAGE).fill(0);
  else {
    if (full) return -1;
    try {
      offset = memory.grow(pages) * PAGE;
    } catch {
      full = true; // until a range comes back; then only ranges of its size are reused
      return -1;
    }
    buffer = memory.buffer;
    generation++;
  }
  inUse += pages * PAGE;
  freed.register(owner, { offset, pages });
  return offset;
}

/** Bytes of the memory in live ranges, and its whole size. */
export function payloadMemoryStats(): { readonly inUseBytes: number; readonly sizeBytes: number } {
  return { inUseBytes: inUse, sizeBytes: buffer.byteLength };
}
