// Per-block checksums: CRC-32C (Castagnoli) over the block number, as 8 bytes
// little-endian, followed by the data. Folding the block number in means a
// block that is intact but is not the one asked for — a misdirected write
// landed on it, or a read came from the wrong place — fails too (T10 DIF's
// reference tag does the same). CRC-32C detects every error of up to 32
// consecutive bits, so any single-byte corruption.
//
// Slicing-by-8 (Kounavis & Berry, Intel, 2005): eight 256-entry tables let one
// step fold 8 bytes with 8 independent lookups instead of 8 dependent ones;
// about 3.5× the byte-at-a-time loop on 4 KiB blocks (`xorsim bench`), the same
// CRC bit for bit (test/checksum.test.ts checks it against the bytewise
// kernel, kept in sim/bench/crc-bytewise.ts as the bench's baseline).

/** TABLES[k·256 + b]: the CRC contribution of byte b followed by k zero bytes. */
const TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[b] = c;
  }
  for (let k = 1; k < 8; k++) for (let b = 0; b < 256; b++) t[k * 256 + b] = (t[(k - 1) * 256 + b]! >>> 8) ^ t[t[(k - 1) * 256 + b]! & 0xff]!;
  return t;
})();

/** One slicing-by-8 step: the register `c` already XORed with the first 4 bytes (little-endian), `hi` the next 4. */
function step8(c: number, hi: number): number {
  const t = TABLES;
  return (
    t[1792 + (c & 0xff)]! ^ t[1536 + ((c >>> 8) & 0xff)]! ^ t[1280 + ((c >>> 16) & 0xff)]! ^ t[1024 + (c >>> 24)]! ^
    t[768 + (hi & 0xff)]! ^ t[512 + ((hi >>> 8) & 0xff)]! ^ t[256 + ((hi >>> 16) & 0xff)]! ^ t[hi >>> 24]!
  );
}

/** Int32Array reads give the little-endian words the steps take only on a little-endian host. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Below this the bytes are read one by one: a word view costs a `.buffer`
 * (which would also move a small on-heap array off the heap, fingerprints).
 */
const WIDE = 128;

/** Continues a CRC-32C register (pre-inversion form) over `data`. */
function update(crc: number, data: Uint8Array): number {
  const n = data.length;
  if (n < WIDE || !LITTLE_ENDIAN || (data.byteOffset & 3) !== 0) return updateBytes(crc, data, 0);
  // Two word loads a step instead of eight byte loads and shifts. Each form is
  // its own function, so that V8 compiles each for the calls it sees: one
  // body for both ran the words a third slower once it had seen fingerprints.
  const end = (n >>> 3) << 1;
  return updateBytes(updateWords(crc, new Int32Array(data.buffer, data.byteOffset, end)), data, end << 2);
}

/** Slicing-by-8 over whole words, two a step (little-endian host). */
function updateWords(crc: number, words: Int32Array): number {
  let c = crc;
  for (let w = 0; w < words.length; w += 2) c = step8(c ^ words[w]!, words[w + 1]!);
  return c;
}

/** From byte `from` on: slicing-by-8 over 8-byte groups, then byte by byte. */
function updateBytes(crc: number, data: Uint8Array, from: number): number {
  const t = TABLES;
  let c = crc;
  const n = data.length;
  const end = n - ((n - from) & 7);
  let i = from;
  for (; i < end; i += 8) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c = step8(c, data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
  }
  for (; i < n; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** Plain CRC-32C of `data` ("123456789" → 0xe3069283). */
export function crc32c(data: Uint8Array): number {
  return ~update(~0, data) >>> 0;
}

export function blockChecksum(block: number, data: Uint8Array): number {
  // The 8-byte little-endian block number is exactly one step: its low word, then its high word.
  const c = step8(~0 ^ block, Math.floor(block / 4294967296));
  return ~update(c, data) >>> 0;
}
