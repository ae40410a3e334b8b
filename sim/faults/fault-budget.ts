// The fault budget (docs/SCENARIOS.md, faults.budget). Under `recoverable`, a
// failure that would leave two copies of one block group damaged at once — an
// array failure while another array is failed and not yet restored, or holds
// any damaged block; a drive failure whose blocks are damaged on another
// array; a latent error, a corrupted or misdirected block whose group is
// damaged elsewhere — is suppressed and counted (per block), so single parity
// can always repair what broke; under `unlimited`, everything scheduled
// happens. Each kind (kinds/) asks it before it damages anything.
import type { FaultWorld } from './fault-world.js';

export class FaultBudget {
  readonly #world: FaultWorld;
  readonly #mode: 'recoverable' | 'unlimited';
  readonly #damaged = new Set<string>();

  constructor(world: FaultWorld) {
    this.#world = world;
    this.#mode = world.scenario.faults.budget;
  }

  /** Arrays currently failed and not yet whole again. */
  get damaged(): ReadonlySet<string> {
    return this.#damaged;
  }

  /** `array` failed as a whole: it counts as damaged until repaired(). */
  failed(array: string): void {
    this.#damaged.add(array);
  }

  /** The array is whole again (its data restored). */
  repaired(array: string): void {
    this.#damaged.delete(array);
  }

  /** recoverable: would damaging `blocks` of `array` (undefined: all of it) leave two copies of some group damaged? */
  over(array: string, blocks: readonly number[] | undefined): boolean {
    if (this.#mode !== 'recoverable') return false;
    const w = this.#world;
    for (const other of w.nodes()) {
      if (other.name === array) continue;
      if (this.#damaged.has(other.name)) return true;
      if (blocks === undefined ? w.damage.openCount(other.name) > 0 : blocks.some((b) => w.damage.openAt(other.name, b))) return true;
    }
    return false;
  }

  /** Vets one block of `array` at a time (the media faults' `allowed`). */
  allows(array: string): (block: number) => boolean {
    return (block) => !this.over(array, [block]);
  }
}
