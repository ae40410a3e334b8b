// One run of one scenario with one seed: build the world (it arms its own
// checkers), prefill it, let the fault injector and the run's observers
// subscribe to its events, run the phases (phases.ts), and say what
// happened (run-report.ts).
import type { ControllerModule } from '../../src/controller-api.js';
import type { AckPolicy } from '../../src/protocol/ack-policy.js';
import type { PlantedBugs } from '../../src/protocol/planted-bugs.js';
import { Engine } from '../engine/engine.js';
import type { RecordSink, TraceSink } from '../engine/trace.js';
import { FaultInjector } from '../faults/fault-injector.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { wallNowMs } from '../wall-clock.js';
import type { HostOp } from '../workload/host-workload.js';
import { World } from '../world/world.js';
import { type Images, buildImages } from './images.js';
import { runPhases } from './phases.js';
import { type RunReport, reportRun } from './run-report.js';

export interface RunOptions {
  readonly seed: number;
  /** The scenario file, for the replay command of a run as written. */
  readonly file: string;
  /** The replay command of a prepared run (prepareRun: --swarm, --quick, --protocol), built once there. */
  readonly replay?: string;
  /** Receives every trace record as a JSON line (`run --trace`). */
  readonly traceSink?: TraceSink;
  /** Receives every trace record as an object (replay); used instead of traceSink. */
  readonly recordSink?: RecordSink;
  /** Planted controller bugs (self-test and tests only; no CLI flag sets this). */
  readonly plantedBugs?: PlantedBugs;
  /** A user's controllers in place of the built-in ones (`--controllers`: sim/world/controller-module.ts loads them). */
  readonly controllers?: ControllerModule;
  /** Receives the arrays' logical images once the run is over. */
  readonly onImages?: (images: Images) => void;
  /** Hears every completed host operation (reports: percentiles, latency over time). */
  readonly onHostOp?: (op: HostOp) => void;
  /** Sees the world as the load starts and once the run is over (reports: drive and network statistics). Must not change it. */
  readonly onPhase?: (phase: 'load' | 'end', world: World) => void;
  /** Tests only: called once the world is built and prefilled, before the parity build (e.g. to damage it). */
  readonly beforeBuild?: (world: World) => void;
  /** Tests only: check host data against this ack policy's promise instead of the scenario's (to show the difference). */
  readonly checkAs?: AckPolicy;
}

export async function runScenario(scenario: ResolvedScenario, options: RunOptions): Promise<RunReport> {
  const startedMs = wallNowMs();
  const engine = new Engine(options.seed);
  if (options.traceSink !== undefined) engine.trace.setSink(options.traceSink);
  if (options.recordSink !== undefined) engine.trace.setRecordSink(options.recordSink);
  const world = new World(engine, scenario, options.plantedBugs, options.controllers);
  const initial = world.prefill();
  options.beforeBuild?.(world);
  const checkers = world.check(initial, options.checkAs);
  const faults = new FaultInjector(engine, world);
  const onHostOp = options.onHostOp;
  if (onHostOp !== undefined) world.events.on('host-op', ({ array, block, write, ok, startUs, endUs }) => onHostOp({ array, block, write, ok, startUs, endUs }));

  await runPhases(world, checkers, faults, { onLoad: (w) => options.onPhase?.('load', w) });
  options.onImages?.(buildImages(world));
  options.onPhase?.('end', world);
  // Payload memory is not garbage the collector hurries to (payload-memory.ts): hand it back now.
  world.release();
  checkers.release();
  return reportRun({ scenario, seed: options.seed, world, checkers, faults, startedMs, replay: options.replay, file: options.file });
}
