// The reference model of a model-based test: what the installation must look
// like from outside, kept as plain data.
//
// Per primary array and block, the values the block may hold: the last
// acknowledged write, plus any write still in flight or answered with a
// failure (a failed write may still have taken effect: it reached the media,
// or its journaled intent is redone at restart), until a later write is
// acknowledged. The test issues at most one host operation per block at a
// time, so a block's history is sequential and this set is exact.
//
// Plus what the commands need to stay legal: membership, which controllers
// are down, which array is damaged (the fault budget: one at a time, so the
// model demands full recovery and never accepts a loss), and cut links.
import type { HostReadResult, HostWriteResult } from '../../src/primary/host-io.js';
import { equalBytes } from '../../src/protocol/xor.js';
import type { HostOp } from './system.js';

export type Membership = 'member' | 'joining' | 'leaving' | 'outside' | 'left';

/**
 * Known gaps in the product that the commands steer around while they are
 * open (test/model-based.test.ts pins a reproduction of each, so a fix shows
 * up as a failing pin: then drop the gap from OPEN_GAPS).
 */
export const GAPS: Readonly<Record<string, string>> = {
  // None open. The last ones closed, each now a regression in FOUND:
  // parity-crash-forgets-group, parity-crash-during-restore,
  // parity-replacement-membership, leave-while-restoring.
};

export type Gap = string;

export const OPEN_GAPS: ReadonlySet<Gap> = new Set(Object.keys(GAPS));

export interface ArrayModel {
  readonly name: string;
  readonly blocks: number;
  membership: Membership;
  /** Per block: the values it may hold now (never empty). */
  readonly values: Uint8Array[][];
}

interface Pending {
  readonly op: HostOp;
  /** A read: the values it may return (fixed at issue: nothing else touches the block meanwhile). */
  readonly candidates: readonly Uint8Array[];
  /** Its controller crashed or its array failed while it was in flight: a device-failed answer is legal. */
  interrupted: boolean;
}

export class ReferenceModel {
  readonly primaries: ArrayModel[];
  readonly parity: string;
  /** Controllers crashed and not restarted (an array failed and not replaced is in `failed`). */
  readonly crashed = new Set<string>();
  readonly failed = new Set<string>();
  /** The one array failed and not yet whole again (restored, or parity rebuilt). */
  damaged: string | undefined;
  /** Members a parity rebuild has not merged yet. */
  readonly rebuilding = new Set<string>();
  /** Cut directed links, as "from>to". */
  readonly cuts = new Set<string>();
  /** Network loss, duplication and reordering on. */
  storm = false;
  /** Gaps the commands steer around. */
  readonly gaps: ReadonlySet<Gap>;
  /** Commands run, by kind (coverage). */
  readonly ran = new Map<string, number>();
  readonly #pending = new Map<string, Pending>();

  constructor(arrays: readonly { name: string; blocks: number; member: boolean }[], parity: string, initial: (array: string, block: number) => Uint8Array, gaps: ReadonlySet<Gap>) {
    this.parity = parity;
    this.gaps = gaps;
    this.primaries = arrays.map((a) => ({
      name: a.name,
      blocks: a.blocks,
      membership: a.member ? 'member' : 'outside',
      values: Array.from({ length: a.blocks }, (_, k) => [initial(a.name, k)]),
    }));
  }

  note(command: object): void {
    const kind = command.constructor.name.toLowerCase();
    this.ran.set(kind, (this.ran.get(kind) ?? 0) + 1);
  }

  array(name: string): ArrayModel {
    const a = this.primaries.find((p) => p.name === name);
    if (a === undefined) throw new RangeError(`no primary ${name}`);
    return a;
  }

  /** Is the node's controller up (not crashed, array not failed)? */
  up(name: string): boolean {
    return !this.crashed.has(name) && !this.failed.has(name);
  }

  /** `node` failed: its controller and media are gone, its host I/O in flight fails. */
  failedNow(node: string): void {
    this.interrupt(node);
    this.crashed.delete(node);
    this.failed.add(node);
    this.damaged = node;
  }

  /** An empty array replaced failed `node`: it stays damaged until restored (parity: rebuilt from every member). */
  replaced(node: string): void {
    this.failed.delete(node);
    if (node !== this.parity) return;
    for (const a of this.primaries) if (a.membership === 'member') this.rebuilding.add(a.name);
  }

  busy(array: string, block: number): boolean {
    return this.#pending.has(`${array}/${block}`);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  issued(op: HostOp): void {
    const values = this.array(op.array).values[op.block]!;
    this.#pending.set(`${op.array}/${op.block}`, { op, candidates: [...values], interrupted: false });
    if (op.kind === 'write') values.push(op.value!);
  }

  /** `array`'s controller died (crash, or the array failed): its host I/O in flight fails. */
  interrupt(array: string): void {
    for (const p of this.#pending.values()) if (p.op.array === array) p.interrupted = true;
  }

  /** Judges an answer; returns what is wrong with it, if anything. */
  answered(op: HostOp, result: HostWriteResult | HostReadResult): string | undefined {
    const key = `${op.array}/${op.block}`;
    const p = this.#pending.get(key);
    if (p === undefined || p.op.id !== op.id) return `${describe(op)} answered, but the model has no such operation in flight`;
    this.#pending.delete(key);
    const a = this.array(op.array);
    if (!result.ok) {
      if (result.error === 'device-failed' && p.interrupted) return undefined; // may or may not have taken effect
      return `${describe(op)} failed with ${result.error}${p.interrupted ? '' : ' although its controller never crashed'} (the fault budget allows no loss)`;
    }
    if (op.kind === 'write') {
      a.values[op.block] = [op.value!];
      return undefined;
    }
    if (!('data' in result)) return `${describe(op)} answered without data`;
    if (p.candidates.some((c) => equalBytes(c, result.data))) return undefined;
    return `${describe(op)} returned ${hex(result.data)}; the model allows ${p.candidates.map(hex).join(' or ')}`;
  }
}

export function describe(op: HostOp): string {
  return op.kind === 'write' ? `write ${op.array}[${op.block}] = ${hex(op.value!)}` : `read ${op.array}[${op.block}]`;
}

export function hex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}
