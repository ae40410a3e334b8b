// Where full-size block payloads can live so the WebAssembly XOR kernel can
// reach them: one WebAssembly memory per thread, carved into ranges.
//
// The kernel sees only its own memory, and copying blocks in and out per call
// costs more than the SIMD saves, so whoever keeps payloads that are XORed
// often (the simulator's block stores) allocates them here; xorInto
// (src/protocol/xor.ts) uses the kernel whenever both operands are inside.
//
// The memory is made at its full size on the first allocation and never
// grows. Growing would detach its old ArrayBuffer, and the first detached
// ArrayBuffer in a process makes V8 check for detachment in every typed-array
// access of optimized code from then on (measured: plain-JS XOR and CRC loops
// a third slower, everywhere). A shared memory grows without detaching, but
// then every TypedArray.set in or out of it is a relaxed-atomic copy, four
// times slower. A full-size memory is address space, not RAM: pages are
// backed when first written (process.memoryUsage().external counts it whole).
// 4 GiB is as much as a 32-bit memory addresses; where the system refuses
// that much, less; past its end allocate() answers -1 and the caller keeps
// its bytes in ordinary JS memory.
//
// An owner's ranges go back to the pool when it says so (releasePayload: a
// run releases its stores when it ends), or else when it is garbage collected
// (FinalizationRegistry) — which alone is not enough: this memory puts no
// pressure on V8's collector, and runs in a row filled it before a full
// collection came. Which addresses later ranges get never changes what
// anything computes: a range handed out again is zeroed first, as a fresh one is.
import { type XorKernel, xorKernel, xorKernelSupported } from '../protocol/xor-kernel.js';

const PAGE = 65536;
/** Sizes to try, in 64 KiB pages: 4 GiB, then halving down to 16 MiB. */
const SIZES = [65536, 32768, 16384, 8192, 4096, 2048, 1024, 512, 256];

let opened = false;
let buffer: ArrayBuffer | undefined;
let kernel: XorKernel | undefined;
/** Bytes handed out from the start of the memory, in ranges live or free. */
let top = 0;
let inUse = 0;
/** Free ranges by size in pages. */
const free = new Map<number, number[]>();

interface Range {
  readonly offset: number;
  readonly pages: number;
}

/** Each owner's ranges (the same list the registry holds, so that either path frees them once). */
const owned = new WeakMap<object, Range[]>();
const freed = new FinalizationRegistry<Range[]>((ranges) => giveBack(ranges));

function giveBack(ranges: Range[]): void {
  for (const { offset, pages } of ranges.splice(0)) {
    inUse -= pages * PAGE;
    let list = free.get(pages);
    if (list === undefined) free.set(pages, (list = []));
    list.push(offset);
  }
}

/** Makes the memory (on first use): the largest size the system grants, or none without WebAssembly SIMD. */
function open(): void {
  opened = true;
  if (!xorKernelSupported()) return;
  for (const pages of SIZES) {
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch {
      continue; // not this much address space: try half
    }
    buffer = memory.buffer;
    kernel = xorKernel(memory);
    return;
  }
}

/** The memory's buffer (it never changes once made), or undefined before the first allocation. */
export function payloadBuffer(): ArrayBuffer | undefined {
  return buffer;
}

/** The kernel over this memory: defined whenever payloadBuffer() is. */
export function payloadKernel(): XorKernel | undefined {
  return kernel;
}

/**
 * Reserves `bytes` (rounded up to 64 KiB), zeroed, for as long as `owner` is
 * alive; the offset, or -1 if the memory cannot hold it (no kernel, or full).
 */
export function allocatePayload(bytes: number, owner: object): number {
  if (!opened) open();
  if (buffer === undefined) return -1;
  const pages = Math.ceil(bytes / PAGE);
  let offset = free.get(pages)?.pop();
  if (offset !== undefined) new Uint8Array(buffer, offset, pages * PAGE).fill(0);
  else {
    if (top + pages * PAGE > buffer.byteLength) return -1;
    offset = top;
    top += pages * PAGE;
  }
  inUse += pages * PAGE;
  let ranges = owned.get(owner);
  if (ranges === undefined) {
    owned.set(owner, (ranges = []));
    freed.register(owner, ranges, owner);
  }
  ranges.push({ offset, pages });
  return offset;
}

/** Gives back every range `owner` holds, now: it must not touch them again. */
export function releasePayload(owner: object): void {
  const ranges = owned.get(owner);
  if (ranges === undefined) return;
  owned.delete(owner);
  freed.unregister(owner);
  giveBack(ranges);
}

/** Bytes of the memory in live ranges, and its whole size (0 until made). */
export function payloadMemoryStats(): { readonly inUseBytes: number; readonly sizeBytes: number } {
  return { inUseBytes: inUse, sizeBytes: buffer?.byteLength ?? 0 };
}
