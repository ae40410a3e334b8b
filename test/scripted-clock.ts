// Shared by the unit tests of parity's parts: a clock whose sleeps are
// recorded (their lengths are what a test of back-off asserts) and end at the
// next turn of the event loop. Past `maxSleeps` a sleep never ends: a retry
// loop that never stops (a mutant's — the mutation judge runs these tests)
// then stops being woken, so the process exits and the test fails instead of
// hanging.
import type { Clock, Timer } from '../src/ports/clock.js';

export function scriptedClock(sleeps: number[], spawn: Clock['spawn'], maxSleeps = 200): Clock {
  const timer: Timer = { cancel() {} };
  return {
    now: () => 0,
    sleep: (us) => {
      sleeps.push(us);
      return sleeps.length > maxSleeps ? new Promise(() => {}) : new Promise((r) => setImmediate(r));
    },
    timer: () => timer,
    spawn,
  };
}
