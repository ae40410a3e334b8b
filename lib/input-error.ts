// Bad input to the library: a scenario that does not validate, a file that
// cannot be read, an option out of range. The command line turns the same
// problems into one line and exit code 2 (cli/usage-error.ts); a library must
// not print or exit, so it throws this instead, with the problems as data.

/** One thing wrong with the input. */
export interface InputProblem {
  /** The scenario file (or the name given to an inline scenario); null for a problem with an option. */
  readonly file: string | null;
  /** The field or option, e.g. "workload.iodepth" or "seed"; "" for the whole file (unreadable, not JSON). */
  readonly field: string;
  /** What is wrong, e.g. "expected an integer ≥ 1, got 0". */
  readonly problem: string;
}

export class InputError extends Error {
  override readonly name = 'InputError';
  /** Every problem found (at least one), in the order the validator met them. */
  readonly problems: readonly InputProblem[];
  /** The first problem's file, field and description. */
  readonly file: string | null;
  readonly field: string;
  readonly problem: string;

  constructor(problems: readonly InputProblem[]) {
    const [first, ...more] = problems;
    if (first === undefined) throw new TypeError('InputError needs at least one problem');
    super(`${describe(first)}${more.length > 0 ? ` (and ${more.length} more problem${more.length > 1 ? 's' : ''})` : ''}`);
    this.problems = problems;
    this.file = first.file;
    this.field = first.field;
    this.problem = first.problem;
  }
}

/** "scenarios/x.json: workload.iodepth: expected an integer ≥ 1, got 0", as the command line words it. */
function describe(p: InputProblem): string {
  return [p.file, p.field, p.problem].filter((part) => part !== null && part !== '').join(': ');
}

/** Throws an InputError about option `field` (no file involved). */
export function badOption(field: string, problem: string): never {
  throw new InputError([{ file: null, field, problem }]);
}
