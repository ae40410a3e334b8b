// Event-triggered faults: a schedule entry with `after` happens `delay` after
// the first matching event (an array failed, replaced, restored, joined, left,
// rebuilt; a loss reported; a controller crashed or restarted; power back)
// that comes once the entry is armed at its `at`. A restore's or a join's
// length is not known when a scenario is written, so this is how a fault lands
// "just after the restore" or "right after a loss report" (the generated
// worlds of sim/generate/ rely on it).
//
// Each entry fires at most once, and only within the fault phase: one whose
// moment would fall after the load has ended never happens (like every other
// fault). Events reach the triggers in engine order and armed entries are
// kept in arming order, so which entry fires when is deterministic.
import type { Engine } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import type { TriggerEvent } from './entry-fields.js';
import type { ScheduledFault } from './registry.js';

interface Armed {
  readonly fault: ScheduledFault;
  fired: boolean;
}

export class FaultTriggers {
  readonly #engine: Engine;
  readonly #kind: KindId;
  readonly #fire: (fault: ScheduledFault) => void;
  readonly #armed: Armed[] = [];
  #end: Time = Infinity;

  constructor(engine: Engine, kind: KindId, fire: (fault: ScheduledFault) => void) {
    this.#engine = engine;
    this.#kind = kind;
    this.#fire = fire;
  }

  /** Triggered faults may happen until `end` (the end of the load phase). */
  setEnd(end: Time): void {
    this.#end = end;
  }

  /** From now on `fault` waits for its event. */
  arm(fault: ScheduledFault): void {
    if (fault.after !== undefined) this.#armed.push({ fault, fired: false });
  }

  /** `event` happened to `array`: every armed entry waiting for it is set off. */
  event(event: TriggerEvent, array: string): void {
    for (const a of this.#armed) {
      const after = a.fault.after!;
      if (a.fired || after.event !== event || (after.array !== undefined && after.array !== array)) continue;
      a.fired = true;
      if (this.#engine.now + after.delay > this.#end) continue; // past the fault phase: it never happens
      this.#engine.after(after.delay, this.#kind, () => this.#fire(a.fault));
    }
  }

  /** Entries armed and never set off (for the coverage map: a plan that did not land). */
  get waiting(): number {
    return this.#armed.filter((a) => !a.fired).length;
  }
}
