// Bad input: a malformed scenario, an unknown flag, an impossible topology.
// Reported as one line naming the file/field/flag and the problem; exit code 2.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_CLEAN = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_BAD_INPUT = 2;
