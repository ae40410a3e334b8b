// The simulator's own limits: virtual time is integer µs up to 2^53 (about
// 285 years) and at most 2^26 events may wait at once. A run that reaches one
// has asked more of the simulator than it can do; that says nothing about the
// protocol, so it is its own verdict ('limit'), not a crash of a controller.
export class SimulatorLimit extends RangeError {
  override readonly name = 'SimulatorLimit';
}

export function isSimulatorLimit(error: unknown): error is SimulatorLimit {
  return error instanceof SimulatorLimit || (error instanceof Error && error.name === 'SimulatorLimit');
}
