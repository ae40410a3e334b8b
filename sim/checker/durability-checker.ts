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
//
// The ack policy sets what "acknowledged" promises. parity-durable: nothing
// acknowledged is ever lost. local-write: a write is acknowledged after the
// local write, and is safe once parity has acknowledged its delta (the
// product's durability point); when an array fails, each of its blocks may
// come back as any version from the newest one whose delta parity had
// acknowledged, onwards — exactly those, nothing older and nothing else.
// Reads and sweeps that return such an older version are counted: the window
// of vulnerability, hit.
//
// Memory: a block is followed by a Register (its versions, its open reads) only
// while something about it is open. Once a block settles — one legal value, an
// acknowledged write (under local-write, one parity has acknowledged), no
// read open — the register is dropped and the value kept in a BlockStore: its
// bytes and a bit, not an object graph, per written block. A block back in
// use gets a register again whose one version is that value; nothing a later
// judgement looks at differs (that version completed before anything now
// open was invoked, as the original had).
import type { AckPolicy } from '../../src/protocol/ack-policy.js';
import type { BlockSet } from '../../src/util/block-set.js';
import { equalBytes } from '../../src/protocol/xor.js';
import type { Engine } from '../engine/engine.js';
import { BlockStore } from '../storage/block-store.js';
import { deltaKey } from '../world/delta-key.js';
import type { WorldEvents } from '../world/world-events.js';
import type { Violation } from './violation.js';

interface Version {
  readonly value: Uint8Array;
  readonly invoked: number;
  /** Logical time of the answer (ack or failure); undefined while in flight. */
  completed: number | undefined;
  readonly acked: boolean;
  /** local-write: parity has acknowledged this write's delta. */
  durable: boolean;
  /** Allowed again only because its array failed inside the local-write window. */
  readonly relaxed: boolean;
  /** The block's initial contents (prefill or zeros), not a host write. */
  readonly initial: boolean;
}

interface Register {
  readonly block: number;
  readonly array: ArrayState;
  /** Versions a read invoked now could still return. */
  live: Version[];
  /** Open reads: the versions each may legally return. */
  readonly reads: Map<number, Version[]>;
  /** local-write: acknowledged versions in order, from the newest whose delta parity acknowledged. */
  history: Version[];
}

/** One array's blocks: registers of blocks with something open, values of settled ones. */
interface ArrayState {
  readonly active: Map<number, Register>;
  /** Settled blocks whose one legal value is a host write (the rest hold their initial contents). */
  settled: BlockStore | undefined;
}

export class DurabilityChecker {
  readonly #engine: Engine;
  readonly #initial: (array: string, block: number) => Uint8Array;
  readonly #report: (v: Omit<Violation, 'recent'>) => void;
  readonly #arrays = new Map<string, ArrayState>();
  readonly #writes = new Map<number, Version>();
  readonly #policy: AckPolicy;
  /** local-write, per array: the last delta sent per block (its key, delta-key.ts, and when), to pair it with the write it carries. */
  readonly #lastDelta = new Map<string, Map<number, { key: number; at: number }>>();
  /** local-write, per array: acknowledged writes by delta key, waiting for parity's ack. */
  readonly #byDelta = new Map<string, Map<number, { version: Version; register: Register }>>();
  /** local-write, per array: delta keys parity acknowledged before the host heard of the write. */
  readonly #durableFirst = new Map<string, Set<number>>();
  #clock = 0;
  /** Host reads checked. */
  checks = 0;
  /** Blocks checked by the final sweep. */
  blocksSwept = 0;
  /** local-write: acknowledged writes whose delta parity had not acknowledged when their array failed. */
  atRisk = 0;
  /** local-write: reads or sweeps that found an acknowledged write lost that way (the window, hit). */
  windowHits = 0;

  /** `initial` gives a block's contents before any host write (prefill or zeros); `policy` the ack policy whose promise is checked. */
  constructor(engine: Engine, initial: (array: string, block: number) => Uint8Array, report: (v: Omit<Violation, 'recent'>) => void, policy: AckPolicy = 'parity-durable') {
    this.#engine = engine;
    this.#initial = initial;
    this.#report = report;
    this.#policy = policy;
  }

  /**
   * Follows the world's stream (world-events.ts): the hosts' operations, and
   * under local-write each delta to parity's ack; an array's failure.
   */
  listen(events: WorldEvents, parity: string): void {
    // The hosts number their operations; this checker numbers its calls (its clock): op → id.
    const ids = new Map<number, number>();
    const id = (op: number) => {
      const n = ids.get(op)!;
      ids.delete(op);
      return n;
    };
    events.on('host-write-issued', (e) => void ids.set(e.op, this.writeIssued(e.array, e.block, e.data)));
    events.on('host-write-done', (e) => this.writeDone(e.array, e.block, id(e.op), e.ok));
    events.on('host-read-issued', (e) => void ids.set(e.op, this.readIssued(e.array, e.block)));
    events.on('host-read-done', (e) => this.readDone(e.array, e.block, id(e.op), e.data));
    events.on('array-failed', (e) => this.arrayFailed(e.array));
    if (this.#policy !== 'local-write') return; // deltas matter only there
    events.on('message-sent', ({ from, to, message: m }) => {
      if (m.type === 'delta' && m.seq > 0) this.deltaSent(from, m.block, deltaKey(m.epoch, m.seq));
      else if (m.type === 'delta-ack' && from === parity) this.deltaDurable(to, deltaKey(m.epoch, m.seq));
    });
  }

  writeIssued(array: string, block: number, data: Uint8Array): number {
    const r = this.#register(array, block);
    const id = ++this.#clock;
    const version: Version = { value: data.slice(), invoked: id, completed: undefined, acked: false, durable: false, relaxed: false, initial: false };
    r.live.push(version);
    this.#writes.set(id, version);
    for (const candidates of r.reads.values()) candidates.push(version);
    return id;
  }

  /** `array` sent the delta keyed `key` (delta-key.ts) for `block` (its first send): it carries the write being acknowledged next. */
  deltaSent(array: string, block: number, key: number): void {
    if (this.#policy !== 'local-write') return;
    table(this.#lastDelta, array, () => new Map()).set(block, { key, at: ++this.#clock });
  }

  /** Parity acknowledged `array`'s delta keyed `key`: that write, and every one before it on its block, is safe. */
  deltaDurable(array: string, key: number): void {
    if (this.#policy !== 'local-write') return;
    const pending = this.#byDelta.get(array)?.get(key);
    if (pending === undefined) {
      table(this.#durableFirst, array, () => new Set()).add(key);
      return;
    }
    this.#byDelta.get(array)!.delete(key);
    this.#durable(pending.register, pending.version);
    this.#settle(pending.register);
  }

  /**
   * `array` failed (media and journal lost). local-write: each block may come
   * back as any acknowledged version from the newest parity acknowledged on.
   */
  arrayFailed(array: string): void {
    this.#lastDelta.delete(array);
    this.#byDelta.delete(array);
    this.#durableFirst.delete(array);
    if (this.#policy !== 'local-write') return;
    // Settled blocks have one version, parity's: nothing at risk.
    for (const r of this.#arrays.get(array)?.active.values() ?? []) {
      this.atRisk += r.history.length - 1;
      for (const v of r.history) if (!r.live.includes(v)) r.live.push({ ...v, relaxed: true });
    }
  }

  #durable(r: Register, version: Version): void {
    version.durable = true;
    const i = r.history.indexOf(version);
    if (i > 0) r.history.splice(0, i); // older versions can no longer come back
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
      return; // two live versions at least: nothing settles
    }
    const done: Version = { ...version, completed: now, acked: true };
    // Every version that had completed before this write was invoked is overwritten for good.
    r.live = r.live.filter((v) => v !== version && !(v.completed !== undefined && v.completed < version.invoked));
    r.live.push(done);
    if (this.#policy === 'local-write') this.#trackDelta(array, block, r, done);
    this.#settle(r);
  }

  /** local-write: pairs an acknowledged write with its delta (sent just before the ack), and keeps it until parity has it. */
  #trackDelta(array: string, block: number, r: Register, done: Version): void {
    r.history.push(done);
    const delta = this.#lastDelta.get(array)?.get(block);
    if (delta === undefined || delta.at < done.invoked) return; // no delta (not a member yet): never safe
    this.#lastDelta.get(array)!.delete(block);
    if (this.#durableFirst.get(array)?.delete(delta.key)) this.#durable(r, done);
    else table(this.#byDelta, array, () => new Map()).set(delta.key, { version: done, register: r });
  }

  readIssued(array: string, block: number): number {
    const r = this.#register(array, block);
    const id = ++this.#clock;
    r.reads.set(id, [...r.live]);
    return id;
  }

  /** `data` undefined: the read failed with an error (allowed; honesty is judged elsewhere). */
  readDone(array: string, block: number, id: number, data: Uint8Array | undefined): void {
    const r = this.#register(array, block);
    const candidates = r.reads.get(id);
    if (candidates === undefined) throw new Error(`DurabilityChecker: unknown read ${id}`);
    r.reads.delete(id);
    this.#clock++;
    this.#settle(r);
    if (data === undefined) return;
    this.checks++;
    if (this.#legal(candidates, data)) return;
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
   * `blocks`: the blocks to judge besides those this checker followed (it adds them).
   */
  sweep(array: string, blocks: BlockSet, contents: (block: number) => Uint8Array, skip: (block: number) => boolean): boolean {
    const state = this.#arrays.get(array);
    if (state !== undefined) {
      for (const b of state.active.keys()) blocks.add(b);
      state.settled?.forEachWritten((b) => blocks.add(b));
    }
    for (const block of blocks) {
      if (skip(block)) continue;
      const legal = state?.active.get(block)?.live ?? [this.#settledVersion(array, state, block)];
      this.blocksSwept++;
      const data = contents(block);
      if (this.#legal(legal, data)) continue;
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

  /** Blocks followed by a register now (something about them open); every other block costs its settled value only. */
  get registers(): number {
    let n = 0;
    for (const state of this.#arrays.values()) n += state.active.size;
    return n;
  }

  /** The run is over: the settled values give their payload memory back now. */
  release(): void {
    for (const state of this.#arrays.values()) state.settled?.release();
  }

  /** Is `data` one of `versions`? Counts a match that only the local-write window allows. */
  #legal(versions: readonly Version[], data: Uint8Array): boolean {
    const matches = versions.filter((v) => equalBytes(v.value, data));
    if (matches.length > 0 && matches.every((v) => v.relaxed)) this.windowHits++;
    return matches.length > 0;
  }

  /**
   * The one version of a block with nothing open: its initial contents or the
   * settled value — acknowledged (and in parity) before anything now open
   * was invoked, so it completed at time 0 as far as any later judgement can tell.
   */
  #settledVersion(array: string, state: ArrayState | undefined, block: number): Version {
    const settled = state?.settled;
    if (settled?.has(block)) return { value: settled.get(block), invoked: 0, completed: 0, acked: true, durable: true, relaxed: false, initial: false };
    return { value: this.#initial(array, block), invoked: 0, completed: 0, acked: true, durable: true, relaxed: false, initial: true };
  }

  #register(array: string, block: number): Register {
    let state = this.#arrays.get(array);
    if (state === undefined) {
      state = { active: new Map(), settled: undefined };
      this.#arrays.set(array, state);
    }
    let r = state.active.get(block);
    if (r === undefined) {
      const only = this.#settledVersion(array, state, block);
      r = { block, array: state, live: [only], reads: new Map(), history: [only] };
      state.active.set(block, r);
    }
    return r;
  }

  /** Drops the register if the block has settled: one acknowledged version (local-write: one parity has), no read open. */
  #settle(r: Register): void {
    if (r.reads.size > 0 || r.live.length !== 1) return;
    const v = r.live[0]!;
    if (!v.acked || v.relaxed) return;
    if (this.#policy === 'local-write' && !(v.durable && r.history.length === 1 && r.history[0] === v)) return;
    const state = r.array;
    if (state.active.get(r.block) !== r) return; // an old register (a stale delta ack): the block moved on
    if (!v.initial && state.settled !== undefined && state.settled.blockBytes !== v.value.length) return; // odd sizes stay registers
    state.active.delete(r.block);
    if (v.initial) state.settled?.clear(r.block);
    else (state.settled ??= new BlockStore(Number.MAX_SAFE_INTEGER, v.value.length)).set(r.block, v.value);
  }
}

function table<T>(map: Map<string, T>, key: string, make: () => T): T {
  let t = map.get(key);
  if (t === undefined) map.set(key, (t = make()));
  return t;
}
