// The XOR kernel in WebAssembly SIMD: dst[0, n) ^= src[0, n) for two ranges
// of one memory, 64 bytes a turn as four 128-bit lanes, then 16-byte lanes,
// then single bytes. Only WebAssembly reaches SIMD from JavaScript; it reaches
// only its own memory, so payloads that should be XORed this way must live
// there (src/util/payload-memory.ts), and copying them in and out per call
// would cost more than the XOR saves.
//
// The module is small enough to assemble by hand, so it is checked in as its
// bytes, each instruction beside its text; test/xor.test.ts compares the
// kernel with a byte loop on every length and alignment. Its source:
//
//   (module
//     (import "xorsim" "memory" (memory 0 65536))      ;; up to 4 GiB, given by the caller
//     (func (export "xor") (param $dst i32) (param $src i32) (param $n i32)
//       (local $end i32)
//       (local.set $end (i32.add (local.get $dst) (i32.and (local.get $n) (i32.const -64))))
//       (block $b64 (loop $l64
//         (br_if $b64 (i32.eq (local.get $dst) (local.get $end)))
//         (v128.store offset=0 (local.get $dst)
//           (v128.xor (v128.load offset=0 (local.get $dst)) (v128.load offset=0 (local.get $src))))
//         …the same at offset=16, offset=32 and offset=48…
//         (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
//         (local.set $src (i32.add (local.get $src) (i32.const 64)))
//         (br $l64)))
//       (local.set $end (i32.add (local.get $dst) (i32.and (local.get $n) (i32.const 48))))
//       (block $b16 (loop $l16
//         (br_if $b16 (i32.eq (local.get $dst) (local.get $end)))
//         (v128.store (local.get $dst) (v128.xor (v128.load (local.get $dst)) (v128.load (local.get $src))))
//         (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
//         (local.set $src (i32.add (local.get $src) (i32.const 16)))
//         (br $l16)))
//       (local.set $end (i32.add (local.get $dst) (i32.and (local.get $n) (i32.const 15))))
//       (block $b1 (loop $l1
//         (br_if $b1 (i32.eq (local.get $dst) (local.get $end)))
//         (i32.store8 (local.get $dst) (i32.xor (i32.load8_u (local.get $dst)) (i32.load8_u (local.get $src))))
//         (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
//         (local.set $src (i32.add (local.get $src) (i32.const 1)))
//         (br $l1)))))
//
// Loads and stores carry the natural alignment hint (16 bytes) but work at any
// address, as WebAssembly requires.

/** The module's binary encoding. */
// prettier-ignore
export const XOR_KERNEL_WASM = Uint8Array.of(
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic "\0asm", version 1
    // type section: one type, (func (param i32 i32 i32))
    0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00,
    // import section: "xorsim" "memory", a memory of 0 to 65536 pages
    0x02, 0x15, 0x01,
    0x06, 0x78, 0x6f, 0x72, 0x73, 0x69, 0x6d,       // "xorsim"
    0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79,       // "memory"
    0x02, 0x01, 0x00, 0x80, 0x80, 0x04,             // memory, limits min 0 max 65536
    // function section: one function, of type 0
    0x03, 0x02, 0x01, 0x00,
    // export section: "xor" = function 0
    0x07, 0x07, 0x01, 0x03, 0x78, 0x6f, 0x72, 0x00, 0x00,
    // code section: one body of 239 bytes
    0x0a, 0xf2, 0x01, 0x01, 0xef, 0x01,
    0x01, 0x01, 0x7f,       // one local: (local $end i32)
    0x20, 0x00,             // local.get $dst
    0x20, 0x02,             // local.get $n
    0x41, 0x40,             // i32.const -64
    0x71,                   // i32.and
    0x6a,                   // i32.add
    0x21, 0x03,             // local.set $end
    0x02, 0x40,             // block
    0x03, 0x40,             //   loop
    0x20, 0x00,             //     local.get $dst
    0x20, 0x03,             //     local.get $end
    0x46,                   //     i32.eq
    0x0d, 0x01,             //     br_if 1
    0x20, 0x00,             //     local.get $dst
    0x20, 0x00,             //     local.get $dst
    0xfd, 0x00, 0x04, 0x00, //     v128.load
    0x20, 0x01,             //     local.get $src
    0xfd, 0x00, 0x04, 0x00, //     v128.load
    0xfd, 0x51,             //     v128.xor
    0xfd, 0x0b, 0x04, 0x00, //     v128.store
    0x20, 0x00,             //     local.get $dst
    0x20, 0x00,             //     local.get $dst
    0xfd, 0x00, 0x04, 0x10, //     v128.load offset=16
    0x20, 0x01,             //     local.get $src
    0xfd, 0x00, 0x04, 0x10, //     v128.load offset=16
    0xfd, 0x51,             //     v128.xor
    0xfd, 0x0b, 0x04, 0x10, //     v128.store offset=16
    0x20, 0x00,             //     local.get $dst
    0x20, 0x00,             //     local.get $dst
    0xfd, 0x00, 0x04, 0x20, //     v128.load offset=32
    0x20, 0x01,             //     local.get $src
    0xfd, 0x00, 0x04, 0x20, //     v128.load offset=32
    0xfd, 0x51,             //     v128.xor
    0xfd, 0x0b, 0x04, 0x20, //     v128.store offset=32
    0x20, 0x00,             //     local.get $dst
    0x20, 0x00,             //     local.get $dst
    0xfd, 0x00, 0x04, 0x30, //     v128.load offset=48
    0x20, 0x01,             //     local.get $src
    0xfd, 0x00, 0x04, 0x30, //     v128.load offset=48
    0xfd, 0x51,             //     v128.xor
    0xfd, 0x0b, 0x04, 0x30, //     v128.store offset=48
    0x20, 0x00,             //     local.get $dst
    0x41, 0xc0, 0x00,       //     i32.const 64
    0x6a,                   //     i32.add
    0x21, 0x00,             //     local.set $dst
    0x20, 0x01,             //     local.get $src
    0x41, 0xc0, 0x00,       //     i32.const 64
    0x6a,                   //     i32.add
    0x21, 0x01,             //     local.set $src
    0x0c, 0x00,             //     br 0
    0x0b,                   //   end
    0x0b,                   // end
    0x20, 0x00,             // local.get $dst
    0x20, 0x02,             // local.get $n
    0x41, 0x30,             // i32.const 48
    0x71,                   // i32.and
    0x6a,                   // i32.add
    0x21, 0x03,             // local.set $end
    0x02, 0x40,             // block
    0x03, 0x40,             //   loop
    0x20, 0x00,             //     local.get $dst
    0x20, 0x03,             //     local.get $end
    0x46,                   //     i32.eq
    0x0d, 0x01,             //     br_if 1
    0x20, 0x00,             //     local.get $dst
    0x20, 0x00,             //     local.get $dst
    0xfd, 0x00, 0x04, 0x00, //     v128.load
    0x20, 0x01,             //     local.get $src
    0xfd, 0x00, 0x04, 0x00, //     v128.load
    0xfd, 0x51,             //     v128.xor
    0xfd, 0x0b, 0x04, 0x00, //     v128.store
    0x20, 0x00,             //     local.get $dst
    0x41, 0x10,             //     i32.const 16
    0x6a,                   //     i32.add
    0x21, 0x00,             //     local.set $dst
    0x20, 0x01,             //     local.get $src
    0x41, 0x10,             //     i32.const 16
    0x6a,                   //     i32.add
    0x21, 0x01,             //     local.set $src
    0x0c, 0x00,             //     br 0
    0x0b,                   //   end
    0x0b,                   // end
    0x20, 0x00,             // local.get $dst
    0x20, 0x02,             // local.get $n
    0x41, 0x0f,             // i32.const 15
    0x71,                   // i32.and
    0x6a,                   // i32.add
    0x21, 0x03,             // local.set $end
    0x02, 0x40,             // block
    0x03, 0x40,             //   loop
    0x20, 0x00,             //     local.get $dst
    0x20, 0x03,             //     local.get $end
    0x46,                   //     i32.eq
    0x0d, 0x01,             //     br_if 1
    0x20, 0x00,             //     local.get $dst
    0x20, 0x00,             //     local.get $dst
    0x2d, 0x00, 0x00,       //     i32.load8_u
    0x20, 0x01,             //     local.get $src
    0x2d, 0x00, 0x00,       //     i32.load8_u
    0x73,                   //     i32.xor
    0x3a, 0x00, 0x00,       //     i32.store8
    0x20, 0x00,             //     local.get $dst
    0x41, 0x01,             //     i32.const 1
    0x6a,                   //     i32.add
    0x21, 0x00,             //     local.set $dst
    0x20, 0x01,             //     local.get $src
    0x41, 0x01,             //     i32.const 1
    0x6a,                   //     i32.add
    0x21, 0x01,             //     local.set $src
    0x0c, 0x00,             //     br 0
    0x0b,                   //   end
    0x0b,                   // end
    0x0b,                   // end
);

export type XorKernel = (dst: number, src: number, n: number) => void;

/** Does this engine run the module (WebAssembly with SIMD)? */
export function xorKernelSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(XOR_KERNEL_WASM);
}

/** The kernel over `memory` (check xorKernelSupported first). */
export function xorKernel(memory: WebAssembly.Memory): XorKernel {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(XOR_KERNEL_WASM), { xorsim: { memory } });
  return instance.exports['xor'] as XorKernel;
}
