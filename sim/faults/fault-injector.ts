// Carries out the scenario's fault schedule against the world, at the virtual
// times it names, and keeps the fault budget (fault-budget.ts). What each kind
// of fault does is its own file's (kinds/, listed in registry.ts); the
// injector arms triggered entries (fault-triggers.ts), asks the budget, writes
// each fault's trace record and coverage cell, then hands the entry to its
// kind. It also starts the rate-driven faults of `faults.random` (random/).
import { CoverageRecorder } from '../coverage/coverage-recorder.js';
import type { Engine } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import type { Checked } from '../world/world-events.js';
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
    // The coverage map follows unacknowledged deltas from the wire.
    world.events.on('message-sent', (e) => this.coverage.tracker.sent(e.from, e.to, e.message));
    world.events.on('checked', (e) => this.#checked(e.after, e.array, e.ok));
  }

  /**
   * Something happened that triggered faults may wait for (fault-triggers.ts)
   * and the coverage map's phases follow: restores, joins, leaves and loss
   * reports once the checkers found them sound (`checked`); the injector its own doings.
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

  /**
   * The checkers judged the world after a restore, a join, a leave or a loss
   * report: an array restored (or a parity array rebuilt, once it merged every
   * member) is whole again for the budget; a sound judgement is an event.
   */
  #checked(after: Checked, array: string, ok: boolean): void {
    const w = this.#world;
    if (after === 'restored') this.repaired(array);
    // A rebuilt parity array is whole once it has merged every member (the world then closes its outage), not at the first.
    else if (after === 'joined' && w.outages.get(w.parity.name)?.at(-1)?.restoredAt !== undefined) this.repaired(w.parity.name);
    if (ok) this.event(after, array);
  }

  /** Schedules every fault of the scenario, `at` counted from `origin`; random ones stop at `end`. */
  start(origin: Time, end: Time): void {
    // The network's faults last the fault phase (the load), then heal.
    this.#world.operator.networkFaults(true);
    this.#engine.at(end, this.#kFault, () => this.#world.operator.networkFaults(false));
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
