// XOR of block payloads: the whole arithmetic of single parity.
import { payloadBuffer, payloadKernel } from '../util/payload-memory.js';

/**
 * Below this many bytes the byte loop wins: fingerprint payloads (16 B) take
 * it without touching `.buffer` (which would move a small on-heap typed array
 * off the heap) or calling out to WebAssembly.
 */
const WIDE = 128;

/** dst ^= src, element-wise. Both must have the same length (and not partly overlap: the wide paths read ahead). */
export function xorInto(dst: Uint8Array, src: Uint8Array): Uint8Array {
  if (dst.length !== src.length) throw new RangeError(`xorInto: lengths differ (${dst.length} vs ${src.length})`);
  const n = dst.length;
  let i = 0;
  if (n >= WIDE) {
    // `.buffer` is a call, not a field load: read once each.
    const d = dst.buffer;
    const s = src.buffer;
    // Both in the payload memory: the SIMD kernel, in place (payload-memory.ts).
    if (d === s && d === payloadBuffer()) {
      payloadKernel()!(dst.byteOffset, src.byteOffset, n);
      return dst;
    }
    if (((dst.byteOffset | src.byteOffset) & 3) === 0) i = xorWords(new Int32Array(d, dst.byteOffset, n >>> 2), new Int32Array(s, src.byteOffset, n >>> 2));
  }
  for (; i < n; i++) dst[i]! ^= src[i]!;
  return dst;
}

/** d ^= s over two word views of one length, four words a turn; returns the bytes done. */
function xorWords(d: Int32Array, s: Int32Array): number {
  const words = d.length;
  const quads = words & ~3;
  let w = 0;
  for (; w < quads; w += 4) {
    d[w]! ^= s[w]!;
    d[w + 1]! ^= s[w + 1]!;
    d[w + 2]! ^= s[w + 2]!;
    d[w + 3]! ^= s[w + 3]!;
  }
  for (; w < words; w++) d[w]! ^= s[w]!;
  return words << 2;
}

/** a ^ b as a new array. */
export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return xorInto(a.slice(), b);
}

export function isZero(a: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
