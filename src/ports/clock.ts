// Port: time and background activity.
//
// Times are integer microseconds. Controllers never read a wall clock or start
// real timers; they ask this port, which the simulator drives in virtual time
// and the real-world adapter drives with the system clock.

export type Micros = number;

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): Micros;
  sleep(us: Micros): Promise<void>;
  /** Calls `fn` once after `us` unless cancelled first. */
  timer(us: Micros, fn: () => void): Timer;
  /**
   * Runs a background activity. Its failure is fatal to the node: an exception
   * escaping a controller is a broken invariant, reported, never swallowed.
   */
  spawn(name: string, task: () => Promise<void>): void;
}
