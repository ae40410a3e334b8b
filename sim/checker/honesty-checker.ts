// Checks that data is reported lost only when it truly is (DESIGN §7, H9/H11):
// a primary may report block k lost only if a second failure hit k's group
// during the reporter's own outage — another member (a primary large enough
// to hold k) was out (failed and not yet restored), or another member's copy
// of k had a latent sector error. Single parity repairs any one failure, so a
// loss with no second failure behind it is dishonest.
import type { Engine } from '../engine/engine.js';
import type { World } from '../world/world.js';
import type { Violation } from './violation.js';

export class HonestyChecker {
  readonly #engine: Engine;
  readonly #world: World;
  readonly #report: (v: Omit<Violation, 'recent'>) => void;
  readonly #judged = new Set<string>();
  checks = 0;
  honestLosses = 0;

  constructor(engine: Engine, world: World, report: (v: Omit<Violation, 'recent'>) => void) {
    this.#engine = engine;
    this.#world = world;
    this.#report = report;
  }

  /** Judges every loss report not judged yet. */
  check(): void {
    for (const p of this.#world.primaries) {
      for (const block of p.controller.lostBlocks) {
        const key = `${p.name}/${block}`;
        if (this.#judged.has(key)) continue;
        this.#judged.add(key);
        this.checks++;
        const culprit = this.#secondFailure(p.name, block);
        if (culprit !== undefined) {
          this.honestLosses++;
          continue;
        }
        this.#report({
          kind: 'honesty',
          timeUs: this.#engine.now,
          array: p.name,
          block,
          message: `${p.name} reports block ${block} lost, but no other member of its group failed during ${p.name}'s outage: single parity could have rebuilt it`,
        });
        return;
      }
    }
  }

  /** Another member of `block`'s group that was out during `array`'s latest outage, if any. */
  #secondFailure(array: string, block: number): string | undefined {
    const mine = this.#world.outages.get(array)?.at(-1);
    if (mine === undefined) return undefined;
    const end = mine.restoredAt ?? this.#engine.now;
    for (const other of this.#world.primaries) {
      if (other.name === array || other.device.blockCount <= block) continue;
      const latent = this.#world.latentErrors.get(other.name)?.get(block);
      if (latent !== undefined && latent <= end) return other.name;
      for (const o of this.#world.outages.get(other.name) ?? []) {
        if (o.failedAt <= end && (o.restoredAt === undefined || o.restoredAt >= mine.failedAt)) return other.name;
      }
    }
    return undefined;
  }
}
