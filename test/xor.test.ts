// xorInto against a plain byte loop, on every path it can take: the
// WebAssembly SIMD kernel (both operands in the payload memory), 32-bit words
// (both 4-byte aligned), bytes — for lengths of every residue, odd sizes,
// offsets and subarray views, and across growth of the payload memory.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { XOR_KERNEL_WASM, xorKernelSupported } from '../src/protocol/xor-kernel.js';
import { equalBytes, isZero, xorInto } from '../src/protocol/xor.js';
import { allocatePayload, payloadBuffer, payloadKernel, payloadMemoryStats } from '../src/util/payload-memory.js';

function byteLoop(dst: Uint8Array, src: Uint8Array): Uint8Array {
  const out = dst.slice();
  for (let i = 0; i < out.length; i++) out[i]! ^= src[i]!;
  return out;
}

/** Views of `a` at `offA` and `b` at `offB` in one region of the payload memory (kept alive by `owner`). */
function inPayload(owner: object, a: Uint8Array, offA: number, b: Uint8Array, offB: number): [Uint8Array, Uint8Array] {
  const at = allocatePayload(offA + a.length + 16 + offB + b.length, owner);
  assert.ok(at >= 0, 'the payload memory has room');
  const dst = new Uint8Array(payloadBuffer()!, at + offA, a.length);
  const src = new Uint8Array(payloadBuffer()!, at + offA + a.length + 16 + offB, b.length);
  dst.set(a);
  src.set(b);
  return [dst, src];
}

function inJs(bytes: Uint8Array, offset: number): Uint8Array {
  const view = new Uint8Array(bytes.length + offset).subarray(offset);
  view.set(bytes);
  return view;
}

/** n bytes from a seed (fast-check draws the seed; drawing 64 KiB byte by byte would be slow). */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

const lengths = fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(4095, 4096, 4097, 65536, 65536 + 15));
const pair = fc.tuple(lengths, fc.integer(), fc.integer(), fc.nat(17), fc.nat(17)).map(([n, sa, sb, offA, offB]) => [bytes(n, sa), bytes(n, sb), offA, offB] as const);

test('the kernel module validates and instantiates with the payload memory (Node ≥ 20 has WebAssembly SIMD)', () => {
  assert.ok(WebAssembly.validate(XOR_KERNEL_WASM));
  assert.ok(xorKernelSupported());
  assert.is(payloadBuffer(), undefined, 'no memory before the first allocation');
  assert.ok(allocatePayload(1, {}) >= 0);
  assert.type(payloadKernel(), 'function');
});

test('xorInto = byte loop, both operands in the payload memory (the SIMD kernel)', () => {
  fc.assert(
    fc.property(pair, ([a, b, offA, offB]) => {
      const [dst, src] = inPayload({}, a, offA, b, offB);
      assert.equal(xorInto(dst, src), byteLoop(a, b));
      assert.equal(src, b, 'the source is unchanged');
    }),
    { numRuns: 300 },
  );
});

test('xorInto = byte loop in ordinary JS memory (words when aligned, bytes otherwise) and mixed', () => {
  fc.assert(
    fc.property(pair, fc.boolean(), ([a, b, offA, offB], mixed) => {
      const dst = inJs(a, offA);
      const src = mixed ? inPayload({}, new Uint8Array(0), 0, b, offB)[1] : inJs(b, offB);
      assert.equal(xorInto(dst, src), byteLoop(a, b));
    }),
    { numRuns: 300 },
  );
});

test('xorInto = byte loop with each operand in either memory, or both views of one ordinary buffer (only both in the payload memory take the kernel)', () => {
  const place = fc.constantFrom('js', 'payload');
  fc.assert(
    fc.property(pair, place, place, fc.boolean(), ([a, b, offA, offB], whereDst, whereSrc, oneBuffer) => {
      let dst: Uint8Array;
      let src: Uint8Array;
      if (oneBuffer) {
        // Two ranges of one ordinary ArrayBuffer: the same buffer, but not the payload memory's.
        const shared = new Uint8Array(offA + a.length + 16 + offB + b.length);
        dst = shared.subarray(offA, offA + a.length);
        src = shared.subarray(offA + a.length + 16 + offB);
        dst.set(a);
        src.set(b);
      } else {
        dst = whereDst === 'js' ? inJs(a, offA) : inPayload({}, a, offA, new Uint8Array(0), 0)[0];
        src = whereSrc === 'js' ? inJs(b, offB) : inPayload({}, new Uint8Array(0), 0, b, offB)[1];
      }
      assert.equal(xorInto(dst, src), byteLoop(a, b));
      assert.equal(src, b, 'the source is unchanged');
    }),
    { numRuns: 300 },
  );
  // Each wide case at least once, whatever fast-check draws: 200 bytes, dst in the payload memory and src not, and the reverse.
  const a = bytes(200, 1);
  const b = bytes(200, 2);
  assert.equal(xorInto(inPayload({}, a, 0, new Uint8Array(0), 0)[0], inJs(b, 0)), byteLoop(a, b), 'dst in the payload memory, src not');
  assert.equal(xorInto(inJs(a, 0), inPayload({}, new Uint8Array(0), 0, b, 0)[1]), byteLoop(a, b), 'src in the payload memory, dst not');
  const shared = new Uint8Array(400);
  shared.set(a, 0);
  shared.set(b, 200);
  assert.equal(xorInto(shared.subarray(0, 200), shared.subarray(200)), byteLoop(a, b), 'two views of one ordinary buffer');
});

test('isZero: true for zeros of any length (none too), false for one non-zero byte anywhere', () => {
  for (const n of [0, 1, 7, 128, 4096]) {
    assert.ok(isZero(new Uint8Array(n)), `${n} zeros`);
    for (const at of new Set([0, n >> 1, n - 1].filter((i) => i >= 0 && i < n))) {
      const a = new Uint8Array(n);
      a[at] = 0x80;
      assert.not.ok(isZero(a), `${n} bytes, byte ${at} set`);
    }
  }
});

test('equalBytes: equal contents of equal length; a different length (a prefix too) or any one byte different is not', () => {
  for (const n of [0, 1, 7, 128, 4096]) {
    const a = bytes(n, n + 1);
    assert.ok(equalBytes(a, a.slice()), `${n} bytes`);
    assert.not.ok(equalBytes(a, Uint8Array.of(...a, 0)), `${n} bytes against one more`);
    assert.not.ok(equalBytes(Uint8Array.of(...a, 0), a), `${n + 1} bytes against one fewer`);
    for (const at of new Set([0, n >> 1, n - 1].filter((i) => i >= 0 && i < n))) {
      const b = a.slice();
      b[at]! ^= 1;
      assert.not.ok(equalBytes(a, b), `${n} bytes, byte ${at} different`);
    }
  }
});

/** Runs `body` with `globalThis.WebAssembly` replaced (an engine without it, or without SIMD), then puts it back. */
function withWebAssembly(replacement: unknown, body: () => void): void {
  const real = globalThis.WebAssembly;
  Object.defineProperty(globalThis, 'WebAssembly', { value: replacement, configurable: true, writable: true });
  try {
    body();
  } finally {
    Object.defineProperty(globalThis, 'WebAssembly', { value: real, configurable: true, writable: true });
  }
}

test('xorKernelSupported: false on an engine whose WebAssembly rejects the module (no SIMD) or that has none, so the payload memory goes without the kernel', () => {
  let asked: unknown;
  withWebAssembly({ validate: (module: unknown) => ((asked = module), false) }, () => assert.is(xorKernelSupported(), false, 'no SIMD'));
  assert.is(asked, XOR_KERNEL_WASM, 'it asks the engine about the module itself');
  withWebAssembly(undefined, () => assert.is(xorKernelSupported(), false, 'no WebAssembly at all'));
  assert.ok(xorKernelSupported(), 'this engine (Node ≥ 20) has it');
});

test('the kernel on exactly the bytes asked: neighbours untouched', () => {
  const owner = {};
  const base = allocatePayload(1 << 16, owner);
  const all = new Uint8Array(payloadBuffer()!, base, 1 << 16);
  for (const n of [128, 129, 143, 191, 192, 1000, 4096]) {
    all.fill(0xaa);
    const dst = all.subarray(3, 3 + n);
    const src = all.subarray(8000, 8000 + n).fill(0x0f);
    xorInto(dst, src);
    assert.ok(dst.every((x) => x === 0xa5), `${n}: every byte XORed`);
    assert.is(all[2], 0xaa, `${n}: the byte before`);
    assert.is(all[3 + n], 0xaa, `${n}: the byte after`);
  }
});

test('payload memory: one buffer that never changes (nothing is ever detached); ranges are zeroed, apart and counted', () => {
  const owner = {};
  const first = allocatePayload(3 << 16, owner);
  const buffer = payloadBuffer()!;
  const view = new Uint8Array(buffer, first, 3 << 16);
  assert.ok(first >= 0 && first % 65536 === 0);
  assert.ok(view.every((x) => x === 0));
  view.fill(9);
  assert.ok(payloadMemoryStats().inUseBytes >= 3 << 16);
  const second = allocatePayload(1 << 20, owner);
  assert.ok(second >= first + (3 << 16) || second + (1 << 20) <= first, 'ranges do not overlap');
  assert.is(payloadBuffer(), buffer, 'the same buffer');
  assert.is(view.length, 3 << 16, 'views made before stay whole');
  assert.ok(view.every((x) => x === 9));
});

test.run();
