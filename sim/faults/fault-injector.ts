// Carries out the scenario's fault schedule against the world, at the virtual
// times it names, and keeps the fault budget.
//
// Budget (docs/SCENARIOS.md, faults.budget): under `recoverable`, a failure that would leave two
// copies of one block group damaged at once — an array failure while another
// array is failed and not yet restored, or holds any damaged block; a drive
// failure whose blocks are damaged on another array; a latent error, a
// corrupted or misdirected block whose group is damaged elsewhere — is
// suppressed and counted (per block), so single parity can always repair what
// broke; under `unlimited`, everything scheduled happens.
import type { Message } from '../../src/protocol/messages.js';
import { CoverageRecorder } from '../coverage/coverage-recorder.js';
import { familyOf } from '../coverage/cells.js';
import type { Engine } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import { LossyNetwork } from '../network/lossy-network.js';
import type { World } from '../world/world.js';
import { startLatentErrors } from './latent-error-process.js';
import { sendRogueFrames } from './rogue-peer.js';
import { FaultTriggers } from './fault-triggers.js';
import type { ScheduledFault, TriggerEvent } from './schedule-schema.js';

const FAULT_CODES: Record<ScheduledFault['do'], number> = {
  crash: 1,
  restart: 2,
  'fail-array': 3,
  'replace-array': 4,
  join: 5,
  leave: 6,
  partition: 7,
  heal: 8,
  flap: 9,
  'latent-errors': 10,
  'fail-drive': 11,
  'replace-drive': 12,
  corrupt: 13,
  misdirect: 14,
  'power-fail': 15,
  'rogue-messages': 16,
  'misdirect-read': 17,
};
/** Trace code of a burst of the random latent-error process. */
const LATENT_BURST = 100;

export interface FaultStats {
  injected: number;
  suppressed: number;
}

export class FaultInjector {
  readonly stats: FaultStats = { injected: 0, suppressed: 0 };
  readonly #engine: Engine;
  readonly #world: World;
  readonly #budget: 'recoverable' | 'unlimited';
  readonly #damaged = new Set<string>();
  readonly #kFault: KindId;
  readonly #triggers: FaultTriggers;
  /** Which fault families struck in which protocol phases (sim/coverage/). */
  readonly coverage: CoverageRecorder;
  /** Parity outages whose rebuild was announced (`rebuilt`). */
  readonly #rebuilt = new WeakSet<object>();

  constructor(engine: Engine, world: World) {
    this.#engine = engine;
    this.#world = world;
    this.#budget = world.scenario.faults.budget;
    this.#kFault = engine.trace.kind('fault', ['code', 'suppressed']);
    this.#triggers = new FaultTriggers(engine, this.#kFault, (fault) => this.#inject(fault));
    this.coverage = new CoverageRecorder(world);
  }

  /**
   * Something happened that triggered faults may wait for (fault-triggers.ts)
   * and the coverage map's phases follow: the runner reports restores, joins,
   * leaves and loss reports from the world's hooks; the injector its own doings.
   */
  event(event: TriggerEvent, array: string): void {
    const w = this.#world;
    const outage = w.outages.get(w.parity.name)?.at(-1);
    const rebuild = event === 'joined' && outage !== undefined && (outage.restoredAt === undefined || outage.restoredAt === this.#engine.now);
    this.coverage.tracker.event(event, array, rebuild);
    this.#triggers.event(event, array);
    if (rebuild && outage.restoredAt !== undefined && !this.#rebuilt.has(outage)) {
      this.#rebuilt.add(outage);
      this.event('rebuilt', w.parity.name);
    }
  }

  /** Every message a live controller sends (the coverage map follows unacknowledged deltas). */
  sent(from: string, to: string, message: Message): void {
    this.coverage.tracker.sent(from, to, message);
  }

  /** Arrays currently failed and not yet whole again. */
  get damaged(): ReadonlySet<string> {
    return this.#damaged;
  }

  /** Schedules every fault of the scenario, `at` counted from `origin`; random ones stop at `end`. */
  start(origin: Time, end: Time): void {
    // The network's faults last the fault phase (the load), then heal.
    this.#world.networkFaults(true);
    this.#engine.at(end, this.#kFault, () => this.#world.networkFaults(false));
    this.#triggers.setEnd(end);
    for (const fault of this.#world.scenario.faults.schedule) {
      if (fault.after === undefined) this.#engine.at(origin + fault.at, this.#kFault, () => this.#inject(fault));
      else if (fault.at === 0) this.#triggers.arm(fault);
      else this.#engine.at(origin + fault.at, this.#kFault, () => this.#triggers.arm(fault));
    }
    const crash = this.#world.scenario.faults.random.controllerCrash;
    if (crash !== undefined && crash.rate !== Infinity) this.#randomCrashes(crash, end);
    const latent = this.#world.scenario.faults.random.latentErrors;
    if (latent !== undefined) {
      startLatentErrors(
        this.#engine,
        this.#world,
        latent,
        end,
        (burst) => {
          this.stats.injected++;
          this.coverage.fault('latent-error', [burst.array]);
          const t = this.#engine.trace;
          t.record(this.#engine.now, this.#kFault, t.actor(burst.array), LATENT_BURST, 0);
        },
        (array, block) => {
          const allowed = !this.#overBudget(array, [block]);
          if (!allowed) this.stats.suppressed++;
          return allowed;
        },
      );
    }
    const drives = this.#world.scenario.faults.random.driveFailures;
    if (drives !== undefined && drives.afr !== Infinity) this.#randomDriveFailures(drives, end);
  }

  /**
   * Every drive of every HDD array fails at its annual rate × acceleration (one
   * Poisson process over the drives still running); each failed drive is
   * replaced after an exponential delay with mean `replaceAfter`.
   */
  #randomDriveFailures(options: { afr: number; acceleration: number; replaceAfter: number }, end: Time): void {
    const rng = this.#engine.random.stream('faults/drive-failure');
    const w = this.#world;
    const drivesPer = w.scenario.disk.model === 'hdd' ? w.scenario.disk.drives : 0;
    const all = w.nodes().flatMap((n) => Array.from({ length: drivesPer }, (_, drive) => ({ array: n.name, drive })));
    // afr is a mean interval per drive; the whole fleet fails `all.length` times as often.
    const mean = options.afr / options.acceleration / all.length;
    const next = () => {
      const at = this.#engine.now + Math.max(1, Math.round(rng.exponential(mean)));
      if (at >= end) return;
      this.#engine.at(at, this.#kFault, () => {
        const running = all.filter(({ array, drive }) => !w.media.driveFailed(array, drive));
        if (running.length > 0) {
          const { array, drive } = rng.pick(running);
          this.#inject({ at: 0, do: 'fail-drive', array, drive, replaceAfter: Math.max(1, Math.round(rng.exponential(options.replaceAfter))) });
        }
        next();
      });
    };
    next();
  }

  /** recoverable: would damaging `blocks` of `array` (undefined: all of it) leave two copies of some group damaged? */
  #overBudget(array: string, blocks: readonly number[] | undefined): boolean {
    if (this.#budget !== 'recoverable') return false;
    const w = this.#world;
    for (const other of w.nodes()) {
      if (other.name === array) continue;
      if (this.#damaged.has(other.name)) return true;
      if (blocks === undefined ? w.damage.openCount(other.name) > 0 : blocks.some((b) => w.damage.openAt(other.name, b))) return true;
    }
    return false;
  }

  /** A Poisson process of controller crashes over the chosen nodes, each restarted after an exponential delay. */
  #randomCrashes(options: { rate: number; restartAfter: number; include: 'all' | 'primaries' | 'parity' }, end: Time): void {
    const rng = this.#engine.random.stream('faults/controller-crash');
    const w = this.#world;
    const candidates = options.include === 'parity' ? [w.parity.name] : options.include === 'primaries' ? w.primaries.map((p) => p.name) : w.nodes().map((n) => n.name);
    const next = () => {
      const at = this.#engine.now + Math.max(1, Math.round(rng.exponential(options.rate)));
      if (at >= end) return;
      this.#engine.at(at, this.#kFault, () => {
        const array = rng.pick(candidates);
        if (w.node(array).incarnation.alive) {
          this.#inject({ at: 0, do: 'crash', array, restartAfter: Math.max(1, Math.round(rng.exponential(options.restartAfter))) });
        }
        next();
      });
    };
    next();
  }

  /** The array is whole again (its data restored). */
  repaired(array: string): void {
    this.#damaged.delete(array);
  }

  #inject(fault: ScheduledFault): void {
    const w = this.#world;
    if (fault.do === 'power-fail') return this.#powerFail(fault);
    if (!('array' in fault)) return this.#injectNetwork(fault);
    const overBudget =
      (fault.do === 'fail-array' && !this.#damaged.has(fault.array) && this.#overBudget(fault.array, undefined)) ||
      (fault.do === 'fail-drive' && this.#overBudget(fault.array, w.media.blocksOnDrive(fault.array, fault.drive)));
    if (overBudget) {
      this.#note(fault, true);
      return;
    }
    this.#note(fault, false);
    switch (fault.do) {
      case 'crash': {
        w.crash(fault.array);
        this.event('crashed', fault.array);
        const dead = w.node(fault.array).incarnation.number;
        if (fault.restartAfter !== undefined) this.#engine.after(fault.restartAfter, this.#kFault, () => this.#restartWhenQuiet(fault.array, dead));
        return;
      }
      case 'restart':
        return this.#restartWhenQuiet(fault.array);
      case 'fail-array':
        this.#damaged.add(fault.array);
        w.failArray(fault.array);
        this.event('failed', fault.array);
        if (fault.replaceAfter !== undefined) this.#engine.after(fault.replaceAfter, this.#kFault, () => this.#replace(fault.array));
        return;
      case 'replace-array':
        return this.#replace(fault.array);
      case 'join':
        w.join(fault.array);
        return this.event('joining', fault.array);
      case 'leave':
        w.leave(fault.array);
        return this.event('leaving', fault.array);
      case 'latent-errors':
        this.stats.suppressed += fault.count - w.media.addLatentErrors(fault.array, fault.count, (block) => !this.#overBudget(fault.array, [block]));
        return;
      case 'fail-drive':
        w.media.failDrive(fault.array, fault.drive);
        this.event('drive-failed', fault.array);
        if (fault.replaceAfter !== undefined) this.#engine.after(fault.replaceAfter, this.#kFault, () => w.media.replaceDrive(fault.array, fault.drive));
        return;
      case 'replace-drive':
        return w.media.replaceDrive(fault.array, fault.drive);
      case 'corrupt':
        this.stats.suppressed += fault.count - w.media.corrupt(fault.array, fault.count, (block) => !this.#overBudget(fault.array, [block]));
        return;
      case 'misdirect':
        return w.media.misdirect(fault.array, fault.count, (block) => !this.#overBudget(fault.array, [block]));
      case 'rogue-messages':
        return sendRogueFrames(this.#engine, w, fault);
      case 'misdirect-read':
        // Transient, but two on one block defeat the controllers' second read: within the budget, like any damage.
        this.stats.suppressed += fault.count - w.media.misread(fault.array, fault.count, (block) => !this.#overBudget(fault.array, [block]));
        return;
    }
  }

  /** An empty array takes a failed one's place. */
  #replace(array: string): void {
    this.#world.replaceArray(array);
    this.event('replaced', array);
  }

  #injectNetwork(fault: Extract<ScheduledFault, { between: unknown }>): void {
    const net = this.#world.network;
    if (!(net instanceof LossyNetwork)) throw new Error(`fault ${fault.do} needs the lossy network`); // resolve.ts rejects this earlier
    this.#note(fault, false);
    const [a, b] = fault.between;
    switch (fault.do) {
      case 'partition':
        if (fault.oneWay) net.partitionOneWay(a, b);
        else net.partition(a, b);
        if (fault.for !== undefined) this.#engine.after(fault.for, this.#kFault, () => (fault.oneWay ? net.healOneWay(a, b) : net.heal(a, b)));
        return;
      case 'heal':
        return net.heal(a, b);
      case 'flap':
        return net.flap(a, b, { downUs: fault.down, upUs: fault.up, count: fault.count });
    }
  }

  /** Power is lost on the arrays (default all) at once, and returns after restoreAfter. */
  #powerFail(fault: Extract<ScheduledFault, { do: 'power-fail' }>): void {
    const w = this.#world;
    const arrays = fault.arrays ?? w.nodes().map((n) => n.name);
    this.#note(fault, false);
    w.power.fail(arrays);
    for (const a of arrays) this.event('crashed', a);
    this.#engine.after(fault.restoreAfter, this.#kFault, () => {
      for (const a of arrays) {
        if (!w.power.restore(a)) continue;
        this.event('power-restored', a);
        // Whichever controller the last outage left dead boots: one started meanwhile (an array
        // replaced during the outage) may have died in another outage, which ended first.
        const node = w.node(a);
        if (!node.incarnation.alive) this.#restartWhenQuiet(a, node.incarnation.number);
      }
    });
  }

  /**
   * A controller boots only once its disks have power and the I/O its dead
   * predecessor `dead` submitted has drained — unless another restart (a
   * crash's and a power return's may both wait) got there first, or its array
   * has failed meanwhile (the replacement starts a controller of its own).
   */
  #restartWhenQuiet(array: string, dead = this.#world.node(array).incarnation.number): void {
    const node = this.#world.node(array);
    if (node.incarnation.number !== dead || node.device.failed) return;
    if (node.device.inFlight > 0 || node.device.down) {
      this.#engine.after(1000, this.#kFault, () => this.#restartWhenQuiet(array, dead));
      return;
    }
    this.#world.restart(array);
    this.event('restarted', array);
  }

  #note(fault: ScheduledFault, suppressed: boolean): void {
    if (suppressed) this.stats.suppressed++;
    else this.stats.injected++;
    const family = suppressed ? undefined : familyOf(fault.do, 'array' in fault ? fault.array : undefined, this.#world.parity.name);
    if (family !== undefined) {
      const targets = 'array' in fault ? [fault.array] : 'between' in fault ? [...fault.between] : (fault.arrays ?? this.#world.nodes().map((n) => n.name));
      this.coverage.fault(family, targets);
    }
    const t = this.#engine.trace;
    const actor = 'array' in fault ? fault.array : 'between' in fault ? fault.between.join('<->') : (fault.arrays ?? ['all']).join(',');
    t.record(this.#engine.now, this.#kFault, t.actor(actor), FAULT_CODES[fault.do], suppressed ? 1 : 0);
  }
}

/** The scheduled fault a `fault` trace record's code stands for (replay names the timeline's instants by it). */
export function faultName(code: number): string | undefined {
  return Object.entries(FAULT_CODES).find(([, c]) => c === code)?.[0];
}
