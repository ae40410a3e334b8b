// The hosts: each primary array serves its own host, which runs `iodepth`
// closed-loop streams of random block reads and writes with exponential think
// times, until the load phase ends — or, with `workload.rate`, an open loop:
// operations arrive as a Poisson process whatever is outstanding (so offered
// load can exceed what the arrays serve: saturation), at most `iodepth` in
// service, the rest waiting at the host in arrival order. Every operation is
// published on the world's stream as it is issued and as its answer comes
// (the durability checker follows them), and its latency recorded (open loop:
// from its arrival, so time waiting at the host counts).
import type { Engine } from '../engine/engine.js';
import type { Random } from '../engine/prng.js';
import type { ActorId, KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import { Reused, type WorldEvents } from '../world/world-events.js';
import type { HostReadResult, HostWriteResult } from '../../src/primary/host-io.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import type { PrimaryNode } from '../world/installation.js';

/** What the hosts use of the world (the World; narrow, so the workload does not import it). */
export interface HostedWorld {
  readonly scenario: Pick<ResolvedScenario, 'workload' | 'payloadBytes'>;
  readonly primaries: readonly PrimaryNode[];
  hostWrite(node: PrimaryNode, block: number, data: Uint8Array): Promise<HostWriteResult>;
  hostRead(node: PrimaryNode, block: number): Promise<HostReadResult>;
}

/** How much shorter think times and arrival gaps are within a burst. */
const BURST_SPEEDUP = 10;

/** One completed host operation, for observers (reports: the world's `host-op` events, copied). */
export interface HostOp {
  readonly array: string;
  readonly block: number;
  readonly write: boolean;
  readonly ok: boolean;
  /** Issued (closed loop) or arrived (open loop). */
  readonly startUs: Time;
  readonly endUs: Time;
}

export interface HostStats {
  writes: number;
  reads: number;
  acked: number;
  failed: number;
}

export class HostWorkload {
  readonly stats: HostStats = { writes: 0, reads: 0, acked: 0, failed: 0 };
  /** Latencies in µs of completed operations, in completion order. */
  readonly writeLatencies: number[] = [];
  readonly readLatencies: number[] = [];
  /** When the last operation completed (0: none yet). */
  lastDoneUs: Time = 0;
  readonly #engine: Engine;
  readonly #world: HostedWorld;
  // One reused object per kind of event (world-events.ts): none allocated per operation.
  readonly #writeIssued: Reused<'host-write-issued'>;
  readonly #writeDone: Reused<'host-write-done'>;
  readonly #readIssued: Reused<'host-read-issued'>;
  readonly #readDone: Reused<'host-read-done'>;
  readonly #opDone: Reused<'host-op'>;
  readonly #kThink: KindId;
  readonly #kOp: KindId;
  /** Each host's trace actor, by its array's name (interned on first use, as before: no name built per operation). */
  readonly #actors = new Map<string, ActorId>();
  /** Operations issued so far (each is numbered: its answer's event names the same number). */
  #ops = 0;
  #kArrive: KindId | undefined;
  #running = 0;
  /** When the load started (bursts count from it). */
  #startUs: Time = 0;
  /** Called once no stream runs any more (whenIdle). */
  readonly #idle: (() => void)[] = [];

  constructor(engine: Engine, world: HostedWorld, events: WorldEvents) {
    this.#engine = engine;
    this.#world = world;
    this.#writeIssued = new Reused(events, { kind: 'host-write-issued', op: 0, array: '', block: 0, data: new Uint8Array(0) });
    this.#writeDone = new Reused(events, { kind: 'host-write-done', op: 0, array: '', block: 0, ok: false });
    this.#readIssued = new Reused(events, { kind: 'host-read-issued', op: 0, array: '', block: 0 });
    this.#readDone = new Reused(events, { kind: 'host-read-done', op: 0, array: '', block: 0, data: undefined });
    this.#opDone = new Reused(events, { kind: 'host-op', array: '', block: 0, write: false, ok: false, startUs: 0, endUs: 0 });
    this.#kThink = engine.trace.kind('host.think');
    this.#kOp = engine.trace.kind('host.op', ['block', 'write', 'ok', 'latencyUs']);
  }

  /** Streams still running (0 once every stream has finished its last op). */
  get running(): number {
    return this.#running;
  }

  /** Runs `fn` once no stream is running: now, or when the last one finishes its last op. */
  whenIdle(fn: () => void): void {
    if (this.#running === 0) fn();
    else this.#idle.push(fn);
  }

  /** One stream fewer; the last one out calls whenIdle's waiters. */
  #finished(): void {
    if (--this.#running === 0) for (const fn of this.#idle.splice(0)) fn();
  }

  /** Starts every host stream; streams stop issuing at `endUs`. */
  start(endUs: Time): void {
    const { iodepth, rate } = this.#world.scenario.workload;
    this.#startUs = this.#engine.now;
    if (rate !== undefined) {
      // Its own stream names: the closed loop's draws are not shifted.
      this.#kArrive = this.#engine.trace.kind('host.arrive');
      for (const primary of this.#world.primaries) this.#openLoop(primary, rate, iodepth, endUs);
      return;
    }
    for (const primary of this.#world.primaries) {
      for (let i = 0; i < iodepth; i++) {
        this.#running++;
        const rng = this.#engine.random.stream(`host/${primary.name}/${i}`);
        this.#engine.watch(
          this.#stream(primary, rng, endUs).finally(() => this.#finished()),
          `host ${primary.name} stream ${i}`,
        );
      }
    }
  }

  async #stream(primary: PrimaryNode, rng: Random, endUs: Time): Promise<void> {
    const { thinkTime, readFraction } = this.#world.scenario.workload;
    const blocks = primary.device.blockCount;
    const bytes = this.#world.scenario.payloadBytes;
    for (;;) {
      await this.#engine.sleep(Math.round(rng.exponential(thinkTime) / this.#burstFactor()), this.#kThink);
      if (this.#engine.now >= endUs) return;
      const block = this.#pickBlock(rng, blocks);
      if (rng.chance(readFraction)) await this.#read(primary, block);
      else await this.#write(primary, block, rng.fill(new Uint8Array(bytes)));
    }
  }

  /**
   * Poisson arrivals every `meanGapUs` on average until `endUs`; each runs once
   * fewer than `iodepth` are in service. Arrivals before `endUs` are all served.
   */
  #openLoop(primary: PrimaryNode, meanGapUs: number, iodepth: number, endUs: Time): void {
    if (!Number.isFinite(meanGapUs)) return; // a zero rate: nothing arrives
    const rng = this.#engine.random.stream(`host/${primary.name}/open`);
    const { readFraction } = this.#world.scenario.workload;
    const blocks = primary.device.blockCount;
    const bytes = this.#world.scenario.payloadBytes;
    const waiting: (() => Promise<void>)[] = [];
    let inService = 0;
    const serve = (op: () => Promise<void>): void => {
      inService++;
      this.#engine.watch(
        op().finally(() => {
          inService--;
          this.#finished();
          const next = waiting.shift();
          if (next !== undefined) serve(next);
        }),
        `host ${primary.name} open loop`,
      );
    };
    const arrive = (): void => {
      const gap = Math.round(rng.exponential(meanGapUs) / this.#burstFactor());
      if (this.#engine.now + gap >= endUs) return;
      this.#engine.after(gap, this.#kArrive!, () => {
        const start = this.#engine.now;
        const block = this.#pickBlock(rng, blocks);
        const op = rng.chance(readFraction) ? () => this.#read(primary, block, start) : ((data) => () => this.#write(primary, block, data, start))(rng.fill(new Uint8Array(bytes)));
        this.#running++;
        if (inService < iodepth) serve(op);
        else waiting.push(op);
        arrive();
      });
    };
    arrive();
  }

  /**
   * The block an operation aims at: uniform over the array, or with
   * `workload.hotSet` its share aimed at the hot blocks (one more draw, only
   * then: a load without a hot set draws exactly as before).
   */
  #pickBlock(rng: Random, blocks: number): number {
    const hot = this.#world.scenario.workload.hotSet;
    if (hot === undefined) return rng.int(blocks);
    return rng.chance(hot.share) ? rng.int(Math.min(hot.blocks, blocks)) : rng.int(blocks);
  }

  /**
   * How much faster the load goes now: 10 within a burst (`workload.bursts`),
   * else 1. Never unbounded: a stream whose operations fail at once (its
   * controller dead) still moves virtual time forward between them.
   */
  #burstFactor(): number {
    const b = this.#world.scenario.workload.bursts;
    if (b === undefined) return 1;
    return (this.#engine.now - this.#startUs) % b.every < b.length ? BURST_SPEEDUP : 1;
  }

  async #write(primary: PrimaryNode, block: number, data: Uint8Array, start = this.#engine.now): Promise<void> {
    this.stats.writes++;
    const op = ++this.#ops;
    const issued = this.#writeIssued.event;
    issued.op = op;
    issued.array = primary.name;
    issued.block = block;
    issued.data = data;
    for (const listener of this.#writeIssued.listeners) listener(issued);
    const result = await this.#world.hostWrite(primary, block, data);
    const done = this.#writeDone.event;
    done.op = op;
    done.array = primary.name;
    done.block = block;
    done.ok = result.ok;
    for (const listener of this.#writeDone.listeners) listener(done);
    this.#done(primary, block, 1, result.ok, start, this.writeLatencies);
  }

  async #read(primary: PrimaryNode, block: number, start = this.#engine.now): Promise<void> {
    this.stats.reads++;
    const op = ++this.#ops;
    const issued = this.#readIssued.event;
    issued.op = op;
    issued.array = primary.name;
    issued.block = block;
    for (const listener of this.#readIssued.listeners) listener(issued);
    const result = await this.#world.hostRead(primary, block);
    const done = this.#readDone.event;
    done.op = op;
    done.array = primary.name;
    done.block = block;
    done.data = result.ok ? result.data : undefined;
    for (const listener of this.#readDone.listeners) listener(done);
    this.#done(primary, block, 0, result.ok, start, this.readLatencies);
  }

  #done(primary: PrimaryNode, block: number, write: number, ok: boolean, start: Time, latencies: number[]): void {
    if (ok) this.stats.acked++;
    else this.stats.failed++;
    this.lastDoneUs = this.#engine.now;
    const latency = this.#engine.now - start;
    latencies.push(latency);
    const trace = this.#engine.trace;
    // With its latency, replay can draw the op from issue to completion.
    let actor = this.#actors.get(primary.name);
    if (actor === undefined) this.#actors.set(primary.name, (actor = trace.actor(`host/${primary.name}`)));
    trace.record(this.#engine.now, this.#kOp, actor, block, write, ok ? 1 : 0, latency);
    const { listeners, event } = this.#opDone;
    if (listeners.length === 0) return;
    event.array = primary.name;
    event.block = block;
    event.write = write === 1;
    event.ok = ok;
    event.startUs = start;
    event.endUs = this.#engine.now;
    for (const listener of listeners) listener(event);
  }
}
