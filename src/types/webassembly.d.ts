// The part of the WebAssembly JavaScript API that xorsim uses (Node has it;
// @types/node 20 does not declare it, and the DOM library would bring the
// browser's globals with it).
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    /** Replaced (and the old one detached) by every grow(). */
    readonly buffer: ArrayBuffer;
    /** Adds `pages` of 64 KiB; returns the previous size in pages; throws RangeError past the maximum. */
    grow(pages: number): number;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  function validate(bytes: Uint8Array): boolean;
}
