// The simulated world of one run, composed of its parts — each a file of its
// own — and publishing one typed stream of events (world-events.ts) that its
// checkers, its trace records, the coverage map, the fault injector and
// reports subscribe to:
//
//   installation.ts  the nodes: devices, journals, network, each node's lives
//                    and the controllers of each life (controllers.ts)
//   operator.ts      membership changes and standing orders: join, leave,
//                    fail and replace an array, parity rebuild, the scrub
//   oracle.ts        what the checkers ask: settled, counts, outages,
//                    reported losses, host writes, unfinished work
//   membership.ts    the group as the scenario and the operator made it
//   the hosts        sim/workload/host-workload.ts, publishing each operation
//   block-activity.ts  host operations and disk I/O in flight per stripe, for
//                    a user's controllers (which give the oracle no busy())
//   media-faults.ts, power-supply.ts, damage.ts, buggify.ts: faults and
//                    what they left
//   the checkers     sim/checker/checkers.ts, armed by check() once the
//                    arrays hold their initial contents; the world owns them
//
// World also stands for the whole as the fault model sees it (FaultWorld):
// its methods hand each request to the part whose job it is.
import { builtinControllers } from '../../src/builtin-controllers.js';
import type { ControllerModule } from '../../src/controller-api.js';
import type { HostReadResult, HostWriteResult } from '../../src/primary/host-io.js';
import type { AckPolicy } from '../../src/protocol/ack-policy.js';
import { NO_BUGS, type PlantedBugs } from '../../src/protocol/planted-bugs.js';
import { Checkers } from '../checker/checkers.js';
import type { ArrayPort } from '../disk/array-port.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { Engine } from '../engine/engine.js';
import type { FaultWorld } from '../faults/fault-world.js';
import type { SimNetwork } from '../network/sim-network.js';
import { type Prefilled, prefill } from './prefill.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { HostWorkload } from '../workload/host-workload.js';
import { BlockActivity } from './block-activity.js';
import { SimBuggify } from './buggify.js';
import { DamageLog } from './damage.js';
import { Installation, type ParityNode, type PrimaryNode } from './installation.js';
import { MediaFaults } from './media-faults.js';
import { type MemberState, Membership } from './membership.js';
import { Operator } from './operator.js';
import { type Outage, Oracle } from './oracle.js';
import { PowerSupply } from './power-supply.js';
import { ProbeCounter } from './probe-counter.js';
import { WorldEvents } from './world-events.js';
import { traceWorld } from './world-trace.js';

export type { ParityNode, PrimaryNode } from './installation.js';

export class World implements FaultWorld {
  readonly engine: Engine;
  readonly scenario: ResolvedScenario;
  /** Everything that happens in the world, in order (world-events.ts). */
  readonly events = new WorldEvents();
  readonly installation: Installation;
  readonly operator: Operator;
  readonly oracle: Oracle;
  /** The hosts, one per primary (started by the run's load phase). */
  readonly hosts: HostWorkload;
  /** Code probes reached in this run, by the product and by the simulated world. */
  readonly probes = new ProbeCounter(this.events);
  /** The arrays' power (power-fail in the fault schedule). */
  readonly power = new PowerSupply(this);
  /** Damage to single blocks (latent errors, lost drives, corruption), and when it was repaired. */
  readonly damage = new DamageLog();
  /** Faults that strike single blocks (media-faults.ts), and what they left. */
  readonly media: MediaFaults;
  /** Faults from inside the controllers' code (scenario `buggify`; buggify.ts), if on. */
  readonly buggify: SimBuggify | undefined;
  /** Work in flight on each stripe, as the world sees it: watched for a user's controllers only (block-activity.ts). */
  readonly activity: BlockActivity | undefined;
  /** The built-in controllers run (no user module). */
  readonly builtin: boolean;
  #checkers: Checkers | undefined;

  /**
   * `bugs`: planted mutations of the built-in controllers, for the checker's self-test only.
   * `module`: a user's controllers (`--controllers`) in place of the built-in ones.
   */
  constructor(engine: Engine, scenario: ResolvedScenario, bugs: PlantedBugs = NO_BUGS, module?: ControllerModule) {
    this.engine = engine;
    this.scenario = scenario;
    this.media = new MediaFaults(this);
    this.buggify = scenario.buggify === undefined ? undefined : new SimBuggify(engine, this, scenario.buggify);
    this.builtin = module === undefined;
    this.activity = module === undefined ? undefined : new BlockActivity();
    const membership = new Membership(scenario);
    const { events, damage, probes, media, buggify } = this;
    const reports = {
      lost: (array: string, block: number) => events.publish({ kind: 'block-reported-lost', array, block, again: this.oracle.reportedLost(array, block) }),
      restored: (array: string) => this.operator.restored(array),
      joined: (member: string) => this.operator.joined(member),
      left: (member: string) => this.operator.left(member),
    };
    const { activity } = this;
    this.installation = new Installation({ engine, scenario, events, membership, damage, media, probes, buggify, module: module ?? builtinControllers(bugs), activity, reports });
    this.oracle = new Oracle(engine, scenario, this.installation, membership, damage, events, activity);
    this.operator = new Operator(engine, scenario, this.installation, membership, this.oracle, damage, events);
    this.hosts = new HostWorkload(engine, this, events);
    traceWorld(engine, events, (array) => this.oracle.lostBlocks(array));
  }

  /** Writes each primary's initial contents (scenario `prefill`): the world's history, before parity is built. */
  prefill(): Prefilled {
    return prefill(this.engine, this);
  }

  /** Arms the world's checkers, which judge the run from now on; `initial`: the arrays' contents before any host write. */
  check(initial: Prefilled, policy: AckPolicy = this.scenario.ackPolicy): Checkers {
    if (this.#checkers !== undefined) throw new Error('World: the checkers are armed already');
    this.#checkers = new Checkers(this, initial, policy);
    return this.#checkers;
  }

  /** The checkers, once armed. */
  get checkers(): Checkers | undefined {
    return this.#checkers;
  }

  // The installation.
  get network(): SimNetwork {
    return this.installation.network;
  }

  get primaries(): readonly PrimaryNode[] {
    return this.installation.primaries;
  }

  get parity(): ParityNode {
    return this.installation.parity;
  }

  node(name: string): PrimaryNode | ParityNode {
    return this.installation.node(name);
  }

  nodes(): readonly (PrimaryNode | ParityNode)[] {
    return this.installation.nodes();
  }

  /** Every device, primaries first. */
  devices(): SimDevice[] {
    return this.installation.devices();
  }

  arrayPort(array: string): ArrayPort {
    return this.installation.arrayPort(array);
  }

  crash(name: string): void {
    this.installation.crash(name);
  }

  /** A host write to primary `node`, as its host sees it (the oracle notes an acknowledged one). */
  hostWrite(node: PrimaryNode, block: number, data: Uint8Array): Promise<HostWriteResult> {
    const op = this.installation.serve(node, async () => {
      const result = await node.controller.hostWrite(block, data);
      if (result.ok) this.oracle.hostWriteAcked(node.name, block);
      return result;
    });
    return this.activity === undefined ? op : this.activity.track(block, op);
  }

  hostRead(node: PrimaryNode, block: number): Promise<HostReadResult> {
    const op = this.installation.serve(node, () => node.controller.hostRead(block));
    return this.activity === undefined ? op : this.activity.track(block, op);
  }

  /** The run is over: every array's media gives its payload memory back now. */
  release(): void {
    this.installation.release();
  }

  // The operator.
  restart(name: string): void {
    this.operator.restart(name);
  }

  failArray(name: string): void {
    this.operator.failArray(name);
  }

  replaceArray(name: string): void {
    this.operator.replaceArray(name);
  }

  join(name: string): void {
    this.operator.join(name);
  }

  leave(name: string): void {
    this.operator.leave(name);
  }

  // The oracle.
  membership(array: string): MemberState {
    return this.oracle.membership(array);
  }

  counts(array: string, block: number): boolean {
    return this.oracle.counts(array, block);
  }

  get builtAt(): number | undefined {
    return this.oracle.builtAt;
  }

  get outages(): ReadonlyMap<string, readonly Outage[]> {
    return this.oracle.outages;
  }
}
