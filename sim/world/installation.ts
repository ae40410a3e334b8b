// The installation: N primary arrays and one parity array, each a simulated
// device (hardware.ts) with its journal, behind its real controller
// (controllers.ts: the built-in ones, or a user's module), joined by a
// simulated network — and each node's lives.
//
// It owns each node's life: it builds a controller per incarnation with ports
// gated by it (incarnation.ts), so a crash freezes the old controller and a
// restart starts a fresh one — volatile state lost, media kept. Host I/O goes
// through it (serve), so operations in flight at a crash fail back to the
// host instead of hanging. What its hardware does is published on the
// world's stream: each write landing on the media (`block-landed`, after the
// damage log heard it), each message about a block leaving the wire
// (`message-settled`), each life begun or ended (`node-life`).
import type { ControllerModule, ParityRole, PrimaryRole } from '../../src/controller-api.js';
import { ArrayPort } from '../disk/array-port.js';
import { DiskArray } from '../disk/disk-array.js';
import type { SimDevice } from '../disk/sim-device.js';
import { SimLog } from '../disk/sim-log.js';
import type { Engine } from '../engine/engine.js';
import type { SimNetwork } from '../network/sim-network.js';
import type { ArraySpec, ResolvedScenario } from '../scenario/resolve.js';
import type { BlockActivity } from './block-activity.js';
import type { SimBuggify } from './buggify.js';
import { acknowledgedRepairs, cachedLandingRepairs } from './cached-landing.js';
import { type ControllerReports, Controllers } from './controllers.js';
import type { DamageKind, DamageLog } from './damage.js';
import { makeDevice, makeNetwork } from './hardware.js';
import { Incarnation } from './incarnation.js';
import type { MediaFaults } from './media-faults.js';
import type { Membership } from './membership.js';
import { judgeMisdirections } from './misdirected-write.js';
import type { ProbeCounter } from './probe-counter.js';
import { Reused, type WorldEvents } from './world-events.js';

interface Node<C> {
  readonly name: string;
  readonly device: SimDevice;
  /** The controller's journal: survives a crash, lost with the array. */
  readonly log: SimLog;
  controller: C;
  incarnation: Incarnation;
  /** Host operations waiting on this incarnation, failed back to the host if it dies. */
  readonly hostOps: Set<(failed: DeviceFailed) => void>;
}

export type PrimaryNode = Node<PrimaryRole>;
export type ParityNode = Node<ParityRole>;
type DeviceFailed = { ok: false; error: 'device-failed' };
const LATENT: readonly DamageKind[] = ['latent'];

export interface InstallationSetup {
  readonly engine: Engine;
  readonly scenario: ResolvedScenario;
  readonly events: WorldEvents;
  readonly membership: Membership;
  readonly damage: DamageLog;
  readonly media: MediaFaults;
  readonly probes: ProbeCounter;
  readonly buggify: SimBuggify | undefined;
  /** Whose controllers run (controllers.ts). */
  readonly module: ControllerModule;
  /** Set when the world watches the controllers' disk I/O (a user's module: block-activity.ts). */
  readonly activity: BlockActivity | undefined;
  readonly reports: ControllerReports;
}

export class Installation {
  readonly network: SimNetwork;
  readonly primaries: readonly PrimaryNode[];
  readonly parity: ParityNode;
  #nodes: readonly (PrimaryNode | ParityNode)[] | undefined;
  readonly #s: InstallationSetup;
  readonly #controllers: Controllers;
  /** Per array: the port its controllers get (lives as long as the array's slot). */
  readonly #ports = new Map<string, ArrayPort>();
  readonly #landed: Reused<'block-landed'>;
  readonly #settled: Reused<'message-settled'>;
  /** Drive write caches on: a landing is a destage, judged by cached-landing.ts. */
  readonly #cached: boolean;

  constructor(s: InstallationSetup) {
    const { engine, scenario, events } = s;
    this.#s = s;
    this.#cached = scenario.disk.model === 'hdd' && scenario.disk.writeCache;
    this.#landed = new Reused(events, { kind: 'block-landed', array: '', block: 0 });
    this.#settled = new Reused(events, { kind: 'message-settled', block: 0 });
    this.network = makeNetwork(engine, scenario);
    const port = (array: string, device: SimDevice) => this.arrayPort(array, device);
    const primaries = scenario.primaries.map((p) => p.name);
    this.#controllers = new Controllers({ ...s, network: this.network, primaries, port });
    this.primaries = scenario.primaries.map((spec) => this.#node(spec, (d, log, life) => this.#controllers.primary(d, log, life)));
    this.parity = this.#node(scenario.parity, (d, log, life) => this.#controllers.parity(d, log, life));
    for (const n of this.nodes()) n.device.observe({ written: (block) => this.#written(n.name, block) });
    this.network.observe({ settled: (block) => this.#messageSettled(block) });
    for (const p of this.primaries) p.controller.start();
    this.parity.controller.start();
  }

  #node<C>(spec: ArraySpec, controller: (device: SimDevice, log: SimLog, life: Incarnation) => C): Node<C> {
    const { engine, scenario } = this.#s;
    const device = makeDevice(engine, scenario, spec);
    const incarnation = new Incarnation(spec.name, 1);
    const log = new SimLog(engine, spec.name, scenario.journalLatency);
    return { name: spec.name, device, log, incarnation, controller: controller(device, log, incarnation), hostOps: new Set() };
  }

  /** The port `array`'s controllers get: the array plus its checksum region (array-port.ts). */
  arrayPort(array: string, device?: SimDevice): ArrayPort {
    let port = this.#ports.get(array);
    if (port === undefined) {
      const media = device ?? this.node(array).device;
      const p = (port = new ArrayPort(media));
      const { engine, damage } = this.#s;
      judgeMisdirections(array, media, p, { engine, damage, media: this.#s.media, cached: this.#cached });
      // With a write cache a destage can land before the write's acknowledgement stores its checksum.
      // (Judged only for a block with damage open: a checksum per acknowledged write would cost every run.)
      if (this.#cached) {
        p.onAcknowledged = (block) => {
          if (damage.openAt(array, block)) damage.rewritten(array, block, engine.now, acknowledgedRepairs(media, p, block));
        };
      }
      this.#ports.set(array, p);
    }
    return port;
  }

  #written(array: string, block: number): void {
    const device = this.node(array).device;
    const landing = this.#cached ? cachedLandingRepairs(device, this.#ports.get(array), block) : undefined;
    // A write torn by a power failure lands only its first sectors, and a latent error stays where they
    // did not reach (hdd-media.ts, tear): the block still reads media-error (seed 621: p1's rebuild of its
    // unreadable block 13 torn, the loss it reported later taken for dishonest).
    const unreadable = this.#s.damage.openAt(array, block, LATENT) && device instanceof DiskArray && device.hasLatentError(block);
    const repairs = unreadable ? (kind: DamageKind) => kind !== 'latent' && (landing?.(kind) ?? true) : landing;
    this.#s.damage.rewritten(array, block, this.#s.engine.now, repairs);
    const { listeners, event } = this.#landed;
    event.array = array;
    event.block = block;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(event);
  }

  #messageSettled(block: number): void {
    const { listeners, event } = this.#settled;
    event.block = block;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(event);
  }

  /** The node's controller dies: volatile state lost, host I/O in flight fails. */
  crash(name: string): void {
    const node = this.node(name);
    if (!node.incarnation.alive) return;
    node.incarnation.kill();
    this.#life(node);
    for (const fail of [...node.hostOps]) fail({ ok: false, error: 'device-failed' });
    node.hostOps.clear();
  }

  /** A fresh controller over the same media (after crash()), started. */
  restart(name: string): void {
    const node = this.node(name);
    if (node.incarnation.alive) this.crash(name);
    node.incarnation = new Incarnation(name, node.incarnation.number + 1);
    if (node === this.parity) this.parity.controller = this.#controllers.parity(node.device, node.log, node.incarnation);
    else (node as PrimaryNode).controller = this.#controllers.primary(node.device, node.log, node.incarnation);
    this.#life(node);
    node.controller.start();
  }

  #life(node: PrimaryNode | ParityNode): void {
    this.#s.events.publish({ kind: 'node-life', array: node.name, incarnation: node.incarnation.number, alive: node.incarnation.alive });
  }

  /** Runs a host operation on `node`'s live controller; answers device-failed if it dies first (or is dead). */
  serve<R>(node: PrimaryNode, op: () => Promise<R>): Promise<R | DeviceFailed> {
    if (!node.incarnation.alive) return Promise.resolve({ ok: false, error: 'device-failed' });
    return new Promise((resolve) => {
      const fail = (r: DeviceFailed) => resolve(r);
      node.hostOps.add(fail);
      op().then((result) => {
        if (!node.hostOps.delete(fail)) return; // already failed by a crash
        resolve(result);
      });
    });
  }

  node(name: string): PrimaryNode | ParityNode {
    if (name === this.parity.name) return this.parity;
    const p = this.primaries.find((n) => n.name === name);
    if (p === undefined) throw new RangeError(`World: no array named ${name}`);
    return p;
  }

  /** Every node, primaries first (one array, made once: the checkers ask per check). */
  nodes(): readonly (PrimaryNode | ParityNode)[] {
    return (this.#nodes ??= [...this.primaries, this.parity]);
  }

  /** Every device, primaries first. */
  devices(): SimDevice[] {
    return [...this.primaries.map((p) => p.device), this.parity.device];
  }

  /** The run is over: every array's media gives its payload memory back now (block-store.ts release). */
  release(): void {
    for (const n of this.nodes()) n.device.store.release();
  }
}
