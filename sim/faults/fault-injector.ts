// Carries out the scenario's fault schedule against the world, at the virtual
// times it names, and keeps the fault budget (fault-budget.ts). What each kind
// of fault does is its own file's (kinds/, listed in registry.ts); the
// injector arms triggered entries (fault-triggers.ts), asks the budget, writes
// each fault's trace record and coverage cell, then hands the entry to its
// kind. It also starts the rate-driven faults of `faults.random` (random/).
import type { Message } from '../../src/protocol/messages.js';
import { CoverageRecorder } from '../coverage/coverage-recorder.js';
import type { Engine } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import type { World } from '../world/world.js';
import type { TriggerEvent } from './entry-fields.js';
import { FaultBudget } from './fault-budget.js';
import type { FaultContext, FaultStats, RandomContext } from './fault-kind.js';
import { FaultTriggers } from './fault-triggers.js';
import { type ScheduledFault, faultKind, randomFaultsOf } from './registry.js';

export class FaultInjector {
  readonly stats: FaultStats = { injected: 0, suppressed: 0 };
  readonly #engine: Engine;
  readonly #world: World;
  readonly budget: FaultBudget;
  readonly #kFault: KindId;
  readonly #triggers: FaultTriggers;
  /** Which fault families struck in which protocol phases (sim/coverage/). */
  readonly coverage: CoverageRecorder;
  /** Parity outages whose rebuild was announced (`rebuilt`). */
  readonly #rebuilt = new WeakSet<object>();
  /** What the kinds strike through. */
  readonly #ctx: FaultContext;

  constructor(engine: Engine, world: World) {
    this.#engine = engine;
    this.#world = world;
    this.budget = new FaultBudget(world);
    this.#kFault = engine.trace.kind('fault', ['code', 'suppressed']);
    this.#triggers = new FaultTriggers(engine, this.#kFault, (fault) => this.#inject(fault));
    this.coverage = new CoverageRecorder(world);
    this.#ctx = {
      engine,
      world,
      budget: this.budget,
      stats: this.stats,
      after: (delay, fn) => void engine.after(delay, this.#kFault, fn),
      event: (event, array) => this.event(event, array),
    };
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
    const ctx: RandomContext = {
      ...this.#ctx,
      at: (time, fn) => void this.#engine.at(time, this.#kFault, fn),
      strike: (_kind, fault) => this.#inject(fault as ScheduledFault),
      struck: (code, family, array) => {
        this.stats.injected++;
        this.coverage.fault(family, [array]);
        const t = this.#engine.trace;
        t.record(this.#engine.now, this.#kFault, t.actor(array), code, 0);
      },
    };
    for (const { kind, options } of randomFaultsOf(this.#world.scenario.faults.random)) kind.start(options, end, ctx);
  }

  /** The array is whole again (its data restored). */
  repaired(array: string): void {
    this.budget.repaired(array);
  }

  #inject(fault: ScheduledFault): void {
    const kind = faultKind(fault.do);
    if (kind.overBudget?.(fault, this.#ctx) === true) return this.#note(fault, true);
    this.#note(fault, false);
    kind.inject(fault, this.#ctx);
  }

  /** The fault's trace record, its count, and (if it struck) its coverage cell. */
  #note(fault: ScheduledFault, suppressed: boolean): void {
    if (suppressed) this.stats.suppressed++;
    else this.stats.injected++;
    const w = this.#world;
    const kind = faultKind(fault.do);
    const family = suppressed ? undefined : 'array' in fault && fault.array === w.parity.name && kind.onParity !== undefined ? kind.onParity : kind.family;
    if (family !== undefined) {
      const targets = 'array' in fault ? [fault.array] : 'between' in fault ? [...fault.between] : (fault.arrays ?? w.nodes().map((n) => n.name));
      this.coverage.fault(family, targets);
    }
    const t = this.#engine.trace;
    const actor = 'array' in fault ? fault.array : 'between' in fault ? fault.between.join('<->') : (fault.arrays ?? ['all']).join(',');
    t.record(this.#engine.now, this.#kFault, t.actor(actor), kind.code, suppressed ? 1 : 0);
  }
}
