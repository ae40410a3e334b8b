// Growing the engine's per-slot typed arrays: doubled until `index` fits, the old contents copied.
type Grown = Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

export function grownFor<T extends Grown>(a: T, index: number): T {
  let n = a.length * 2;
  while (n <= index) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
