// One incarnation of a node's controller — the built-in product code, or a
// user's module (`--controllers`, guarded: guarded-roles.ts) — built over
// ports gated by its life (incarnation.ts) — the array's port, its journal,
// the network endpoint, the clock, the probes and BUGGIFY — configured as the
// scenario and the group's membership say, and with its reports (a block
// lost, a restore done, a member merged or gone) wired to the world. Every
// message a live controller sends is published (`message-sent`) before the
// network has it.
import type { ControllerModule, ControllerPorts, ParityRole, PrimaryRole } from '../../src/controller-api.js';
import type { Transport } from '../../src/ports/transport.js';
import type { ArrayPort } from '../disk/array-port.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { SimLog } from '../disk/sim-log.js';
import type { Engine } from '../engine/engine.js';
import type { SimNetwork } from '../network/sim-network.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import type { BlockActivity } from './block-activity.js';
import type { SimBuggify } from './buggify.js';
import { guardedParity, guardedPrimary } from './guarded-roles.js';
import type { Incarnation } from './incarnation.js';
import type { Membership } from './membership.js';
import type { ProbeCounter } from './probe-counter.js';
import { SimClock } from './sim-clock.js';
import { Reused, type WorldEvents } from './world-events.js';

/** What controllers report to the rest of the world (the operator and the oracle: World wires them). */
export interface ControllerReports {
  /** A primary reported `block` lost. */
  lost(array: string, block: number): void;
  /** A primary's restore completed. */
  restored(array: string): void;
  /** Parity merged `member` (a join, or one member of a rebuild). */
  joined(member: string): void;
  /** Parity no longer holds `member`. */
  left(member: string): void;
}

export interface ControllerSetup {
  readonly engine: Engine;
  readonly scenario: ResolvedScenario;
  readonly network: SimNetwork;
  readonly events: WorldEvents;
  readonly membership: Membership;
  readonly probes: ProbeCounter;
  readonly buggify: SimBuggify | undefined;
  /** Whose controllers run: the built-in ones, or a user's module (`--controllers`). */
  readonly module: ControllerModule;
  /**
   * Set for a user's module: its controllers' disk I/O is watched here (block-activity.ts), below
   * each life's gate (so I/O a dead controller left in flight is still seen to end), and every
   * call into them is guarded (guarded-roles.ts). The built-in controllers get neither.
   */
  readonly activity?: BlockActivity | undefined;
  /** Every primary's name, in the scenario's order (parity's peers). */
  readonly primaries: readonly string[];
  /** The port `array`'s controllers get (the installation keeps one per array). */
  readonly port: (array: string, device: SimDevice) => ArrayPort;
  readonly reports: ControllerReports;
}

export class Controllers {
  readonly #s: ControllerSetup;
  readonly #sent: Reused<'message-sent'>;

  constructor(setup: ControllerSetup) {
    this.#s = setup;
    this.#sent = new Reused(setup.events, { kind: 'message-sent', from: '', to: '', message: undefined! });
  }

  primary(device: SimDevice, log: SimLog, life: Incarnation): PrimaryRole {
    const s = this.#s.scenario;
    const membership = this.#s.membership.of(device.name);
    const reports = this.#s.reports;
    const report = { blockLost: (block: number) => reports.lost(device.name, block), restored: () => reports.restored(device.name) };
    const make = () => this.#s.module.primary(
      { ...this.#ports(device, log, life), report },
      {
        protocol: s.protocol,
        retransmit: { initialUs: s.retransmit.initial, maxUs: s.retransmit.max },
        parity: s.parity.name,
        // A joining array is told to join again (the operator's standing orders), from outside.
        member: membership === 'member' || membership === 'leaving',
        left: membership === 'outside',
        ackPolicy: s.ackPolicy,
      },
    );
    return this.#s.activity === undefined ? make() : guardedPrimary(device.name, make, this.#fail);
  }

  parity(device: SimDevice, log: SimLog, life: Incarnation): ParityRole {
    const s = this.#s.scenario;
    const reports = this.#s.reports;
    const report = { joined: (member: string) => reports.joined(member), left: (member: string) => reports.left(member) };
    const make = () => this.#s.module.parity(
      { ...this.#ports(device, log, life), report },
      {
        protocol: s.protocol,
        retransmit: { initialUs: s.retransmit.initial, maxUs: s.retransmit.max },
        members: this.#s.membership.parityMembers,
        peers: this.#s.primaries,
      },
    );
    return this.#s.activity === undefined ? make() : guardedParity(device.name, make, this.#fail);
  }

  /** A user's controller failed: the node crashed (the run's verdict). */
  readonly #fail = (error: unknown, where: string): void => this.#s.engine.fail(error, where);

  /** The ports one incarnation of a node's controller gets, each gated by its life. */
  #ports(device: SimDevice, log: SimLog, life: Incarnation): ControllerPorts {
    const { engine, network, probes, buggify } = this.#s;
    const endpoint = network.endpoint(device.name);
    const { listeners, event } = this.#sent;
    const tapped: Transport = {
      self: endpoint.self,
      send: (to, message) => {
        event.from = endpoint.self;
        event.to = to;
        event.message = message;
        for (let i = 0; i < listeners.length; i++) listeners[i]!(event);
        endpoint.send(to, message);
      },
      listen: (handler) => endpoint.listen(handler),
    };
    const port = this.#s.port(device.name, device);
    return {
      disk: life.device(this.#s.activity?.watch(port) ?? port),
      transport: life.transport(tapped),
      clock: life.clock(new SimClock(engine, device.name)),
      journal: log.port(() => life.alive), // gated by the life, as its other ports (incarnation.ts)
      probe: probes.for(device.name),
      ...(buggify !== undefined && { buggify: buggify.for(device.name, life) }),
      boot: life.number, // the platform's boot counter: one per incarnation, replacements included
    };
  }
}
