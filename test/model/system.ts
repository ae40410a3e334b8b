// The real system a model-based test drives: the hardened controllers in a
// simulated World (ideal disks, lossy network), built fresh per fast-check run
// with its own engine seed.
//
// Host operations are issued through the World and complete whenever the
// engine gets to them; what happened (an operation answered, a restore, join
// or leave completed) is queued as a Happening for the reference model to
// judge after each engine run. The parity checker watches continuously, as in
// a scenario run; problems() lists its violations and any controller crash.
import type { HostReadResult, HostWriteResult } from '../../src/primary/host-io.js';
import type { PlantedBugs } from '../../src/protocol/planted-bugs.js';
import { ParityChecker } from '../../sim/checker/parity-checker.js';
import { Engine } from '../../sim/engine/engine.js';
import { LossyNetwork } from '../../sim/network/lossy-network.js';
import { prefill } from '../../sim/world/prefill.js';
import type { ResolvedScenario } from '../../sim/scenario/resolve.js';
import { type PrimaryNode, World } from '../../sim/world/world.js';
import { scenario } from '../helpers.js';

/** Three founding members (one smaller), and p4 outside the group so it can join. */
export const TOPOLOGY: ResolvedScenario = scenario({
  name: 'model-based',
  primaries: [{ blocks: 16 }, { blocks: 16 }, { blocks: 12 }, { blocks: 16, member: false }],
  payloadBytes: 8,
  prefill: 0.5,
  disk: { model: 'ideal', latency: '200us' },
  // Timing always; loss, duplication and reordering only while a "storm" command has them on.
  network: { model: 'lossy', latency: '50us', jitter: '30us', loss: 0.05, duplicate: 0.05, reorder: 0.05, reorderDelay: '1ms' },
  retransmit: { initial: '2ms', max: '40ms' },
  workload: { duration: '1s' }, // unused: the commands are the workload
});

export interface HostOp {
  readonly id: number;
  readonly kind: 'write' | 'read';
  readonly array: string;
  readonly block: number;
  /** The data written (writes only). */
  readonly value: Uint8Array | undefined;
}

export type Happening =
  | { readonly kind: 'op-done'; readonly op: HostOp; readonly result: HostWriteResult | HostReadResult }
  | { readonly kind: 'restored' | 'joined' | 'left'; readonly array: string };

export class SimSystem {
  readonly engine: Engine;
  readonly world: World;
  readonly network: LossyNetwork;
  readonly parityChecker: ParityChecker;
  /** Contents of every primary block before the first command. */
  readonly initial: (array: string, block: number) => Uint8Array;
  readonly #problems: string[] = [];
  #happenings: Happening[] = [];
  #nextOp = 1;
  readonly #answered = new Set<number>();
  /** Restores, joins and leaves completed (coverage). */
  readonly completed = new Map<string, number>();

  constructor(seed: number, bugs: PlantedBugs) {
    this.engine = new Engine(seed);
    this.world = new World(this.engine, TOPOLOGY, bugs);
    if (!(this.world.network instanceof LossyNetwork)) throw new Error('the model test needs the lossy network');
    this.network = this.world.network;
    this.initial = prefill(this.engine, this.world).contents;
    this.parityChecker = new ParityChecker(this.engine, this.world, (v) => {
      this.#problems.push(`${v.kind} violation at ${v.timeUs}us: ${v.message}`);
      this.engine.stop();
    });
    const done = (kind: 'restored' | 'joined' | 'left') => (array: string) => {
      this.#happenings.push({ kind, array });
      this.completed.set(kind, (this.completed.get(kind) ?? 0) + 1);
      this.parityChecker.sweep(); // after every restore, join and leave, the whole array
    };
    const events = this.world.events;
    events.on('restored', (e) => done('restored')(e.array));
    events.on('joined', (e) => done('joined')(e.array));
    events.on('left', (e) => done('left')(e.array));
  }

  /** Builds parity over the founding members (claim 1), then sweeps it. */
  async build(): Promise<void> {
    let built = false;
    this.engine.watch(this.world.parity.controller.build().then(() => void (built = true)), 'parity: build');
    await this.engine.run({ stopWhen: () => built, until: 1_000_000 });
    if (!built) this.#problems.push('the parity build did not complete within 1s');
    this.parityChecker.sweep();
  }

  primary(name: string): PrimaryNode {
    const node = this.world.node(name);
    if (node === this.world.parity) throw new RangeError(`${name} is the parity array`);
    return node as PrimaryNode;
  }

  write(array: string, block: number, value: Uint8Array): HostOp {
    const op: HostOp = { id: this.#nextOp++, kind: 'write', array, block, value: value.slice() };
    this.#issue(op, this.world.hostWrite(this.primary(array), block, value));
    return op;
  }

  read(array: string, block: number): HostOp {
    const op: HostOp = { id: this.#nextOp++, kind: 'read', array, block, value: undefined };
    this.#issue(op, this.world.hostRead(this.primary(array), block));
    return op;
  }

  #issue(op: HostOp, answer: Promise<HostWriteResult | HostReadResult>): void {
    this.engine.watch(
      answer.then((result) => {
        this.#answered.add(op.id);
        this.#happenings.push({ kind: 'op-done', op, result });
      }),
      `host ${op.kind} ${op.array}[${op.block}]`,
    );
  }

  answered(op: HostOp): boolean {
    return this.#answered.has(op.id);
  }

  /** Runs the engine for `us` of virtual time (or until a problem stops it). */
  async runFor(us: number): Promise<void> {
    await this.engine.run({ until: this.engine.now + us });
  }

  /** Runs until `done()` or `boundUs` of virtual time has passed; true if done. */
  async runUntil(done: () => boolean, boundUs: number): Promise<boolean> {
    if (done()) return true;
    await this.engine.run({ stopWhen: done, until: this.engine.now + boundUs });
    return done();
  }

  /** A controller boots only once the I/O its dead predecessor submitted has drained (as the fault injector does). */
  async restartWhenQuiet(name: string): Promise<void> {
    const device = this.world.node(name).device;
    await this.runUntil(() => device.inFlight === 0, 10_000);
    if (device.inFlight > 0) this.#problems.push(`${name}: disk I/O still in flight 10ms after the crash`);
    this.world.restart(name);
  }

  /** Who is still working on what (for liveness failures). */
  describeState(): string {
    const w = this.world;
    const parts: string[] = [];
    for (const n of w.nodes()) {
      const busy: number[] = [];
      for (let k = 0; k < n.device.blockCount; k++) if (n.incarnation.alive && n.controller.busy?.(k) === true) busy.push(k);
      const state = [
        n.device.failed ? 'failed' : n.incarnation.alive ? 'up' : 'crashed',
        n === w.parity ? '' : w.membership(n.name),
        n !== w.parity && (n as PrimaryNode).controller.restoring ? 'restoring' : '',
        busy.length > 0 ? `busy blocks ${busy.join(',')}` : '',
        n.log.length > 0 ? `${n.log.length} journal records` : '',
      ].filter((x) => x !== '');
      parts.push(`${n.name}: ${state.join(', ')}`);
    }
    return parts.join('; ');
  }

  /** What happened since the last call, in order. */
  take(): Happening[] {
    const h = this.#happenings;
    this.#happenings = [];
    return h;
  }

  /** Violations the checkers reported and controller crashes, so far. */
  problems(): string[] {
    const crash = this.engine.crash;
    if (crash === undefined) return this.#problems;
    const e = crash.error;
    return [...this.#problems, `controller crash at ${crash.timeUs}us in ${crash.where}: ${e instanceof Error ? e.message : String(e)}`];
  }
}
