// Bad input: a malformed scenario, an unknown flag, an impossible topology.
// Reported as one line naming the file/field/flag and the problem; exit code 2.
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_CLEAN = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_BAD_INPUT = 2;

/** What --help says about exit codes (every command's help ends with it). */
export const EXIT_CODES = 'Exit codes: 0 clean; 1 an invariant was violated, or a run stopped at a limit (overload, or the simulator\'s own); 2 bad input (one line naming the file, field or flag; nothing written).';
