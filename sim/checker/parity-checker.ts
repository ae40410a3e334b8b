// Checks the invariant the whole system exists for: Q[k] = XOR of every
// member's block k (a block past the end of a smaller member counts as zeros).
//
// It judges block k only once k has settled (nothing about k unfinished in any
// controller or on the wire), re-examining k whenever a write to k lands on any
// array or a message about k leaves the wire; and it sweeps every block after
// each whole-array operation (build, join, leave, restore) and at the end,
// where a block that cannot be judged is itself a failure. It reads media
// directly: it observes, it does not ask controllers. A stripe with a lost
// block is no exception: its member holds zeros for it, and once the stripe is
// re-protected Q[k] is the XOR of what the members hold. A joining or leaving
// array counts as far as parity says it got (contributes()); under a parity
// controller that does not say, either way, until parity reports it done.
import type { Engine } from '../engine/engine.js';
import { BlockSet } from '../../src/util/block-set.js';
import type { KindId } from '../engine/trace.js';
import type { CheckedWorld } from './checked-world.js';
import type { Violation } from './violation.js';

export class ParityChecker {
  readonly #engine: Engine;
  readonly #world: CheckedWorld;
  readonly #report: (v: Omit<Violation, 'recent'>) => void;
  /** Blocks with a check queued (bits, not a Set: an entry gained and lost per touch made garbage as it rehashed). */
  readonly #queued = new BlockSet();
  readonly #hCheck: number;
  readonly #kRecord: KindId;
  #actor = -1;
  readonly #scratch: Uint8Array;
  readonly #held: (block: number) => void;
  checks = 0;
  sweeps = 0;

  /** `held`: told each block found to hold the invariant (the honesty checker: its stripe protects again). */
  constructor(engine: Engine, world: CheckedWorld, report: (v: Omit<Violation, 'recent'>) => void, held: (block: number) => void = () => {}) {
    this.#engine = engine;
    this.#world = world;
    this.#report = report;
    this.#held = held;
    this.#scratch = new Uint8Array(world.scenario.payloadBytes);
    // A typed event: pure simulator code, so no allocation and no microtask drain.
    this.#hCheck = engine.handler('check.parity-queued', (block) => {
      this.#queued.delete(block);
      if (this.#world.oracle.settled(block)) this.check(block);
    });
    this.#kRecord = engine.trace.kind('check.parity', ['block', 'ok']);
    world.events.on('block-landed', (e) => this.touch(e.block));
    world.events.on('message-settled', (e) => this.touch(e.block));
  }

  /** Something happened to `block`: judge it once the current instant's work has run. */
  touch(block: number): void {
    if (this.#queued.has(block)) return;
    this.#queued.add(block);
    this.#engine.post(0, this.#hCheck, block);
  }

  /** Compares Q[k] with the members' XOR now; true if they agree. */
  check(block: number): boolean {
    const world = this.#world;
    // Injected damage not repaired yet (liveness demands the repair by the end).
    if (world.media.damagedGroup(block)) return true;
    this.checks++;
    const expected = this.#scratch.fill(0);
    for (const p of world.primaries) if (world.counts(p.name, block)) p.device.store.xorInto(expected, block);
    const ok = world.parity.device.store.equals(block, expected) || this.#eitherWay(block, expected);
    if (this.#actor < 0) this.#actor = this.#engine.trace.actor('checker'); // interned on the first check, as before
    this.#engine.trace.record(this.#engine.now, this.#kRecord, this.#actor, block, ok ? 1 : 0);
    if (ok) this.#held(block);
    else {
      this.#report({
        kind: 'parity',
        timeUs: this.#engine.now,
        array: world.parity.name,
        block,
        message: parityMessage(block, world.parity.device.store.get(block), expected, world.primaries.filter((p) => world.counts(p.name, block)).map((p) => p.name)),
      });
    }
    return ok;
  }

  /**
   * Q[k] against the members' XOR with some of the arrays whose part is uncertain (joining or
   * leaving, under a parity controller that does not say how far it got: oracle.uncertain) —
   * any combination will do until parity reports the change done. `expected` is left as it is.
   */
  #eitherWay(block: number, expected: Uint8Array): boolean {
    const open = this.#world.primaries.filter((p) => this.#world.oracle.uncertain(p.name, block));
    if (open.length === 0) return false;
    const trial = expected.slice();
    // Gray code order: each step XORs one array in or out, so every combination costs one XOR.
    for (let i = 1; i < 2 ** open.length; i++) {
      open[31 - Math.clz32(i & -i)]!.device.store.xorInto(trial, block);
      if (this.#world.parity.device.store.equals(block, trial)) return true;
    }
    return false;
  }

  /**
   * Checks every block any array has ever written (all others are zero
   * everywhere). Under load, blocks with work in flight cannot be judged yet:
   * they are checked when they settle (their own completions touch them).
   */
  sweep(): boolean {
    this.sweeps++;
    let ok = true;
    for (const b of this.#writtenBlocks()) {
      if (this.#world.oracle.settled(b)) ok = this.check(b) && ok;
      else this.touch(b);
    }
    return ok;
  }

  /**
   * The sweep after the settle phase: every block judged. One still
   * unsettled is work that never finished (liveness). Only damage nothing was
   * asked to find is left unjudged — corruption never read, with no scrub
   * running; the liveness check demands every other damage repaired.
   */
  finalSweep(): boolean {
    this.sweeps++;
    const world = this.#world;
    for (const b of this.#writtenBlocks()) {
      if (!world.oracle.settled(b)) {
        this.#report({ kind: 'liveness', timeUs: this.#engine.now, array: world.parity.name, block: b, message: `stripe ${b} still has work unfinished after the settle bound: it cannot be judged` });
        return false;
      }
      if (!this.check(b)) return false;
    }
    return true;
  }

  /** Every block any array has ever written (all others are zero everywhere), ascending. */
  #writtenBlocks(): BlockSet {
    // Bits, not a Set and a sort: at 16 M blocks a Set is hundreds of MB and at V8's limit of 2^24 entries.
    const blocks = new BlockSet();
    const add = (b: number): void => blocks.add(b);
    for (const device of this.#world.devices()) device.store.forEachWritten(add);
    return blocks;
  }
}

/** Shows 8 bytes of each from the first that differs (a single corrupted byte deep in the block is then visible). */
function parityMessage(block: number, q: Uint8Array, expected: Uint8Array, members: readonly string[]): string {
  let at = 0;
  while (at < q.length && q[at] === expected[at]) at++;
  const from = Math.floor(Math.min(at, q.length - 1) / 8) * 8;
  const hex = (data: Uint8Array) =>
    `${from > 0 ? '…' : ''}${Array.from(data.subarray(from, from + 8), (b) => b.toString(16).padStart(2, '0')).join('')}${data.length > from + 8 ? '…' : ''}`;
  return `Q[${block}] = ${hex(q)} but the XOR of ${members.join(', ')} is ${hex(expected)}`;
}
