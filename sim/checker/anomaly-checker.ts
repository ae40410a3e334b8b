// Judges the anomalies controllers raise (src/protocol/anomaly-names.ts):
// each must be explained by the world's own record of faults, or the run
// fails — a controller meeting the impossible is a bug somewhere, even when
// nothing else has gone wrong yet.
//
//   scrub-copies-agree-q-differs (parity, block k, since t): every copy of
//     stripe k read back matching its checksum, yet Q[k] ≠ XOR. One damaged
//     copy shows as a checksum mismatch; only damage to two or more copies
//     of the stripe at once (open, or repaired no earlier than t) explains it.
import type { AnomalyName } from '../../src/protocol/anomaly-names.js';
import type { Engine } from '../engine/engine.js';
import type { CheckedWorld } from './checked-world.js';
import type { Violation } from './violation.js';

export class AnomalyChecker {
  readonly #engine: Engine;
  readonly #world: CheckedWorld;
  readonly #report: (v: Omit<Violation, 'recent'>) => void;
  /** Anomalies judged, and how many the world explained. */
  judged = 0;
  explained = 0;

  constructor(engine: Engine, world: CheckedWorld, report: (v: Omit<Violation, 'recent'>) => void) {
    this.#engine = engine;
    this.#world = world;
    this.#report = report;
    world.events.on('anomaly', (e) => this.judge(e.array, e.name, e.block, e.since));
  }

  /** False (and reported) if the world's faults do not explain it. */
  judge(array: string, name: AnomalyName, block: number, since: number): boolean {
    this.judged++;
    if (this.#explained(name, block, since)) {
      this.explained++;
      return true;
    }
    this.#report({ kind: 'anomaly', timeUs: this.#engine.now, array, block, message: `${array} met an anomaly the faults do not explain: ${name} at block ${block} (${this.#why(name)})` });
    return false;
  }

  #explained(name: AnomalyName, block: number, since: number): boolean {
    switch (name) {
      case 'scrub-copies-agree-q-differs':
        return this.#damagedCopies(block, since) >= 2;
    }
  }

  #why(name: AnomalyName): string {
    switch (name) {
      case 'scrub-copies-agree-q-differs':
        return 'every copy read back matching its checksum but Q ≠ XOR, and at most one copy of the stripe was damaged';
    }
  }

  /** Arrays of `block`'s stripe (parity included) with damage open at some moment of [since, now]. */
  #damagedCopies(block: number, since: number): number {
    const w = this.#world;
    const now = this.#engine.now;
    let damaged = 0;
    for (const n of w.nodes()) {
      if (block >= n.device.blockCount) continue;
      const spans = w.damage.intervals(n.name, block);
      const outages = w.outages.get(n.name) ?? [];
      const hit = spans.some((d) => d.start <= now && (d.end === undefined || d.end >= since)) || outages.some((o) => o.failedAt <= now && (o.restoredAt === undefined || o.restoredAt >= since));
      if (hit) damaged++;
    }
    return damaged;
  }
}
