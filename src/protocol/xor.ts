// XOR of block payloads: the whole arithmetic of single parity.

/** dst ^= src, element-wise. Both must have the same length. */
export function xorInto(dst: Uint8Array, src: Uint8Array): Uint8Array {
  if (dst.length !== src.length) throw new RangeError(`xorInto: lengths differ (${dst.length} vs ${src.length})`);
  const n = dst.length;
  let i = 0;
  // Word-at-a-time when both views are 4-byte aligned and the block is big
  // enough to repay creating two views (fingerprint payloads are not).
  if (n >= 128 && (dst.byteOffset & 3) === 0 && (src.byteOffset & 3) === 0) {
    const words = n >>> 2;
    const d32 = new Uint32Array(dst.buffer, dst.byteOffset, words);
    const s32 = new Uint32Array(src.buffer, src.byteOffset, words);
    for (let w = 0; w < words; w++) d32[w]! ^= s32[w]!;
    i = words << 2;
  }
  for (; i < n; i++) dst[i]! ^= src[i]!;
  return dst;
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
