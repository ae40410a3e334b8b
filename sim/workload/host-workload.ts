// The hosts: each primary array serves its own host, which runs `iodepth`
// closed-loop streams of random block reads and writes with exponential think
// times, until the load phase ends. Every operation is reported to the
// durability checker, and its latency recorded.
import type { Engine } from '../engine/engine.js';
import type { Random } from '../engine/prng.js';
import type { KindId } from '../engine/trace.js';
import type { Time } from '../engine/time.js';
import type { DurabilityChecker } from '../checker/durability-checker.js';
import type { PrimaryNode, World } from '../world/world.js';

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
  readonly #engine: Engine;
  readonly #world: World;
  readonly #checker: DurabilityChecker;
  readonly #kThink: KindId;
  readonly #kOp: KindId;
  #running = 0;

  constructor(engine: Engine, world: World, checker: DurabilityChecker) {
    this.#engine = engine;
    this.#world = world;
    this.#checker = checker;
    this.#kThink = engine.trace.kind('host.think');
    this.#kOp = engine.trace.kind('host.op', ['block', 'write', 'ok', 'latencyUs']);
  }

  /** Streams still running (0 once every stream has finished its last op). */
  get running(): number {
    return this.#running;
  }

  /** Starts every host stream; streams stop issuing at `endUs`. */
  start(endUs: Time): void {
    const { iodepth } = this.#world.scenario.workload;
    for (const primary of this.#world.primaries) {
      for (let i = 0; i < iodepth; i++) {
        this.#running++;
        const rng = this.#engine.random.stream(`host/${primary.name}/${i}`);
        this.#engine.watch(
          this.#stream(primary, rng, endUs).finally(() => this.#running--),
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
      await this.#engine.sleep(Math.round(rng.exponential(thinkTime)), this.#kThink);
      if (this.#engine.now >= endUs) return;
      const block = rng.int(blocks);
      if (rng.chance(readFraction)) await this.#read(primary, block);
      else await this.#write(primary, block, rng.fill(new Uint8Array(bytes)));
    }
  }

  async #write(primary: PrimaryNode, block: number, data: Uint8Array): Promise<void> {
    this.stats.writes++;
    const start = this.#engine.now;
    const id = this.#checker.writeIssued(primary.name, block, data);
    const result = await this.#world.hostWrite(primary, block, data);
    this.#checker.writeDone(primary.name, block, id, result.ok);
    this.#done(primary, block, 1, result.ok, start, this.writeLatencies);
  }

  async #read(primary: PrimaryNode, block: number): Promise<void> {
    this.stats.reads++;
    const start = this.#engine.now;
    const id = this.#checker.readIssued(primary.name, block);
    const result = await this.#world.hostRead(primary, block);
    this.#checker.readDone(primary.name, block, id, result.ok ? result.data : undefined);
    this.#done(primary, block, 0, result.ok, start, this.readLatencies);
  }

  #done(primary: PrimaryNode, block: number, write: number, ok: boolean, start: Time, latencies: number[]): void {
    if (ok) this.stats.acked++;
    else this.stats.failed++;
    const latency = this.#engine.now - start;
    latencies.push(latency);
    const trace = this.#engine.trace;
    // With its latency, replay can draw the op from issue to completion.
    trace.record(this.#engine.now, this.#kOp, trace.actor(`host/${primary.name}`), block, write, ok ? 1 : 0, latency);
  }
}
