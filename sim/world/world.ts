// The simulated installation: N primary arrays and one parity array, each a
// simulated device behind its real controller, joined by a simulated network.
//
// Why over 400 lines: it still holds three jobs — the installation (nodes,
// hardware, lives), the operator (membership changes, standing orders) and
// the oracle the checkers ask (settled, counts, outages, reported losses) —
// that are to become separate parts publishing one typed event stream; not
// done yet (media-faults.ts, power-supply.ts, damage.ts are already apart).
//
// The world owns each node's life: it builds a controller per incarnation with
// ports gated by it (incarnation.ts), so a crash freezes the old controller and
// a restart starts a fresh one — volatile state lost, media kept. Host I/O goes
// through the world, so operations in flight at a crash fail back to the host
// instead of hanging. It is also the checker's god's-eye view: media contents
// without I/O, and whether any work on a block is unfinished anywhere.
import { ParityController } from '../../src/parity/parity-controller.js';
import { intact } from '../../src/util/verified-disk.js';
import type { Transport } from '../../src/ports/transport.js';
import type { HostReadResult, HostWriteResult } from '../../src/primary/host-io.js';
import { PrimaryController } from '../../src/primary/primary-controller.js';
import type { Message } from '../../src/protocol/messages.js';
import { NO_BUGS, type PlantedBugs } from '../../src/protocol/planted-bugs.js';
import { ArrayPort } from '../disk/array-port.js';
import { DiskArray } from '../disk/disk-array.js';
import type { SimDevice } from '../disk/sim-device.js';
import type { Engine } from '../engine/engine.js';
import type { KindId } from '../engine/trace.js';
import { LossyNetwork } from '../network/lossy-network.js';
import type { SimNetwork } from '../network/sim-network.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { SimLog } from '../disk/sim-log.js';
import { SimBuggify } from './buggify.js';
import { acknowledgedRepairs, cachedLandingRepairs } from './cached-landing.js';
import { DamageLog } from './damage.js';
import { makeDevice, makeNetwork, setNetworkFaults } from './hardware.js';
import { MediaFaults } from './media-faults.js';
import { Incarnation } from './incarnation.js';
import { PowerSupply } from './power-supply.js';
import { ProbeCounter } from './probe-counter.js';
import { SimClock } from './sim-clock.js';

interface Node<C> {
  readonly name: string;
  readonly device: SimDevice;
  /** The controller's journal: survives a crash, lost with the array. */
  readonly log: SimLog;
  controller: C;
  incarnation: Incarnation;
  /** Host operations waiting on this incarnation, failed back to the host if it dies. */
  readonly hostOps: Set<(failed: { ok: false; error: 'device-failed' }) => void>;
}

export type PrimaryNode = Node<PrimaryController>;

const EMPTY: ReadonlySet<number> = new Set();
export type ParityNode = Node<ParityController>;

export class World {
  readonly engine: Engine;
  readonly scenario: ResolvedScenario;
  readonly network: SimNetwork;
  readonly primaries: readonly PrimaryNode[];
  readonly parity: ParityNode;
  readonly #bugs: PlantedBugs;
  /** Code probes reached in this run, by the product and by the simulated world. */
  readonly probes = new ProbeCounter();
  /** The arrays' power (power-fail in the fault schedule). */
  readonly power = new PowerSupply(this);
  readonly #kLife: KindId;
  readonly #kRestored: KindId;
  /** Called when a primary's restore completes (the checker sweeps then). */
  onRestored: ((array: string) => void) | undefined;
  /** Called when a primary's join completes (the checker sweeps then). */
  onJoined: ((array: string) => void) | undefined;
  /** Called when a primary has left the group (the checker sweeps then). */
  onLeft: ((array: string) => void) | undefined;
  /** Group membership as the scenario made it (not as the product claims it). */
  readonly #membership = new Map<string, 'member' | 'joining' | 'leaving' | 'outside'>();
  /** Per array: when it last failed and when its restore completed (for honesty checks). */
  readonly outages = new Map<string, { failedAt: number; restoredAt: number | undefined }[]>();
  /** Damage to single blocks (latent errors, lost drives, corruption), and when it was repaired. */
  readonly damage = new DamageLog();
  /** Faults that strike single blocks (media-faults.ts), and what they left. */
  readonly media: MediaFaults;
  /** Faults from inside the controllers' code (scenario `buggify`; buggify.ts), if on. */
  readonly buggify: SimBuggify | undefined;
  /** When the initial parity build completed (blocks damaged before it were never protected). */
  builtAt: number | undefined;
  /** Called when a primary reports a block lost (the honesty checker judges it); `again`: reported before, and not rewritten since. */
  onLost: ((array: string, block: number, again: boolean) => void) | undefined;
  /** Per primary: blocks it reported lost that no acknowledged host write has replaced since (what the world has seen, not what a controller holds). */
  readonly #lost = new Map<string, Set<number>>();
  /** Deltas sent and not yet acknowledged by parity, per primary: number → block. */
  readonly #deltasInFlight = new Map<string, Map<number, number>>();
  /** When each array's host last had a write to each block acknowledged. */
  readonly #lastWrite = new Map<string, Map<number, number>>();
  /** Hears every message a live controller sends (the durability checker follows deltas and their acks). */
  onSend: ((from: string, to: string, message: Message) => void) | undefined;
  /** Called when a whole array fails (media and journal lost). */
  onFailed: ((array: string) => void) | undefined;
  readonly #onWritten: ((array: string, block: number) => void)[] = [];
  /**
   * The group the parity array was installed for (its controllers' configured
   * membership; the journal records changes since): the scenario's members,
   * or, for a replacement parity array, every member at that moment, joining.
   */
  #parityMembers: { name: string; blockCount: number; joining: boolean }[];
  /** The background scrub (scenario `scrub`): off, running, or finishing its last pass. */
  #scrub: 'off' | 'on' | 'finishing' = 'off';
  /** Per array: the port its controllers get (lives as long as the array's slot). */
  readonly #arrayPorts = new Map<string, ArrayPort>();

  /** `bugs`: planted mutations, for the checker's self-test only. */
  constructor(engine: Engine, scenario: ResolvedScenario, bugs: PlantedBugs = NO_BUGS) {
    this.engine = engine;
    this.scenario = scenario;
    this.media = new MediaFaults(this);
    this.buggify = scenario.buggify === undefined ? undefined : new SimBuggify(engine, this, scenario.buggify);
    this.#bugs = bugs;
    this.#kLife = engine.trace.kind('node.life', ['incarnation', 'alive']);
    this.#kRestored = engine.trace.kind('node.restored', ['lost']);
    this.network = makeNetwork(engine, scenario);
    for (const p of scenario.primaries) this.#membership.set(p.name, p.member ? 'member' : 'outside');
    this.#parityMembers = scenario.primaries.filter((p) => p.member).map((p) => ({ name: p.name, blockCount: p.blocks, joining: false }));
    this.primaries = scenario.primaries.map((spec) => {
      const device = makeDevice(engine, scenario, spec);
      const incarnation = new Incarnation(spec.name, 1);
      const log = new SimLog(engine, spec.name, scenario.journalLatency);
      return { name: spec.name, device, log, incarnation, controller: this.#primary(device, log, incarnation), hostOps: new Set() };
    });
    const parityDevice = makeDevice(engine, scenario, scenario.parity);
    const parityLife = new Incarnation(scenario.parity.name, 1);
    const parityLog = new SimLog(engine, scenario.parity.name, scenario.journalLatency);
    this.parity = { name: scenario.parity.name, device: parityDevice, log: parityLog, incarnation: parityLife, controller: this.#parityController(parityDevice, parityLog, parityLife), hostOps: new Set() };
    for (const n of this.nodes()) n.device.observe({ written: (block) => this.#written(n.name, block) });
    for (const p of this.primaries) p.controller.start();
    this.parity.controller.start();
    this.#watchJoins();
  }

  /** Per primary: the block each delta it sent (by number) was for, until parity acknowledges it. */
  #deltaBlocks(array: string): Map<number, number> {
    let blocks = this.#deltasInFlight.get(array);
    if (blocks === undefined) this.#deltasInFlight.set(array, (blocks = new Map()));
    return blocks;
  }

  /** Parity has `array`'s delta `seq`: under local-write, its write now replaces a loss of the block. */
  #replaced(array: string, seq: number): void {
    const blocks = this.#deltasInFlight.get(array);
    const block = blocks?.get(seq);
    if (block === undefined) return;
    blocks!.delete(seq);
    this.#lost.get(array)?.delete(block);
  }

  /** When `array`'s host last had a write to `block` acknowledged (-1: never). */
  lastHostWrite(array: string, block: number): number {
    return this.#lastWrite.get(array)?.get(block) ?? -1;
  }

  /** Blocks `array` reported lost and its host has not rewritten since. */
  lostBlocks(array: string): ReadonlySet<number> {
    return this.#lost.get(array) ?? EMPTY;
  }

  #reportedLost(array: string, block: number): void {
    let blocks = this.#lost.get(array);
    if (blocks === undefined) this.#lost.set(array, (blocks = new Set()));
    const again = blocks.has(block);
    blocks.add(block);
    this.onLost?.(array, block, again);
  }

  /** Calls `fn` whenever a write lands on the media of any array (after the damage log heard it). */
  onBlockWritten(fn: (array: string, block: number) => void): void {
    this.#onWritten.push(fn);
  }

  #written(array: string, block: number): void {
    const repairs = this.#cached ? cachedLandingRepairs(this.node(array).device, this.#arrayPorts.get(array), block) : undefined;
    this.damage.rewritten(array, block, this.engine.now, repairs);
    for (const fn of this.#onWritten) fn(array, block);
  }

  /** Drive write caches on: a landing is a destage, judged by cached-landing.ts. */
  get #cached(): boolean {
    return this.scenario.disk.model === 'hdd' && this.scenario.disk.writeCache;
  }

  /** The scenario's view of `array`'s membership. */
  membership(array: string): 'member' | 'joining' | 'leaving' | 'outside' {
    return this.#membership.get(array) ?? 'outside';
  }

  /** Does Q[block] have to include `array`'s block? (For a joining array, per parity's own progress.) */
  counts(array: string, block: number): boolean {
    const m = this.membership(array);
    return m === 'member' || ((m === 'joining' || m === 'leaving') && this.parity.controller.contributes(array, block));
  }

  /** The port `array`'s controllers get: the array plus its checksum region (array-port.ts). */
  arrayPort(array: string, device?: SimDevice): ArrayPort {
    let port = this.#arrayPorts.get(array);
    if (port === undefined) {
      const media = device ?? this.node(array).device;
      const p = (port = new ArrayPort(media));
      // Damage only where the media now holds what was not written there (the
      // block hit may have held the same bytes, e.g. zeros on zeros).
      const wrong = (block: number) => !intact(block, media.store.get(block), p.checksum(block));
      // With a write cache the media shows the write only at its destage: the damage is recorded now and
      // judged when bytes land (#written keeps it open until the block holds what its checksum says).
      port.onMisdirected = (intended, target) => {
        // The controller rewrote `intended` as far as anyone can tell (a replaced drive's block
        // counts as rebuilt; no bytes will land on it): what it holds now is stale data, nothing else.
        // Damage a block had while nothing protected it goes on unprotected: the write never reached
        // `intended`, and put on `target` what is not its own (its landing, this instant, closed the old damage).
        const now = this.engine.now;
        const unprotected = (block: number) => this.damage.intervals(array, block).some((d) => (d.end === undefined || d.end === now) && !d.protected);
        const intendedUnprotected = unprotected(intended);
        // A latent sector error stays (no head wrote the sector), and so does a failed drive's loss (its array still owes the rebuild).
        const unreadable = media instanceof DiskArray && media.hasLatentError(intended);
        const lost = media instanceof DiskArray && media.isLost(intended);
        this.damage.rewritten(array, intended, now, (kind) => (kind !== 'latent' || !unreadable) && (kind !== 'drive' || !lost));
        // Nothing lands on `intended` now: judged at once, unless an earlier write to it still waits in the cache.
        if ((this.#cached && media.cached(intended)) || wrong(intended)) this.media.record(array, intended, 'stale', -1, intendedUnprotected);
        // A lost block of a replaced drive stays lost (the rebuild still owes it) whatever lands on it:
        // its checksum went with the drive, so wrong() cannot see that the bytes are not its own.
        const stillLost = media instanceof DiskArray && media.isLost(target);
        if (this.#cached || stillLost || wrong(target)) this.media.record(array, target, 'misdirected', intended, unprotected(target));
      };
      // With a write cache a destage can land before the write's acknowledgement stores its checksum.
      if (this.#cached) port.onAcknowledged = (block) => this.damage.rewritten(array, block, this.engine.now, acknowledgedRepairs(media, p, block));
      this.#arrayPorts.set(array, port);
    }
    return port;
  }

  /** Starts the parity scrub, if the scenario has one (and again in every parity controller after a restart). */
  startScrub(): void {
    const scrub = this.scenario.scrub;
    if (scrub === undefined) return;
    if (this.#scrub === 'off') this.#scrub = 'on';
    if (this.parity.incarnation.alive) this.parity.controller.startScrub(scrub.interval);
    if (this.#scrub === 'finishing') void this.parity.controller.scrubber.finish();
  }

  /** The load is over: the scrub does one more whole pass, then stops. */
  finishScrub(): void {
    if (this.#scrub === 'off') return;
    this.#scrub = 'finishing';
    if (this.parity.incarnation.alive) void this.parity.controller.scrubber.finish();
  }

  /** A primary is decommissioned: it leaves the parity group. */
  leave(name: string): void {
    const node = this.node(name) as PrimaryNode;
    this.#membership.set(name, 'leaving');
    node.controller.leave();
  }

  /**
   * Switches the lossy network's faults (loss, duplication, reordering) on for
   * the fault phase, or off again after it, on every link between arrays.
   */
  networkFaults(on: boolean): void {
    if (this.network instanceof LossyNetwork) setNetworkFaults(this.network, this.scenario, this.nodes().map((x) => x.name), on);
  }


  /** A primary outside the group joins it (claim 3). */
  join(name: string): void {
    const node = this.node(name) as PrimaryNode;
    this.#membership.set(name, 'joining');
    node.controller.join();
  }

  #watchJoins(): void {
    this.parity.controller.onLeft = (member) => {
      this.#membership.set(member, 'outside');
      this.onLeft?.(member);
    };
    this.parity.controller.onJoined = (member) => {
      // A member told to leave while it was still joining (a rebuild) stays leaving.
      if (this.#membership.get(member) === 'joining') this.#membership.set(member, 'member');
      if (this.parity.device.failed) return;
      const outage = this.outages.get(this.parity.name)?.at(-1);
      if (outage !== undefined && outage.restoredAt === undefined && ![...this.#membership.values()].includes('joining')) outage.restoredAt = this.engine.now;
      this.onJoined?.(member);
    };
  }

  /** A host write to primary `node`, as its host sees it. */
  hostWrite(node: PrimaryNode, block: number, data: Uint8Array): Promise<HostWriteResult> {
    return this.#hostOp(node, async () => {
      const result = await node.controller.hostWrite(block, data);
      if (result.ok) {
        // The host's data again — under local-write only once parity has the write (#replaced): an
        // acknowledged write its array loses before then is one local-write allows to be lost.
        if (this.scenario.ackPolicy !== 'local-write') this.#lost.get(node.name)?.delete(block);
        // Only the honesty checker asks, and only of a block with damage on record: nothing kept for others.
        if (this.damage.intervals(node.name, block).length > 0) {
          let writes = this.#lastWrite.get(node.name);
          if (writes === undefined) this.#lastWrite.set(node.name, (writes = new Map()));
          writes.set(block, this.engine.now);
        }
      }
      return result;
    });
  }

  hostRead(node: PrimaryNode, block: number): Promise<HostReadResult> {
    return this.#hostOp(node, () => node.controller.hostRead(block));
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

  /** A fresh controller over the same media (after crash()). */
  restart(name: string): void {
    const node = this.node(name);
    if (node.incarnation.alive) this.crash(name);
    node.incarnation = new Incarnation(name, node.incarnation.number + 1);
    if (node === this.parity) {
      this.parity.controller = this.#parityController(node.device, node.log, node.incarnation);
      this.#watchJoins();
    }
    else {
      const primary = node as PrimaryNode;
      primary.controller = this.#primary(node.device, node.log, node.incarnation);
      primary.controller.onRestored = () => this.#restored(primary);
    }
    this.#life(node);
    node.controller.start();
    if (node !== this.parity) this.#standingOrders(node as PrimaryNode);
    if (node === this.parity && this.#scrub !== 'off') this.startScrub(); // a new controller: its scrub starts over
  }

  /**
   * The operator's orders stand until they are done: a primary restarted
   * before its restore, join or leave completed is given it again (a crash
   * may come before the controller made the order durable). Each is
   * idempotent at parity, and a restore the journal resumes is not begun twice.
   */
  #standingOrders(node: PrimaryNode): void {
    if (this.#restoreOrdered(node.name)) node.controller.restore();
    const m = this.membership(node.name);
    if (m === 'joining') node.controller.join();
    else if (m === 'leaving') node.controller.leave();
  }

  /** A replaced primary whose restore has not completed yet. */
  #restoreOrdered(name: string): boolean {
    const outage = this.outages.get(name)?.at(-1);
    return outage !== undefined && outage.restoredAt === undefined && !this.node(name).device.failed && name !== this.parity.name;
  }

  /** The whole array is lost (its controller with it). */
  failArray(name: string): void {
    const list = this.outages.get(name) ?? [];
    list.push({ failedAt: this.engine.now, restoredAt: undefined });
    this.outages.set(name, list);
    this.crash(name);
    this.node(name).device.fail();
    this.node(name).log.fail();
    this.arrayPort(name).clear();
    this.damage.forget(name, this.engine.now); // the outage covers every block now
    this.onFailed?.(name);
  }

  /**
   * An empty array replaces a failed one, with a fresh controller: a primary
   * restores its data from parity; a new parity array is rebuilt from every
   * member (each counts as joining it until its blocks are merged).
   */
  replaceArray(name: string): void {
    const node = this.node(name);
    node.device.replace();
    this.arrayPort(name).clear();
    // A primary that was leaving is left out of a new parity array: nothing of
    // it goes into Q, so its leave is done (the new array answers its request at once).
    const left: string[] = [];
    if (node === this.parity) {
      // hardened installs it with every member joining (its controllers merge them all); literal builds.
      const joining = this.scenario.protocol === 'hardened';
      for (const [array, m] of this.#membership) if (m === 'leaving') left.push(array);
      this.#parityMembers = this.primaries
        .filter((p) => this.membership(p.name) === 'member' || this.membership(p.name) === 'joining')
        .map((p) => ({ name: p.name, blockCount: p.device.blockCount, joining }));
    }
    this.restart(name);
    if (node === this.parity) {
      for (const [array, m] of this.#membership) if (m === 'member') this.#membership.set(array, 'joining');
      for (const array of left) {
        this.#membership.set(array, 'outside');
        this.onLeft?.(array);
      }
      this.parity.controller.rebuild();
    } // a primary: restart() gave it the standing order to restore
  }

  node(name: string): PrimaryNode | ParityNode {
    if (name === this.parity.name) return this.parity;
    const p = this.primaries.find((n) => n.name === name);
    if (p === undefined) throw new RangeError(`World: no array named ${name}`);
    return p;
  }

  /**
   * No work on `block` is unfinished anywhere: no live controller holds it,
   * nothing about it is on the wire or only in a disk's write cache, and no
   * crashed or powered-off controller has journaled work still to replay
   * (which blocks it concerns is the product's business, so any such journal
   * holds every judgement until the restart).
   */
  settled(block: number): boolean {
    if (this.network.inFlight(block) > 0) return false;
    for (const n of this.nodes()) {
      if (n.device.failed) return false; // a lost array: nothing holds until it is replaced and restored
      if (!n.incarnation.alive && (n.log.length > 0 || this.#restoreOrdered(n.name))) return false;
      if (block < n.device.blockCount && n.device.cached(block)) return false; // its destage will touch it again
    }
    if (this.parity.incarnation.alive && this.parity.controller.busy(block)) return false;
    for (const p of this.primaries) if (p.incarnation.alive && p.controller.busy(block)) return false;
    return true;
  }

  /** The run is over: every array's media gives its payload memory back now (block-store.ts release). */
  release(): void {
    for (const n of this.nodes()) n.device.store.release();
  }

  nodes(): (PrimaryNode | ParityNode)[] {
    return [...this.primaries, this.parity];
  }

  #restored(node: PrimaryNode): void {
    const outage = this.outages.get(node.name)?.at(-1);
    if (outage !== undefined && outage.restoredAt === undefined) outage.restoredAt = this.engine.now;
    const t = this.engine.trace;
    t.record(this.engine.now, this.#kRestored, t.actor(node.name), this.lostBlocks(node.name).size);
    this.onRestored?.(node.name);
  }

  /** Every device, primaries first. */
  devices(): SimDevice[] {
    return [...this.primaries.map((p) => p.device), this.parity.device];
  }

  #hostOp<R>(node: PrimaryNode, op: () => Promise<R>): Promise<R | { ok: false; error: 'device-failed' }> {
    if (!node.incarnation.alive) return Promise.resolve({ ok: false, error: 'device-failed' });
    return new Promise((resolve) => {
      const fail = (r: { ok: false; error: 'device-failed' }) => resolve(r);
      node.hostOps.add(fail);
      op().then((result) => {
        if (!node.hostOps.delete(fail)) return; // already failed by a crash
        resolve(result);
      });
    });
  }

  /** The ports one incarnation of a node's controller gets, each gated by its life. */
  #ports(device: SimDevice, log: SimLog, life: Incarnation) {
    const endpoint = this.network.endpoint(device.name);
    const localWrite = this.scenario.ackPolicy === 'local-write'; // only then does a loss outlive an acknowledged write (#replaced)
    const tapped: Transport = {
      self: endpoint.self,
      send: (to, message) => {
        this.onSend?.(endpoint.self, to, message);
        if (localWrite && message.type === 'delta' && message.seq > 0) this.#deltaBlocks(endpoint.self).set(message.seq, message.block);
        else if (localWrite && message.type === 'delta-ack' && endpoint.self === this.parity.name) this.#replaced(to, message.seq);
        endpoint.send(to, message);
      },
      listen: (handler) => endpoint.listen(handler),
    };
    return {
      disk: life.device(this.arrayPort(device.name, device)),
      transport: life.transport(tapped),
      clock: life.clock(new SimClock(this.engine, device.name)),
      journal: life.log(log.port()),
      probe: this.probes.for(device.name),
      ...(this.buggify !== undefined && { buggify: this.buggify.for(device.name, life) }),
      boot: life.number, // the platform's boot counter: one per incarnation, replacements included
    };
  }

  #primary(device: SimDevice, log: SimLog, life: Incarnation): PrimaryController {
    const s = this.scenario;
    const controller = new PrimaryController({
      ...this.#ports(device, log, life),
      parity: s.parity.name,
      variant: s.protocol,
      ackPolicy: s.ackPolicy,
      retransmit: { initialUs: s.retransmit.initial, maxUs: s.retransmit.max },
      // A joining array is told to join again (#standingOrders), from outside.
      member: this.membership(device.name) === 'member' || this.membership(device.name) === 'leaving',
      left: this.membership(device.name) === 'outside',
      bugs: this.#bugs,
    });
    controller.onBlockLost = (block) => this.#reportedLost(device.name, block);
    return controller;
  }

  #parityController(device: SimDevice, log: SimLog, life: Incarnation): ParityController {
    const s = this.scenario;
    return new ParityController({
      ...this.#ports(device, log, life),
      variant: s.protocol,
      retransmit: { initialUs: s.retransmit.initial, maxUs: s.retransmit.max },
      bugs: this.#bugs,
      members: this.#parityMembers,
      peers: this.primaries.map((p) => p.name),
    });
  }

  #life(node: PrimaryNode | ParityNode): void {
    const t = this.engine.trace;
    t.record(this.engine.now, this.#kLife, t.actor(node.name), node.incarnation.number, node.incarnation.alive ? 1 : 0);
  }
}
