// The Clock conformance tests (clock.conformance.ts) on the simulated clock
// (virtual time, the engine's event queue) and on the system clock.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
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

const own = suite('SystemClock: what only the system clock has');

own('cancelled timers keep no Node timer alive (a process with nothing left to do exits)', async () => {
  const clock = new SystemClock(() => {});
  const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timeouts();
  const far = [clock.timer(60e6, () => {}), clock.timer(30e6, () => {}), clock.timer(90e6, () => {})];
  assert.is(timeouts(), before + 1, 'one Node timer for the whole queue');
  far[1]!.cancel(); // the earliest, armed for
  far[0]!.cancel();
  assert.is(timeouts(), before + 1, 'one still live');
  far[2]!.cancel();
  assert.is(timeouts(), before, 'none live: nothing armed');
});

own('stop(): timers and sleeps dropped, none set again, no task started (a stopped node keeps nothing alive)', async () => {
  const clock = new SystemClock(() => {});
  const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timeouts();
  let fired = 0;
  clock.timer(1000, () => fired++);
  void clock.sleep(1000).then(() => fired++);
  assert.is(timeouts(), before + 1);
  clock.stop();
  assert.is(timeouts(), before, 'nothing armed once stopped');
  clock.timer(10, () => fired++);
  clock.spawn('after stop', async () => void fired++);
  assert.is(timeouts(), before, 'a timer set after stop() arms nothing');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.is(fired, 0);
});
own.run();
