// Per-block checksums: CRC-32C (Castagnoli) over the block number, as 8 bytes
// little-endian, followed by the data. Folding the block number in means a
// block that is intact but is not the one asked for — a misdirected write
// landed on it, or a read came from the wrong place — fails too (T10 DIF's
// reference tag does the same). CRC-32C detects every error of up to 32
// consecutive bits, so any single-byte corruption.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function blockChecksum(block: number, data: Uint8Array): number {
  let c = 0xffffffff;
  let n = block;
  for (let i = 0; i < 8; i++) {
    c = TABLE[(c ^ n) & 0xff]! ^ (c >>> 8);
    n = Math.floor(n / 256);
  }
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
