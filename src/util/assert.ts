// Assertions for controller invariants. A failed assertion is a bug in the
// product (the simulator reports it as a crash); it is never used for I/O
// errors, which are returned as values.

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
