// The Clock conformance tests (clock.conformance.ts) on the simulated clock
// (virtual time, the engine's event queue) and on the system clock.
import { suite } from 'uvu';
import { SystemClock } from '../../src/real/system-clock.js';
import { Engine } from '../../sim/engine/engine.js';
import { SimClock } from '../../sim/world/sim-clock.js';
import { clockConformance } from './clock.conformance.js';
import { realDriver, simDriver } from './driver.js';

const sim = suite('Clock conformance: simulated clock');
clockConformance(sim, async () => {
  const engine = new Engine(1);
  return {
    clock: new SimClock(engine, 'a'),
    driver: simDriver(engine),
    fatal: () => (engine.crash === undefined ? [] : [engine.crash.error]),
    async dispose() {},
  };
});
sim.run();

const real = suite('Clock conformance: system clock');
clockConformance(real, async () => {
  const fatal: unknown[] = [];
  return { clock: new SystemClock((error) => void fatal.push(error)), driver: realDriver, fatal: () => fatal, async dispose() {} };
});
real.run();
