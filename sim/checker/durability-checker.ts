// Checks what hosts see: every read returns the last acknowledged write of that
// block, or the value of a write that was in flight at some point during the
// read. A golden model of acknowledged writes, keyed by (array, block).
import { equalBytes } from '../../src/protocol/xor.js';
import type { Engine } from '../engine/engine.js';
import type { Violation } from './violation.js';

interface BlockHistory {
  /** Last acknowledged contents (undefined: the initial contents, see `initial`). */
  acked: Uint8Array | undefined;
  /** Writes issued and not yet answered, by write id (allocated on first use). */
  inFlight: Map<number, Uint8Array> | undefined;
  /** Reads open on this block, each collecting every value it may legally return. */
  openReads: Map<number, Uint8Array[]> | undefined;
}

export class DurabilityChecker {
  readonly #engine: Engine;
  readonly #initial: (array: string, block: number) => Uint8Array;
  readonly #report: (v: Omit<Violation, 'recent'>) => void;
  readonly #arrays = new Map<string, Map<number, BlockHistory>>();
  #nextId = 0;
  checks = 0;

  /** `initial` gives a block's contents before any host write (prefill or zeros). */
  constructor(engine: Engine, initial: (array: string, block: number) => Uint8Array, report: (v: Omit<Violation, 'recent'>) => void) {
    this.#engine = engine;
    this.#initial = initial;
    this.#report = report;
  }

  writeIssued(array: string, block: number, data: Uint8Array): number {
    const h = this.#history(array, block);
    const id = this.#nextId++;
    const copy = data.slice();
    (h.inFlight ??= new Map()).set(id, copy);
    if (h.openReads !== undefined) for (const candidates of h.openReads.values()) candidates.push(copy);
    return id;
  }

  /** `acked`: the array acknowledged the write; otherwise it failed (and may or may not have landed). */
  writeDone(array: string, block: number, id: number, acked: boolean): void {
    const h = this.#history(array, block);
    const data = h.inFlight?.get(id);
    if (data === undefined) throw new Error(`DurabilityChecker: unknown write ${id}`);
    h.inFlight!.delete(id);
    if (acked) h.acked = data;
  }

  readIssued(array: string, block: number): number {
    const h = this.#history(array, block);
    const id = this.#nextId++;
    const candidates = [h.acked ?? this.#initial(array, block)];
    if (h.inFlight !== undefined) candidates.push(...h.inFlight.values());
    (h.openReads ??= new Map()).set(id, candidates);
    return id;
  }

  /** `data` undefined: the read failed with an error (allowed; honesty is judged elsewhere). */
  readDone(array: string, block: number, id: number, data: Uint8Array | undefined): void {
    const h = this.#history(array, block);
    const candidates = h.openReads?.get(id);
    if (candidates === undefined) throw new Error(`DurabilityChecker: unknown read ${id}`);
    h.openReads!.delete(id);
    if (data === undefined) return;
    this.checks++;
    if (candidates.some((c) => equalBytes(c, data))) return;
    this.#report({
      kind: 'durability',
      timeUs: this.#engine.now,
      array,
      block,
      message: `host read of ${array}[${block}] returned data that no acknowledged or in-flight write stored (${candidates.length} legal value${candidates.length === 1 ? '' : 's'})`,
    });
  }

  /** The value the checker expects a block to hold now, if no write is in flight. */
  expected(array: string, block: number): Uint8Array {
    return this.#arrays.get(array)?.get(block)?.acked ?? this.#initial(array, block);
  }

  #history(array: string, block: number): BlockHistory {
    let blocks = this.#arrays.get(array);
    if (blocks === undefined) {
      blocks = new Map();
      this.#arrays.set(array, blocks);
    }
    let h = blocks.get(block);
    if (h === undefined) {
      h = { acked: undefined, inFlight: undefined, openReads: undefined };
      blocks.set(block, h);
    }
    return h;
  }
}
