// CRC-32C: slicing-by-8 gives the published check values and, with the block
// number folded in, exactly what the byte-at-a-time kernel it replaced gives.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blockChecksumBytewise } from '../sim/bench/crc-bytewise.js';
import { blockChecksum, crc32c } from '../src/protocol/checksum.js';

const ascii = (s: string) => new TextEncoder().encode(s);

test('crc32c: published check values (RFC 3720 B.4, the CRC catalogue)', () => {
  assert.is(crc32c(ascii('123456789')), 0xe3069283);
  assert.is(crc32c(new Uint8Array(0)), 0);
  assert.is(crc32c(new Uint8Array(32)), 0x8a9136aa); // 32 bytes of zeros
  assert.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43); // 32 bytes of ones
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e); // 0, 1, …, 31
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c); // 31, 30, …, 0
});

test('blockChecksum: the CRC-32C of the 8-byte little-endian block number, then the data', () => {
  for (const block of [0, 1, 255, 256, 0xffffffff, 2 ** 32, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
    const data = ascii('123456789');
    const prefixed = new Uint8Array(8 + data.length);
    let n = block;
    for (let i = 0; i < 8; i++, n = Math.floor(n / 256)) prefixed[i] = n % 256;
    prefixed.set(data, 8);
    assert.is(blockChecksum(block, data), crc32c(prefixed), `block ${block}`);
  }
});

test('blockChecksum equals the bytewise kernel on random blocks of every length, offset and block number', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.nat({ max: 7 }),
      fc.oneof(fc.nat({ max: 1 << 20 }), fc.maxSafeNat()),
      (bytes, offset, block) => {
        const view = bytes.subarray(Math.min(offset, bytes.length)); // unaligned views too
        return blockChecksum(block, view) === blockChecksumBytewise(block, view);
      },
    ),
    { numRuns: 2000 },
  );
  for (const n of [4095, 4096, 4097, 65536]) {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24);
    assert.is(blockChecksum(n, data), blockChecksumBytewise(n, data), `${n} bytes`);
  }
});

test('blockChecksum and crc32c on views at every offset mod 8, long and short: unaligned ones as right as aligned ones', () => {
  const backing = Uint8Array.from({ length: 4096 + 16 }, (_, i) => (i * 2654435761) >>> 24);
  for (const n of [0, 5, 127, 128, 129, 200, 4096]) {
    for (let offset = 0; offset < 8; offset++) {
      const view = backing.subarray(offset, offset + n);
      const copy = view.slice(); // a fresh array: offset 0, aligned
      assert.is(blockChecksum(7, view), blockChecksumBytewise(7, copy), `${n} bytes at offset ${offset}`);
      assert.is(crc32c(view), crc32c(copy), `crc32c, ${n} bytes at offset ${offset}`);
    }
  }
});

test.run();
