// Group membership as the scenario and the operator made it — not as any
// controller claims it: which primaries are members, joining, leaving or
// outside, and the group the parity array was installed for (what its
// controllers are configured with; their journal records changes since).
// The installation builds controllers from it, the operator changes it, the
// oracle and the checkers read it.
import type { ResolvedScenario } from '../scenario/resolve.js';

export type MemberState = 'member' | 'joining' | 'leaving' | 'outside';

/** One member of the group a parity array is installed for. */
export interface ParityMember {
  readonly name: string;
  readonly blockCount: number;
  readonly joining: boolean;
}

export class Membership {
  readonly #states = new Map<string, MemberState>();
  #parityMembers: ParityMember[];

  constructor(scenario: ResolvedScenario) {
    for (const p of scenario.primaries) this.#states.set(p.name, p.member ? 'member' : 'outside');
    this.#parityMembers = scenario.primaries.filter((p) => p.member).map((p) => ({ name: p.name, blockCount: p.blocks, joining: false }));
  }

  /** The scenario's view of `array`'s membership. */
  of(array: string): MemberState {
    return this.#states.get(array) ?? 'outside';
  }

  set(array: string, state: MemberState): void {
    this.#states.set(array, state);
  }

  /** Every primary's state, in the scenario's order. */
  entries(): IterableIterator<[string, MemberState]> {
    return this.#states.entries();
  }

  /** Is any primary joining (a join, or a parity rebuild's merges)? */
  anyJoining(): boolean {
    return [...this.#states.values()].includes('joining');
  }

  /** The group the current parity array was installed for. */
  get parityMembers(): ParityMember[] {
    return this.#parityMembers;
  }

  /** A replacement parity array is installed for `members`. */
  set parityMembers(members: ParityMember[]) {
    this.#parityMembers = members;
  }
}
