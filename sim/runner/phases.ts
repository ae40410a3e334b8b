// The phases of one run: parity build (then a full sweep) → host load for
// `workload.duration`, faults and the scrub with it → settle (bounded by
// `settle`: liveness, or overload for an open-loop load the arrays could not
// keep up with) → the checkers' final judgement. Each phase ends the run at
// the first violation.
import type { Checkers } from '../checker/checkers.js';
import type { Violation } from '../checker/violation.js';
import type { Engine } from '../engine/engine.js';
import { formatTime } from '../engine/time.js';
import type { FaultInjector } from '../faults/fault-injector.js';
import type { World } from '../world/world.js';
import { overload } from './overload.js';

export interface PhaseHooks {
  /** Sees the world as the load starts (reports: drive and network statistics). Must not change it. */
  readonly onLoad?: (world: World) => void;
}

export async function runPhases(world: World, checkers: Checkers, faults: FaultInjector, hooks: PhaseHooks = {}): Promise<void> {
  if (!(await buildParity(world, checkers))) return;
  const engine = world.engine;
  const loadStart = engine.now;
  const loadEnd = loadStart + world.scenario.workload.duration;
  hooks.onLoad?.(world);
  startLoad(world, faults, loadEnd);
  const loadStop = await engine.run({ until: loadEnd + world.scenario.settle });
  if (loadStop === 'stopped' || loadStop === 'crashed') return;
  const unsettled = settleBound(world, loadStart);
  if (unsettled !== undefined) return checkers.report(unsettled);
  checkers.final();
}

/** The initial parity build, then a sweep of the whole array; false if the run ends here. */
async function buildParity(world: World, checkers: Checkers): Promise<boolean> {
  const engine = world.engine;
  let built = false;
  engine.watch(
    world.parity.controller.build().then(() => void (built = true)),
    `${world.parity.name}: build`,
  );
  const buildStop = await engine.run({ stopWhen: () => built });
  if (buildStop !== 'predicate') {
    if (buildStop === 'quiescent') checkers.report(liveness(engine.now, world.parity.name, 'parity build stopped making progress before it completed'));
    return false;
  }
  return checkers.built();
}

/**
 * The fault phase and the load start now and end at `loadEnd`; the scrub runs through it and, once
 * the hosts' last operations are done (the load has truly stopped: a write after that is a host's no
 * more), finishes with whole passes until one finds nothing to repair.
 */
function startLoad(world: World, faults: FaultInjector, loadEnd: number): void {
  const engine = world.engine;
  faults.start(engine.now, loadEnd);
  world.buggify?.start(loadEnd, (event, array) => faults.event(event, array));
  world.hosts.start(loadEnd);
  if (world.scenario.scrub !== undefined) {
    world.operator.startScrub();
    engine.at(loadEnd, engine.trace.kind('scrub.finish'), () => world.hosts.whenIdle(() => world.operator.finishScrub()));
  }
}

/** What is wrong if the world is not quiet at the settle bound: an overload, or work that never finished. */
function settleBound(world: World, loadStartUs: number): Omit<Violation, 'recent'> | undefined {
  const engine: Engine = world.engine;
  const hosts = world.hosts;
  if (hosts.running === 0 && engine.pending === 0) return undefined;
  const scenario = world.scenario;
  const completed = hosts.stats.acked + hosts.stats.failed;
  const over = overload(scenario, { completed, waiting: hosts.running, loadStartUs, nowUs: engine.now, lastDoneUs: hosts.lastDoneUs });
  if (over !== undefined) return { kind: 'overload', timeUs: engine.now, array: null, block: null, message: over };
  const what = hosts.running > 0 ? `${hosts.running.toLocaleString('en-US')} host stream(s) still waiting on I/O` : `${engine.pending.toLocaleString('en-US')} events still pending`;
  return liveness(engine.now, null, `${what} ${formatTime(scenario.settle)} after the load stopped (settle bound)`);
}

function liveness(timeUs: number, array: string | null, message: string): Omit<Violation, 'recent'> {
  return { kind: 'liveness', timeUs, array, block: null, message };
}
