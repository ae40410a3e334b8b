// Checks that data the world knows is gone, and the protocol must know is
// gone, IS reported lost (the honesty checker judges only the reports made:
// a primary that silently dropped its losses passed every check, mutants of
// src/primary/restoration.ts, docs/MUTATION.md).
//
// Demanded today: a primary outside the group whose array fails. Nothing
// protected its data, so every block is gone for good; when it is replaced,
// parity refuses its restore and the primary records every block lost and
// reports it (docs/PROTOCOL.md, "An array outside the group that is lost and
// replaced"). So when its restore completes (`restored`), and again at the
// run's end, each block must have been reported lost since the failure —
// unless its host had a write to it acknowledged since (the block holds the
// host's data again: nothing is lost there any more).
//
// Deliberately not demanded: damage no read, scrub or repair had to touch
// (a latent error or a corruption nobody looked at is unknown to the
// protocol); a lost drive of an array outside the group (its host gets the
// media error, and a write replaces the block: no loss report, by design);
// a member's double damage, which the protocol may end by rewriting the
// block before it ever learns of the loss (a crash recovery's redo: the
// honesty checker's #lostUnreported); a member's damage left open at the end
// (the liveness check demands it repaired or reported: a report zero-fills
// the block, which ends its damage).
import type { Engine } from '../engine/engine.js';
import type { CheckedWorld } from './checked-world.js';
import type { Violation } from './violation.js';

export class CompletenessChecker {
  readonly #engine: Engine;
  readonly #world: CheckedWorld;
  readonly #report: (v: Omit<Violation, 'recent'>) => void;
  /** Per primary: blocks whose data is known gone and owed a loss report (or replaced by an acknowledged host write). */
  readonly #owed = new Map<string, Set<number>>();
  /** Arrays judged so. */
  checks = 0;

  constructor(engine: Engine, world: CheckedWorld, report: (v: Omit<Violation, 'recent'>) => void) {
    this.#engine = engine;
    this.#world = world;
    this.#report = report;
    world.events.on('array-failed', (e) => this.#failed(e.array));
    world.events.on('block-reported-lost', (e) => this.#owed.get(e.array)?.delete(e.block));
    world.events.on('host-write-done', (e) => {
      if (e.ok) this.#owed.get(e.array)?.delete(e.block);
    });
  }

  /** `array` failed as a whole: outside the group, every one of its blocks is gone (an earlier life's reports do not count). */
  #failed(array: string): void {
    const p = this.#world.primaries.find((n) => n.name === array);
    if (p === undefined || this.#world.oracle.membership(array) !== 'outside') {
      this.#owed.delete(array);
      return;
    }
    this.#owed.set(array, new Set(Array.from({ length: p.device.blockCount }, (_, block) => block)));
  }

  /**
   * Has `array` reported every block it owes? Judged when its restore
   * completes (losing everything ends the restore, the reports made first)
   * and at the run's end. False (reported) if not.
   */
  judge(array: string): boolean {
    this.checks++;
    const owed = this.#owed.get(array);
    if (owed === undefined || owed.size === 0) return true;
    const blocks = [...owed].sort((a, b) => a - b);
    const first = blocks[0]!;
    this.#report({
      kind: 'completeness',
      timeUs: this.#engine.now,
      array,
      block: first,
      message: `${array}'s array failed outside the group (nothing protected its data), yet ${blocks.length} of its blocks were never reported lost nor rewritten by its host, first ${array}[${first}]`,
    });
    return false;
  }

  /** The run's end: every live primary has reported what it owes. */
  final(): boolean {
    for (const p of this.#world.primaries) if (p.incarnation.alive && !this.judge(p.name)) return false;
    return true;
  }
}
