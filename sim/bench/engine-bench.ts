// The bare engine under a synthetic load: `pending` events always queued, each
// event scheduling the next at a PRNG-drawn delay (no allocation per event).
import { Engine } from '../engine/engine.js';
import { wallNowMs } from '../wall-clock.js';

export interface EngineBenchResult {
  readonly pending: number;
  readonly events: number;
  readonly wallMs: number;
  readonly eventsPerSec: number;
  readonly traceHash: string;
}

export async function benchEngine(pending: number, events: number): Promise<EngineBenchResult> {
  const engine = new Engine(1);
  const rng = engine.random.stream('bench');
  const tick: number = engine.handler('bench.tick', (arg) => void engine.post(1 + rng.int(1000), tick, arg));
  for (let i = 0; i < pending; i++) engine.post(1 + rng.int(1000), tick, i);
  const start = wallNowMs();
  await engine.run({ maxEvents: events });
  const wallMs = wallNowMs() - start;
  return { pending, events: engine.events, wallMs, eventsPerSec: engine.events / (wallMs / 1000), traceHash: engine.trace.hash };
}
