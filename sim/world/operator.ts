// The operator: who changes the installation's membership and hardware, and
// keeps their orders standing until done. A primary joins or leaves the
// group; a whole array fails and an empty one replaces it (a primary is then
// restored from parity, a parity array rebuilt from every member); the
// background scrub runs and finishes; the network's faults are switched on
// for the fault phase. What the controllers report back — a restore done, a
// member merged or gone — updates membership and outages, then is published
// (`restored`, `joined`, `left`, `array-failed`).
import type { Engine } from '../engine/engine.js';
import { LossyNetwork } from '../network/lossy-network.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import type { DamageLog } from './damage.js';
import { setNetworkFaults } from './hardware.js';
import type { Installation, PrimaryNode } from './installation.js';
import type { Membership } from './membership.js';
import type { Oracle } from './oracle.js';
import type { WorldEvents } from './world-events.js';

export class Operator {
  readonly #engine: Engine;
  readonly #scenario: ResolvedScenario;
  readonly #installation: Installation;
  readonly #membership: Membership;
  readonly #oracle: Oracle;
  readonly #damage: DamageLog;
  readonly #events: WorldEvents;
  /** The background scrub (scenario `scrub`): off, running, or finishing its last pass. */
  #scrub: 'off' | 'on' | 'finishing' = 'off';

  constructor(engine: Engine, scenario: ResolvedScenario, installation: Installation, membership: Membership, oracle: Oracle, damage: DamageLog, events: WorldEvents) {
    this.#engine = engine;
    this.#scenario = scenario;
    this.#installation = installation;
    this.#membership = membership;
    this.#oracle = oracle;
    this.#damage = damage;
    this.#events = events;
  }

  /** A primary outside the group joins it (claim 3). */
  join(name: string): void {
    const node = this.#installation.node(name) as PrimaryNode;
    this.#membership.set(name, 'joining');
    node.controller.join();
  }

  /** A primary is decommissioned: it leaves the parity group. */
  leave(name: string): void {
    const node = this.#installation.node(name) as PrimaryNode;
    this.#membership.set(name, 'leaving');
    node.controller.leave();
  }

  /** A fresh controller over the same media, given the orders that still stand. */
  restart(name: string): void {
    const inst = this.#installation;
    inst.restart(name);
    if (name !== inst.parity.name) this.#standingOrders(inst.node(name) as PrimaryNode);
    else if (this.#scrub !== 'off') this.startScrub(); // a new controller: its scrub starts over
  }

  /**
   * The operator's orders stand until they are done: a primary restarted
   * before its restore, join or leave completed is given it again (a crash
   * may come before the controller made the order durable). Each is
   * idempotent at parity, and a restore the journal resumes is not begun twice.
   */
  #standingOrders(node: PrimaryNode): void {
    if (this.#oracle.restoreOrdered(node.name)) node.controller.restore();
    const m = this.#membership.of(node.name);
    if (m === 'joining') node.controller.join();
    else if (m === 'leaving') node.controller.leave();
  }

  /** The whole array is lost (its controller with it). */
  failArray(name: string): void {
    const inst = this.#installation;
    this.#oracle.outageBegins(name);
    inst.crash(name);
    inst.node(name).device.fail();
    inst.node(name).log.fail();
    inst.arrayPort(name).clear();
    this.#damage.forget(name, this.#engine.now); // the outage covers every block now
    this.#events.publish({ kind: 'array-failed', array: name });
  }

  /**
   * An empty array replaces a failed one, with a fresh controller: a primary
   * restores its data from parity; a new parity array is rebuilt from every
   * member (each counts as joining it until its blocks are merged).
   */
  replaceArray(name: string): void {
    const inst = this.#installation;
    const node = inst.node(name);
    node.device.replace();
    inst.arrayPort(name).clear();
    // A primary that was leaving is left out of a new parity array: nothing of
    // it goes into Q, so its leave is done (the new array answers its request at once).
    const left: string[] = [];
    if (node === inst.parity) {
      // hardened installs it with every member joining (its controllers merge them all); literal builds.
      const joining = this.#scenario.protocol === 'hardened';
      for (const [array, m] of this.#membership.entries()) if (m === 'leaving') left.push(array);
      this.#membership.parityMembers = inst.primaries
        .filter((p) => this.#membership.of(p.name) === 'member' || this.#membership.of(p.name) === 'joining')
        .map((p) => ({ name: p.name, blockCount: p.device.blockCount, joining }));
    }
    this.restart(name);
    if (node === inst.parity) {
      for (const [array, m] of this.#membership.entries()) if (m === 'member') this.#membership.set(array, 'joining');
      for (const array of left) {
        this.#membership.set(array, 'outside');
        this.#events.publish({ kind: 'left', array });
      }
      inst.parity.controller.rebuild();
    } // a primary: restart() gave it the standing order to restore
  }

  /** Starts the parity scrub, if the scenario has one (and again in every parity controller after a restart). */
  startScrub(): void {
    const scrub = this.#scenario.scrub;
    if (scrub === undefined) return;
    const parity = this.#installation.parity;
    if (this.#scrub === 'off') this.#scrub = 'on';
    if (parity.incarnation.alive) parity.controller.startScrub?.(scrub.interval);
    if (this.#scrub === 'finishing') void parity.controller.finishScrub?.();
  }

  /** The load is over: the scrub does one more whole pass, then stops. */
  finishScrub(): void {
    if (this.#scrub === 'off') return;
    this.#scrub = 'finishing';
    const parity = this.#installation.parity;
    if (parity.incarnation.alive) void parity.controller.finishScrub?.();
  }

  /**
   * Switches the lossy network's faults (loss, duplication, reordering) on for
   * the fault phase, or off again after it, on every link between arrays.
   */
  networkFaults(on: boolean): void {
    const inst = this.#installation;
    if (inst.network instanceof LossyNetwork) setNetworkFaults(inst.network, this.#scenario, inst.nodes().map((x) => x.name), on);
  }

  /** A primary's restore completed: its outage is over. */
  restored(array: string): void {
    this.#oracle.outageEnds(array);
    this.#events.publish({ kind: 'restored', array });
  }

  /** Parity merged `member`: a member now (unless told to leave meanwhile); a rebuilt parity array is whole once it merged them all. */
  joined(member: string): void {
    // A member told to leave while it was still joining (a rebuild) stays leaving.
    if (this.#membership.of(member) === 'joining') this.#membership.set(member, 'member');
    const parity = this.#installation.parity;
    if (parity.device.failed) return;
    if (!this.#membership.anyJoining()) this.#oracle.outageEnds(parity.name);
    this.#events.publish({ kind: 'joined', array: member });
  }

  /** Parity no longer holds `member`. */
  left(member: string): void {
    this.#membership.set(member, 'outside');
    this.#events.publish({ kind: 'left', array: member });
  }
}
