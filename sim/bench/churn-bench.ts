// What the whole stack allocates per event: promises made (async_hooks sees
// each one V8 creates, awaits' included) and bytes allocated on the JS heap
// (the heap in use just before each collection, less what the collection
// before it left: what was allocated between them, collected or not). Each
// measured on a run of its own after the timed ones: a promise hook slows
// every promise, and neither may colour the speed figures.
import { createHook } from 'node:async_hooks';
import { GCProfiler } from 'node:v8';
import { runScenario } from '../runner/run-scenario.js';
import type { ResolvedScenario } from '../scenario/resolve.js';

export interface ChurnFigure {
  readonly events: number;
  readonly promisesPerEvent: number;
  readonly bytesPerEvent: number;
}

/** Promises and heap bytes per event of one full-length run of `scenario` (seed `seed`, a warm process). */
export async function benchChurn(scenario: ResolvedScenario, file: string, seed: number): Promise<ChurnFigure> {
  let promises = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') promises++;
    },
  });
  hook.enable();
  let events: number;
  try {
    events = (await runScenario(scenario, { seed, file })).events;
  } finally {
    hook.disable();
  }
  const profiler = new GCProfiler();
  let used = process.memoryUsage().heapUsed;
  profiler.start();
  const again = await runScenario(scenario, { seed, file });
  const gcs = profiler.stop();
  let bytes = 0;
  for (const gc of gcs.statistics) {
    bytes += gc.beforeGC.heapStatistics.usedHeapSize - used;
    used = gc.afterGC.heapStatistics.usedHeapSize;
  }
  bytes += process.memoryUsage().heapUsed - used;
  // The same seed twice: the same run (determinism), so both figures are per event of it.
  if (again.events !== events) throw new Error(`benchChurn: seed ${seed} ran ${events} then ${again.events} events`);
  return { events, promisesPerEvent: promises / events, bytesPerEvent: bytes / events };
}
