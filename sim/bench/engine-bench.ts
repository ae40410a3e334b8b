// The bare engine under a synthetic load: `pending` events always queued, each
// event scheduling the next. Three paths, because they cost differently:
//   typed   — engine.post to a registered handler, delays up to 1 ms: no
//             allocation per event, every delay inside the timing wheel (the best path);
//   closure — engine.after with a fresh closure per event, as most of the
//             simulated world schedules (its disks, network and controllers' timers);
//   far     — the typed path with delays spread log-uniformly from 1 µs to 10 s,
//             so most events go past the wheel into its overflow (retransmit and
//             fault timers, scrub intervals, settle bounds).
// The delays are drawn beforehand (a table of 2^16 from the seeded stream, used
// in turn), so the figure is the engine's cost and not the bench's own
// arithmetic: drawing a log-uniform delay per event was a third of the far
// path's time. Timed in CPU time (cpuNowMs): other load on the machine does
// not inflate it.
import { Engine } from '../engine/engine.js';
import { cpuNowMs } from '../wall-clock.js';

export type EnginePath = 'typed' | 'closure' | 'far';

export interface EngineBenchResult {
  readonly path: EnginePath;
  readonly pending: number;
  readonly events: number;
  readonly cpuMs: number;
  readonly eventsPerSec: number;
  readonly traceHash: string;
}

/** log-uniform in [1 µs, 10 s]: 7 decades. */
function farDelay(u: number): number {
  return Math.max(1, Math.round(10 ** (u * 7)));
}

const DELAYS = 1 << 16;

export async function benchEngine(pending: number, events: number, path: EnginePath = 'typed'): Promise<EngineBenchResult> {
  const engine = new Engine(1);
  const rng = engine.random.stream('bench');
  const table = new Float64Array(DELAYS);
  for (let i = 0; i < DELAYS; i++) table[i] = path === 'far' ? farDelay(rng.float()) : 1 + rng.int(1000);
  let next = 0;
  const delay = (): number => table[next++ & (DELAYS - 1)]!;
  if (path === 'closure') {
    const kind = engine.trace.kind('bench.closure', []);
    const tick = (): void => void engine.after(delay(), kind, () => tick());
    for (let i = 0; i < pending; i++) engine.after(delay(), kind, () => tick());
  } else {
    const tick: number = engine.handler('bench.tick', (arg) => void engine.post(delay(), tick, arg));
    for (let i = 0; i < pending; i++) engine.post(delay(), tick, i);
  }
  const start = cpuNowMs();
  await engine.run({ maxEvents: events });
  const cpuMs = cpuNowMs() - start;
  return { path, pending, events: engine.events, cpuMs, eventsPerSec: engine.events / (cpuMs / 1000), traceHash: engine.trace.hash };
}
