// Checks what hosts see, block by block, as a linearizable register: a read
// may return the value of write W (or the block's initial contents) unless W
// was already overwritten when the read began — that is, some write W2 that
// was invoked after W completed had itself been acknowledged before the read
// was invoked. Writes overlapping each other or the read may appear in either
// order. A failed write may still have taken effect (it may have reached the
// media, or be redone from a journal), so it stays possible until a write
// invoked after its failure is acknowledged.
//
// "Before" is exact: the checker numbers every call it receives, so events at
// the same virtual instant are ordered as they happened.
import { equalBytes } from '../../src/protocol/xor.js';
import type { Engine } from '../engine/engine.js';
import type { Violation } from './violation.js';

interface Version {
  readonly value: Uint8Array;
  readonly invoked: number;
  /** Logical time of the answer (ack or failure); undefined while in flight. */
  completed: number | undefined;
  readonly acked: boolean;
}

interface Register {
  /** Versions a read invoked now could still return. */
  live: Version[];
  /** Open reads: the values each may legally return. */
  readonly reads: Map<number, Uint8Array[]>;
}

export class DurabilityChecker {
  readonly #engine: Engine;
  readonly #initial: (array: string, block: number) => Uint8Array;
  readonly #report: (v: Omit<Violation, 'recent'>) => void;
  readonly #arrays = new Map<string, Map<number, Register>>();
  readonly #writes = new Map<number, Version>();
  #clock = 0;
  /** Host reads checked. */
  checks = 0;
  /** Blocks checked by the final sweep. */
  blocksSwept = 0;

  /** `initial` gives a block's contents before any host write (prefill or zeros). */
  constructor(engine: Engine, initial: (array: string, block: number) => Uint8Array, report: (v: Omit<Violation, 'recent'>) => void) {
    this.#engine = engine;
    this.#initial = initial;
    this.#report = report;
  }

  writeIssued(array: string, block: number, data: Uint8Array): number {
    const r = this.#register(array, block);
    const id = ++this.#clock;
    const version: Version = { value: data.slice(), invoked: id, completed: undefined, acked: false };
    r.live.push(version);
    this.#writes.set(id, version);
    for (const candidates of r.reads.values()) candidates.push(version.value);
    return id;
  }

  /** `acked`: the array acknowledged the write; otherwise it failed (and may or may not take effect). */
  writeDone(array: string, block: number, id: number, acked: boolean): void {
    const version = this.#writes.get(id);
    if (version === undefined) throw new Error(`DurabilityChecker: unknown write ${id}`);
    this.#writes.delete(id);
    const now = ++this.#clock;
    const r = this.#register(array, block);
    if (!acked) {
      version.completed = now;
      return;
    }
    const done: Version = { ...version, completed: now, acked: true };
    // Every version that had completed before this write was invoked is overwritten for good.
    r.live = r.live.filter((v) => v !== version && !(v.completed !== undefined && v.completed < version.invoked));
    r.live.push(done);
  }

  readIssued(array: string, block: number): number {
    const r = this.#register(array, block);
    const id = ++this.#clock;
    r.reads.set(id, r.live.map((v) => v.value));
    return id;
  }

  /** `data` undefined: the read failed with an error (allowed; honesty is judged elsewhere). */
  readDone(array: string, block: number, id: number, data: Uint8Array | undefined): void {
    const r = this.#register(array, block);
    const candidates = r.reads.get(id);
    if (candidates === undefined) throw new Error(`DurabilityChecker: unknown read ${id}`);
    r.reads.delete(id);
    this.#clock++;
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

  /**
   * After the run: every block of `array` must hold, on its media, a value a
   * read would be allowed to return now — a restore or repair that stored
   * anything else (an older version, another block's data) lost or
   * invented data even if no host happened to read it. `contents` reads the
   * media; `skip` excludes blocks honestly reported lost or still damaged.
   */
  sweep(array: string, blocks: Iterable<number>, contents: (block: number) => Uint8Array, skip: (block: number) => boolean): boolean {
    const registers = this.#arrays.get(array);
    const all = new Set([...blocks, ...(registers?.keys() ?? [])]);
    for (const block of [...all].sort((a, b) => a - b)) {
      if (skip(block)) continue;
      const legal = registers?.get(block)?.live.map((v) => v.value) ?? [this.#initial(array, block)];
      this.blocksSwept++;
      const data = contents(block);
      if (legal.some((v) => equalBytes(v, data))) continue;
      this.#report({
        kind: 'durability',
        timeUs: this.#engine.now,
        array,
        block,
        message: `after the run ${array}[${block}] holds data that no acknowledged or in-flight write stored (${legal.length} legal value${legal.length === 1 ? '' : 's'})`,
      });
      return false;
    }
    return true;
  }

  #register(array: string, block: number): Register {
    let blocks = this.#arrays.get(array);
    if (blocks === undefined) {
      blocks = new Map();
      this.#arrays.set(array, blocks);
    }
    let r = blocks.get(block);
    if (r === undefined) {
      // The initial contents: a version acknowledged before anything else happened.
      r = { live: [{ value: this.#initial(array, block), invoked: 0, completed: 0, acked: true }], reads: new Map() };
      blocks.set(block, r);
    }
    return r;
  }
}
