// One run of one scenario with one seed: build the world, build parity, run the
// host load, check everything, and say what happened.
//
// Phases: prefill → parity build (then a full sweep) → host load for
// `workload.duration` → settle (bounded by `settle`: liveness) → final sweep.
// The first violation stops the run.
import type { AckPolicy } from '../../src/protocol/ack-policy.js';
import type { PlantedBugs } from '../../src/protocol/planted-bugs.js';
import { DurabilityChecker } from '../checker/durability-checker.js';
import { HonestyChecker } from '../checker/honesty-checker.js';
import { ParityChecker } from '../checker/parity-checker.js';
import { type Violation, verdictOf } from '../checker/violation.js';
import { Engine } from '../engine/engine.js';
import { isSimulatorLimit } from '../engine/limit.js';
import { formatTime } from '../engine/time.js';
import { FaultInjector } from '../faults/fault-injector.js';
import type { RecordSink, TraceSink } from '../engine/trace.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { wallNowMs } from '../wall-clock.js';
import { type HostOp, HostWorkload } from '../workload/host-workload.js';
import { World } from '../world/world.js';
import { type Images, buildImages } from './images.js';
import { overload } from './overload.js';
import { AnomalyChecker } from '../checker/anomaly-checker.js';
import { prefill } from './prefill.js';
import { replayCommand } from '../scenario/prepare/replay-command.js';
import { type RunReport, summarize } from './run-report.js';

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
  const world = new World(engine, scenario, options.plantedBugs);
  const violations: Violation[] = [];
  const report = (v: Omit<Violation, 'recent'>) => {
    violations.push({ ...v, recent: v.block === null ? [] : engine.trace.recentFor(v.block) });
    engine.stop();
  };
  const initial = prefill(engine, world);
  options.beforeBuild?.(world);
  const durability = new DurabilityChecker(engine, initial.contents, report, options.checkAs ?? scenario.ackPolicy);
  world.onSend = (from, to, m) => {
    if (m.type === 'delta' && m.seq > 0) durability.deltaSent(from, m.block, m.seq);
    else if (m.type === 'delta-ack' && from === world.parity.name) durability.deltaDurable(to, m.seq);
    faults.sent(from, to, m);
  };
  world.onFailed = (array) => durability.arrayFailed(array);
  const honesty = new HonestyChecker(engine, world, report);
  new AnomalyChecker(engine, world, report);
  const parity = new ParityChecker(engine, world, report, (block) => honesty.held(block));
  let lastDoneUs = 0;
  const hosts = new HostWorkload(engine, world, durability, (op) => {
    lastDoneUs = op.endUs;
    options.onHostOp?.(op);
  });
  const faults = new FaultInjector(engine, world);
  // The world's hooks also tell the fault injector (event-triggered faults, the coverage map's phases).
  world.onLost = (array, block, again) => {
    if (honesty.judge(array, block, again)) faults.event('lost', array);
  };
  world.onJoined = (array) => {
    // A rebuilt parity array is whole once it has merged every member (the world then closes its outage), not at the first.
    if (world.outages.get(world.parity.name)?.at(-1)?.restoredAt !== undefined) faults.repaired(world.parity.name);
    if (parity.sweep()) faults.event('joined', array); // after every join (and parity rebuild), the whole array
  };
  world.onLeft = (array) => {
    if (parity.sweep()) faults.event('left', array); // after every leave, the whole array
  };
  world.onRestored = (array) => {
    faults.repaired(array);
    honesty.check();
    if (parity.sweep()) faults.event('restored', array); // after every restore, the whole array
  };

  const phases = async () => {
    let built = false;
    engine.watch(
      world.parity.controller.build().then(() => void (built = true)),
      `${world.parity.name}: build`,
    );
    const buildStop = await engine.run({ stopWhen: () => built });
    if (buildStop !== 'predicate') {
      if (buildStop === 'quiescent') report(liveness(engine.now, world.parity.name, 'parity build stopped making progress before it completed'));
      return;
    }
    world.builtAt = engine.now;
    if (!parity.sweep()) return;

    const loadStart = engine.now;
    const loadEnd = loadStart + scenario.workload.duration;
    options.onPhase?.('load', world);
    faults.start(engine.now, loadEnd);
    world.buggify?.start(loadEnd, (event, array) => faults.event(event, array));
    hosts.start(loadEnd);
    if (scenario.scrub !== undefined) {
      world.startScrub();
      engine.at(loadEnd, engine.trace.kind('scrub.finish'), () => world.finishScrub());
    }
    const loadStop = await engine.run({ until: loadEnd + scenario.settle });
    if (loadStop === 'stopped' || loadStop === 'crashed') return;
    if (hosts.running > 0 || engine.pending > 0) {
      const completed = hosts.stats.acked + hosts.stats.failed;
      const over = overload(scenario, { completed, waiting: hosts.running, loadStartUs: loadStart, nowUs: engine.now, lastDoneUs });
      if (over !== undefined) {
        report({ kind: 'overload', timeUs: engine.now, array: null, block: null, message: over });
        return;
      }
      const what = hosts.running > 0 ? `${hosts.running.toLocaleString('en-US')} host stream(s) still waiting on I/O` : `${engine.pending.toLocaleString('en-US')} events still pending`;
      report(liveness(engine.now, null, `${what} ${formatTime(scenario.settle)} after the load stopped (settle bound)`));
      return;
    }
    const unfinished = world.primaries.filter((p) => p.controller.restoring || p.device.failed || world.membership(p.name) === 'joining' || world.membership(p.name) === 'leaving').map((p) => p.name);
    if (world.parity.device.failed) unfinished.push(world.parity.name);
    unfinished.push(...world.media.failedDrives());
    if (unfinished.length > 0) {
      report(liveness(engine.now, unfinished[0]!, `${unfinished.join(', ')} still failed, restoring or joining after the settle bound`));
      return;
    }
    // Every lost drive's blocks rebuilt, and with a scrub every damaged block repaired (or honestly reported lost).
    const unrepaired = world.media.unrepaired(scenario.scrub !== undefined);
    if (unrepaired.length > 0) {
      const d = unrepaired[0]!;
      report({ kind: 'liveness', timeUs: engine.now, array: d.array, block: d.block, message: `${unrepaired.length} damaged block(s) not repaired after the settle bound, first ${d.array}[${d.block}] (${d.kinds.join(', ')})` });
      return;
    }
    honesty.check();
    if (!parity.finalSweep()) return;
    // Every block of every primary holds what its host may read (a restore or repair stored nothing wrong).
    for (const p of world.primaries) {
      const store = p.device.store;
      const skip = (block: number) => world.lostBlocks(p.name).has(block) || world.damage.openAt(p.name, block);
      if (!durability.sweep(p.name, [...initial.blocks(p.name), ...store.writtenBlocks()], (block) => store.get(block), skip)) return;
    }
  };
  await phases();
  options.onImages?.(buildImages(world));
  options.onPhase?.('end', world);
  // Payload memory is not garbage the collector hurries to (payload-memory.ts): hand it back now.
  world.release();
  initial.release();
  durability.release();

  const crash = engine.crash;
  if (crash !== undefined && !violations.some((v) => v.kind === 'crash')) {
    const limit = isSimulatorLimit(crash.error);
    const message = limit ? `the simulator's limit, not the protocol's: ${crash.error.message} (${crash.where})` : `${crash.where}: ${describeError(crash.error)}`;
    violations.unshift({ kind: limit ? 'limit' : 'crash', timeUs: crash.timeUs, array: null, block: null, message, recent: [] });
  }
  return {
    scenario: scenario.name,
    seed: options.seed,
    protocol: scenario.protocol,
    verdict: verdictOf(violations),
    traceHash: engine.trace.hash,
    events: engine.events,
    simTimeUs: engine.lastEventAt, // not a cancelled timer's time (a restore's watchdog is 2 s)
    wallMs: Math.round(wallNowMs() - startedMs),
    hostOps: { ...hosts.stats },
    checks: { parity: parity.checks, reads: durability.checks, sweeps: parity.sweeps, lossReports: honesty.checks },
    latencyUs: { write: summarize(hosts.writeLatencies), read: summarize(hosts.readLatencies) },
    network: world.network.stats,
    faults: { ...faults.stats },
    ackWindow: { atRisk: durability.atRisk, hits: durability.windowHits },
    probes: world.probes.snapshot(),
    coverage: faults.coverage.snapshot(),
    violations,
    replay: options.replay ?? replayCommand(options.file, options.seed, scenario.protocol),
  };
}

function liveness(timeUs: number, array: string | null, message: string): Omit<Violation, 'recent'> {
  return { kind: 'liveness', timeUs, array, block: null, message };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const where = error.stack?.split('\n').find((line) => line.includes('/src/'))?.trim();
    return `${error.name}: ${error.message}${where ? ` (${where})` : ''}`;
  }
  return String(error);
}
