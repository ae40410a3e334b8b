// The world's checkers (World.check arms them; the world owns them, as
// TigerBeetle's cluster owns its state checker): parity, durability, honesty,
// completeness and anomalies, each subscribed to the world's stream. After each completed
// restore, join or leave they judge the whole world again (a parity sweep;
// after a restore, every loss report made and every one owed too), and each loss report as it is
// made; each judgement is published (`checked`), and the fault triggers wait
// for a sound one. The first violation stops the run.
import type { AckPolicy } from '../../src/protocol/ack-policy.js';
import { CHECKPOINT_EVERY } from '../../src/parity/parity-log.js';
import { isCheckpointRecord } from '../../src/protocol/parity-journal.js';
import type { Prefilled } from '../world/prefill.js';
import { BlockSet } from '../../src/util/block-set.js';
import type { Checked } from '../world/world-events.js';
import type { CheckedWorld } from './checked-world.js';
import { AnomalyChecker } from './anomaly-checker.js';
import { CompletenessChecker } from './completeness-checker.js';
import { DurabilityChecker } from './durability-checker.js';
import { HonestyChecker } from './honesty-checker.js';
import { ParityChecker } from './parity-checker.js';
import type { Violation } from './violation.js';

export class Checkers {
  /** Every violation reported, in order (the first one stopped the run). */
  readonly violations: Violation[] = [];
  readonly durability: DurabilityChecker;
  readonly honesty: HonestyChecker;
  readonly completeness: CompletenessChecker;
  readonly anomaly: AnomalyChecker;
  readonly parity: ParityChecker;
  readonly #world: CheckedWorld;
  readonly #initial: Prefilled;

  constructor(world: CheckedWorld, initial: Prefilled, policy: AckPolicy) {
    const { engine, events } = world;
    this.#world = world;
    this.#initial = initial;
    const report = (v: Omit<Violation, 'recent'>) => this.report(v);
    this.durability = new DurabilityChecker(engine, initial.contents, report, policy);
    this.durability.listen(events, world.parity.name);
    this.honesty = new HonestyChecker(engine, world, report);
    this.completeness = new CompletenessChecker(engine, world, report);
    this.anomaly = new AnomalyChecker(engine, world, report);
    this.parity = new ParityChecker(engine, world, report, (block) => this.honesty.held(block));
    events.on('block-reported-lost', (e) => this.#checked('lost', e.array, this.honesty.judge(e.array, e.block, e.again)));
    events.on('restored', (e) => {
      this.honesty.check();
      if (!this.completeness.judge(e.array)) return this.#checked('restored', e.array, false);
      this.#checked('restored', e.array, this.parity.sweep()); // after every restore, the whole array
    });
    events.on('joined', (e) => this.#checked('joined', e.array, this.parity.sweep())); // after every join (and parity rebuild)
    events.on('left', (e) => this.#checked('left', e.array, this.parity.sweep())); // after every leave
  }

  #checked(after: Checked, array: string, ok: boolean): void {
    this.#world.events.publish({ kind: 'checked', after, array, ok });
  }

  /** Records a violation, with the last trace records of its block, and stops the run. */
  report(v: Omit<Violation, 'recent'>): void {
    const engine = this.#world.engine;
    this.violations.push({ ...v, recent: v.block === null ? [] : engine.trace.recentFor(v.block) });
    engine.stop();
  }

  /** The initial parity build completed, now: blocks damaged before it were never protected. Sweeps the whole array. */
  built(): boolean {
    this.#world.oracle.builtAt = this.#world.engine.now;
    return this.parity.sweep();
  }

  /**
   * The run's end (the load over, the world quiet): every array whole again,
   * every damage repaired or honestly reported, every loss the protocol must
   * know of reported (completeness-checker.ts), every stripe holding Q = XOR,
   * every block of every primary holding what its host may read (a restore
   * or repair stored nothing wrong), and every live primary's journal empty.
   * False once a violation is reported.
   */
  final(): boolean {
    const w = this.#world;
    const now = w.engine.now;
    const unfinished = [...w.oracle.unfinished(), ...w.media.failedDrives()];
    if (unfinished.length > 0) {
      this.report({ kind: 'liveness', timeUs: now, array: unfinished[0]!, block: null, message: `${unfinished.join(', ')} still failed, restoring or joining after the settle bound` });
      return false;
    }
    // Every lost drive's blocks rebuilt, and with a scrub every damaged block repaired (or honestly reported lost).
    const unrepaired = w.media.unrepaired(w.scenario.scrub !== undefined);
    if (unrepaired.length > 0) {
      const d = unrepaired[0]!;
      this.report({ kind: 'liveness', timeUs: now, array: d.array, block: d.block, message: `${unrepaired.length} damaged block(s) not repaired after the settle bound, first ${d.array}[${d.block}] (${d.kinds.join(', ')})` });
      return false;
    }
    this.honesty.check();
    if (!this.completeness.final()) return false;
    if (!this.parity.finalSweep()) return false;
    for (const p of w.primaries) {
      const store = p.device.store;
      const skip = (block: number) => w.oracle.lostBlocks(p.name).has(block) || w.damage.openAt(p.name, block);
      const blocks = new BlockSet();
      for (const b of this.#initial.blocks(p.name)) blocks.add(b);
      store.forEachWritten((b) => blocks.add(b));
      if (!this.durability.sweep(p.name, blocks, (block) => store.get(block), skip)) return false;
    }
    return this.#journalsTrimmed();
  }

  /**
   * Every live primary's journal is empty: the world is quiet and every stripe
   * judged, so nothing a record could redo is still owed, and a record kept
   * now is one kept for ever (a journal that grows without bound; mutants of
   * src/primary/outbox.ts that never trim passed every other check,
   * docs/MUTATION.md). Read from the world's own log (SimLog), never from a
   * controller. Lasting state belongs in the log's header, which is not
   * judged. A crashed primary's records are work still to replay, which
   * already held its stripes unjudged (oracle.settled). Parity's journal keeps
   * records by design, up to a checkpoint interval: #parityJournalBounded.
   */
  #journalsTrimmed(): boolean {
    for (const p of this.#world.primaries) {
      const held = p.log.length;
      if (held === 0 || !p.incarnation.alive) continue;
      const records = held === 1 ? '1 record' : `${held} records`;
      this.report({ kind: 'liveness', timeUs: this.#world.engine.now, array: p.name, block: null, message: `${p.name}'s journal still holds ${records} after the settle bound: acknowledged deltas never trimmed` });
      return false;
    }
    return this.#parityJournalBounded();
  }

  /**
   * The built-in parity checkpoints every CHECKPOINT_EVERY records it logs
   * (src/parity/parity-log.ts): in a quiet world, fewer than that follow its
   * last checkpoint record. More is a log that stopped checkpointing and
   * grows with every write (a mutant without the count, docs/MUTATION.md).
   * Records before the checkpoint are not judged: one still being written
   * when it was taken is kept by design. A user's parity (`--controllers`)
   * keeps its own format, and is not judged.
   */
  #parityJournalBounded(): boolean {
    const w = this.#world;
    if (!w.builtin || !w.parity.incarnation.alive) return true;
    const records = w.parity.log.records;
    let after = 0;
    for (let i = records.length - 1; i >= 0 && !isCheckpointRecord(records[i]!.data); i--) after++;
    if (after < CHECKPOINT_EVERY) return true;
    this.report({ kind: 'liveness', timeUs: w.engine.now, array: w.parity.name, block: null, message: `${w.parity.name}'s journal holds ${after} records after its last checkpoint at the settle bound (it checkpoints every ${CHECKPOINT_EVERY}): records never trimmed` });
    return false;
  }

  /** What was checked, for the run report. */
  get counts(): { parity: number; reads: number; sweeps: number; lossReports: number } {
    return { parity: this.parity.checks, reads: this.durability.checks, sweeps: this.parity.sweeps, lossReports: this.honesty.checks };
  }

  /** The run is over: the durability checker's values and the initial contents give their payload memory back. */
  release(): void {
    this.#initial.release();
    this.durability.release();
  }
}
