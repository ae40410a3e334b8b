// Checks that data is reported lost only when it truly is (hazards H9/H11, docs/PROTOCOL.md#hazards):
// when a primary reports block k lost, its own copy of k must be damaged at
// that moment (its array failed and is not restored yet, or k itself has a
// latent error, sits on a lost drive, or was corrupted), and either
//   - that damage began before parity was first built, or k is a joining
//     member's block not merged into Q yet (nothing protected it), or k is
//     a leaving member's block that Q no longer holds, or
//   - another copy in k's group — another member large enough to hold k, or
//     the parity array — was damaged at some moment of the reporter's damage.
//   - Q[k] is owed a recomputation (a delta went in while it was unreadable, or
//     a joining member's copy was merged then: only the rebuild puts it in);
//   - another member's block k was reported lost, and the stripe has not held
//     Q = XOR since (it is still being re-protected: Q[k] holds a block
//     nobody has any more);
// or the block was reported lost before, honestly, and no host write has
// replaced it since (likewise a loss its member hears of after a stray write
// mended its media: the damage since the last host write is judged) (a member whose array failed hears of it again); or the
// copy was damaged while nothing protected it, and no host write has replaced
// it since (lost then, whatever the media reads when the member hears of it).
// Damage that another began before it ended (a stray write landing on a
// stray write's wrong data) is one damage, from its first start. Single parity
// repairs any one damaged copy, so a loss with no second damage behind it is
// dishonest.
import type { Engine } from '../engine/engine.js';
import { BlockValues } from '../storage/block-values.js';
import type { CheckedWorld } from './checked-world.js';
import type { Violation } from './violation.js';

interface Span {
  readonly start: number;
  readonly end: number | undefined;
  /** Did parity protect the block when the damage began? */
  readonly protected: boolean;
}

export class HonestyChecker {
  readonly #engine: Engine;
  readonly #world: CheckedWorld;
  readonly #report: (v: Omit<Violation, 'recent'>) => void;
  readonly #judged = new Set<string>();
  /** Stripes with an honest loss reported since the parity check last found them whole. */
  readonly #unprotected = new Set<number>();
  /** Per block: when Q[k] last took a delta it could not apply, and when it was next recomputed. */
  readonly #owed = new Map<number, { from: number; until: number | undefined }[]>();
  /** Per block: when the parity check last found its stripe whole. */
  readonly #heldAt = new BlockValues('times');
  checks = 0;
  honestLosses = 0;

  constructor(engine: Engine, world: CheckedWorld, report: (v: Omit<Violation, 'recent'>) => void) {
    this.#engine = engine;
    this.#world = world;
    this.#report = report;
    world.events.on('block-probe', (e) => this.#qDebt(e.name, e.block));
  }

  /** Q[k] owes a recomputation from an absorbed delta, or a copy merged while it was unavailable, until its next rebuild. */
  #qDebt(name: string, block: number): void {
    const spans = this.#owed.get(block) ?? [];
    const last = spans.at(-1);
    if (name === 'parity-delta-absorbed' || name === 'merge-absorbed') {
      if (last === undefined || last.until !== undefined) spans.push({ from: this.#engine.now, until: undefined });
      this.#owed.set(block, spans);
    } else if ((name === 'parity-block-rebuilt' || name === 'stripe-reprotected') && last !== undefined && last.until === undefined) {
      last.until = this.#engine.now;
    }
  }

  /** Judges a loss report `array` has just made (`again`: it had reported it before, and no host write replaced it since); false if it is dishonest (reported). */
  judge(array: string, block: number, again = false): boolean {
    this.#judged.add(`${array}/${block}`);
    this.checks++;
    if (again || this.#honest(array, block)) {
      this.honestLosses++;
      this.#unprotected.add(block);
      return true;
    }
    this.#report({
      kind: 'honesty',
      timeUs: this.#engine.now,
      array,
      block,
      message: `${array} reports block ${block} lost, but no other copy in its group was damaged while ${array}'s was: single parity could have rebuilt it`,
    });
    return false;
  }

  /** The parity check found `block`'s stripe whole: a loss in it no longer excuses another. */
  held(block: number): void {
    this.#unprotected.delete(block);
    this.#heldAt.set(block, this.#engine.now);
  }

  /** Judges every block the world has seen reported lost that was not judged when reported. */
  check(): void {
    for (const p of this.#world.primaries) {
      for (const block of this.#world.oracle.lostBlocks(p.name)) {
        if (!this.#judged.has(`${p.name}/${block}`) && !this.judge(p.name, block)) return;
      }
    }
  }

  #honest(array: string, block: number): boolean {
    const now = this.#engine.now;
    // Damaged while nothing protected it, and no host write replaced it since: lost then (parity
    // holds it so), whatever the media reads later — a stray write may have landed on it since.
    const written = this.#world.oracle.lastHostWrite(array, block);
    if (this.#damage(array, block).some((d) => !d.protected && d.start >= written && d.start <= now)) return true;
    const spans = this.#damage(array, block);
    for (const current of spans) {
      // Damaged now — or since the host last wrote the block, that damage ended by no host write (a
      // stray write that happened to land the right bytes): a loss it caused stands until one does.
      if (current.start > now || (current.end !== undefined && current.end < now && current.start < written)) continue;
      const mine = continuous(spans, current);
      // Never protected: damaged before parity was built, or before a join merged it.
      if (!mine.protected) return true;
      // Not protected any more: a leave took the block out of Q (with the copy it read before the damage).
      if (array !== this.#world.parity.name && !this.#world.counts(array, block)) return true;
      // Its stripe lost another block and is not whole again yet.
      if (this.#unprotected.has(block)) return true;
      if (this.#lostUnreported(array, block, now)) return true;
      // Q[k] lacked a delta parity acknowledged while Q[k] was unreadable, not recomputed yet, at some
      // moment of our damage: as good as damaged, though a redo of an older logged value left it
      // readable (settled() holds the parity check for as long).
      if ((this.#owed.get(block) ?? []).some((o) => o.from <= now && (o.until === undefined || o.until >= mine.start))) return true;
      const until = mine.end ?? now;
      for (const other of this.#group(array, block)) {
        if (this.#damage(other, block).some((d) => d.start <= until && (d.end === undefined || d.end >= mine.start))) return true;
      }
    }
    return false;
  }

  /**
   * Did two other copies of the stripe hold damage at once since the parity
   * check last found it whole? Single parity lost a block then, whether or
   * not its member ever reported it (it may have rewritten the block first:
   * a crash recovery's redo), and Q[k] holds nothing to rebuild from until
   * the stripe is re-protected.
   */
  #lostUnreported(array: string, block: number, now: number): boolean {
    const since = this.#heldAt.get(block);
    const copies = this.#group(array, block).map((name) => this.#damage(name, block));
    for (let i = 0; i < copies.length; i++) {
      for (let j = i + 1; j < copies.length; j++) {
        for (const a of copies[i]!) {
          for (const b of copies[j]!) {
            const from = Math.max(a.start, b.start);
            if (from > since && from <= now && (a.end === undefined || a.end >= from) && (b.end === undefined || b.end >= from)) return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Every damage of `block` of `array`: its array's outages and the block's
   * own. An outage protects the block only if it was protected when the array
   * failed: a block lost before (damaged before its join merged it) stays
   * unprotected through the failure, which merely ends its damage interval.
   */
  #damage(array: string, block: number): Span[] {
    const own = this.#world.damage.intervals(array, block);
    const spans: Span[] = (this.#world.outages.get(array) ?? []).map((o) => ({
      start: o.failedAt,
      end: o.restoredAt,
      protected: !own.some((d) => !d.protected && d.start <= o.failedAt && (d.end === undefined || d.end >= o.failedAt)),
    }));
    return spans.concat(own);
  }

  /** The other arrays holding a copy that goes into Q[block], and the parity array. */
  #group(array: string, block: number): string[] {
    const w = this.#world;
    const others = w.primaries.filter((p) => p.name !== array && p.device.blockCount > block).map((p) => p.name);
    if (array !== w.parity.name) others.push(w.parity.name);
    return others;
  }
}

/**
 * The whole stretch of damage `span` belongs to: damage that another began
 * before it ended (a stray write over a stray write, a failure over a
 * corruption) is one damage, from the first start, protected as it was then.
 */
function continuous(spans: readonly Span[], span: Span): Span {
  let first = span;
  for (let earlier = true; earlier; ) {
    earlier = false;
    for (const s of spans) {
      if (s.start < first.start && (s.end === undefined || s.end >= first.start)) {
        first = s;
        earlier = true;
      }
    }
  }
  return { start: first.start, end: span.end, protected: first.protected };
}
