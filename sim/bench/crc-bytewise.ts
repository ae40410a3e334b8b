// The byte-at-a-time CRC-32C that blockChecksum (src/protocol/checksum.ts)
// replaced, kept here only as the bench's baseline and the tests' reference:
// one table lookup per byte, each waiting on the one before.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function blockChecksumBytewise(block: number, data: Uint8Array): number {
  let c = 0xffffffff;
  let n = block;
  for (let i = 0; i < 8; i++) {
    c = TABLE[(c ^ n) & 0xff]! ^ (c >>> 8);
    n = Math.floor(n / 256);
  }
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
