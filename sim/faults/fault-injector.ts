// Carries out the scenario's fault schedule against the world, at the virtual
// times it names, and keeps the fault budget.
//
// Budget (DESIGN §6): under `recoverable`, an array failure that would leave a
// second array of the group damaged (failed and not yet replaced and restored)
// is suppressed and counted, so single parity can always repair what broke;
// under `unlimited`, everything scheduled happens.
import type { Engine } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import { LossyNetwork } from '../network/lossy-network.js';
import type { World } from '../world/world.js';
import { startLatentErrors } from './latent-error-process.js';
import type { ScheduledFault } from './schedule-schema.js';

const FAULT_CODES: Record<ScheduledFault['do'], number> = { crash: 1, restart: 2, 'fail-array': 3, 'replace-array': 4, join: 5, leave: 6, partition: 7, heal: 8, flap: 9, 'latent-errors': 10, 'power-fail': 11 };
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

  constructor(engine: Engine, world: World) {
    this.#engine = engine;
    this.#world = world;
    this.#budget = world.scenario.faults.budget;
    this.#kFault = engine.trace.kind('fault', ['code', 'suppressed']);
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
    for (const fault of this.#world.scenario.faults.schedule) {
      this.#engine.at(origin + fault.at, this.#kFault, () => this.#inject(fault));
    }
    const crash = this.#world.scenario.faults.random.controllerCrash;
    if (crash !== undefined && crash.rate !== Infinity) this.#randomCrashes(crash, end);
    const latent = this.#world.scenario.faults.random.latentErrors;
    if (latent !== undefined) {
      startLatentErrors(this.#engine, this.#world, latent, end, (burst) => {
        this.stats.injected++;
        const t = this.#engine.trace;
        t.record(this.#engine.now, this.#kFault, t.actor(burst.array), LATENT_BURST, 0);
      });
    }
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
    if (fault.do === 'fail-array' && this.#budget === 'recoverable' && this.#damaged.size > 0 && !this.#damaged.has(fault.array)) {
      this.#note(fault, true);
      return;
    }
    this.#note(fault, false);
    switch (fault.do) {
      case 'crash': {
        w.crash(fault.array);
        const dead = w.node(fault.array).incarnation.number;
        if (fault.restartAfter !== undefined) this.#engine.after(fault.restartAfter, this.#kFault, () => this.#restartWhenQuiet(fault.array, dead));
        return;
      }
      case 'restart':
        return this.#restartWhenQuiet(fault.array);
      case 'fail-array':
        this.#damaged.add(fault.array);
        w.failArray(fault.array);
        if (fault.replaceAfter !== undefined) this.#engine.after(fault.replaceAfter, this.#kFault, () => w.replaceArray(fault.array));
        return;
      case 'replace-array':
        return w.replaceArray(fault.array);
      case 'join':
        return w.join(fault.array);
      case 'leave':
        return w.leave(fault.array);
      case 'latent-errors':
        return w.addLatentErrors(fault.array, fault.count);
    }
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
    const dead = arrays.map((a) => w.node(a).incarnation.number);
    this.#engine.after(fault.restoreAfter, this.#kFault, () => {
      for (const [i, a] of arrays.entries()) if (w.power.restore(a)) this.#restartWhenQuiet(a, dead[i]!);
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
  }

  #note(fault: ScheduledFault, suppressed: boolean): void {
    if (suppressed) this.stats.suppressed++;
    else this.stats.injected++;
    const t = this.#engine.trace;
    const actor = 'array' in fault ? fault.array : 'between' in fault ? fault.between.join('<->') : (fault.arrays ?? ['all']).join(',');
    t.record(this.#engine.now, this.#kFault, t.actor(actor), FAULT_CODES[fault.do], suppressed ? 1 : 0);
  }
}

/** The scheduled fault a `fault` trace record's code stands for (replay names the timeline's instants by it). */
export function faultName(code: number): string | undefined {
  return Object.entries(FAULT_CODES).find(([, c]) => c === code)?.[0];
}
