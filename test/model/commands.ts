// The commands of the model-based test. Each has a precondition on the
// reference model (check), so only legal sequences run — the fault budget
// (one damaged array at a time) and the open gaps included; after it runs,
// the model judges everything that happened and the invariants are checked.
// A command prints as it parses (parseCommands), so a counterexample can be
// pasted back as a test.
import fc from 'fast-check';
import { verify } from './checks.js';
import type { ReferenceModel } from './reference.js';
import { type HostOp, type SimSystem, TOPOLOGY } from './system.js';

export type Cmd = fc.AsyncCommand<ReferenceModel, SimSystem>;

const PRIMARIES = TOPOLOGY.primaries.map((p) => p.name);
const PARITY = TOPOLOGY.parity.name;
const NODES = [...PRIMARIES, PARITY];
/** How long a host operation is waited for before the next command runs (if unanswered, it stays in flight). */
const WAIT_US = 30_000;

/** Payload bytes from a small number: distinct numbers give distinct, non-trivial blocks. */
export function payload(n: number): Uint8Array {
  const out = new Uint8Array(TOPOLOGY.payloadBytes);
  let x = (n + 1) * 0x9e3779b1;
  for (let i = 0; i < out.length; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The effect on world and model; then the time the command takes, and the checks. */
abstract class Base implements Cmd {
  abstract check(m: Readonly<ReferenceModel>): boolean;
  abstract toString(): string;
  protected abstract apply(m: ReferenceModel, r: SimSystem): void | Promise<void>;

  async run(m: ReferenceModel, r: SimSystem): Promise<void> {
    m.note(this);
    await this.apply(m, r);
    await this.wait(r);
    verify(m, r);
  }

  /** By default only the current instant's consequences run. */
  protected async wait(r: SimSystem): Promise<void> {
    await r.runFor(0);
  }
}

abstract class HostIo extends Base {
  #answered: (() => boolean) | undefined;
  constructor(readonly array: string, readonly block: number, readonly waits: boolean) {
    super();
  }
  protected issued(m: ReferenceModel, r: SimSystem, op: HostOp): void {
    m.issued(op);
    this.#answered = () => r.answered(op);
  }
  protected override async wait(r: SimSystem): Promise<void> {
    if (this.waits) await r.runUntil(this.#answered!, WAIT_US);
    else await r.runFor(0);
  }
}

class Write extends HostIo {
  constructor(array: string, block: number, readonly n: number, waits: boolean) {
    super(array, block, waits);
  }
  check(m: ReferenceModel): boolean {
    const g = m.array(this.array).membership;
    return m.up(this.array) && g !== 'leaving' && g !== 'left' && !m.busy(this.array, this.block);
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    this.issued(m, r, r.write(this.array, this.block, payload(this.n)));
  }
  toString(): string {
    return `write(${this.array}[${this.block}]=#${this.n}${this.waits ? '' : ', nowait'})`;
  }
}

class Read extends HostIo {
  check(m: ReferenceModel): boolean {
    return m.up(this.array) && !m.busy(this.array, this.block);
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    this.issued(m, r, r.read(this.array, this.block));
  }
  toString(): string {
    return `read(${this.array}[${this.block}]${this.waits ? '' : ', nowait'})`;
  }
}

class Join extends Base {
  constructor(readonly array: string) {
    super();
  }
  check(m: ReferenceModel): boolean {
    return m.array(this.array).membership === 'outside' && m.up(this.array);
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    r.world.join(this.array);
    m.array(this.array).membership = 'joining';
  }
  toString(): string {
    return `join(${this.array})`;
  }
}

class Leave extends Base {
  constructor(readonly array: string) {
    super();
  }
  check(m: ReferenceModel): boolean {
    const others = m.primaries.filter((a) => a.name !== this.array && a.membership === 'member').length;
    return m.array(this.array).membership === 'member' && m.up(this.array) && others > 0;
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    r.world.leave(this.array);
    m.array(this.array).membership = 'leaving';
  }
  toString(): string {
    return `leave(${this.array})`;
  }
}

/** The whole array is lost: media, journal and controller. Only when nothing else is damaged (the budget). */
class Fail extends Base {
  constructor(readonly node: string) {
    super();
  }
  check(m: ReferenceModel): boolean {
    if (m.damaged !== undefined || m.failed.has(this.node)) return false;
    if (this.node === m.parity) return true;
    return m.array(this.node).membership === 'member';
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    r.world.failArray(this.node);
    m.failedNow(this.node);
  }
  toString(): string {
    return `fail(${this.node})`;
  }
}

/** An empty array replaces the failed one: a primary is restored from parity, parity is rebuilt from every member. */
class Replace extends Base {
  /** `node`: that array; by default the one failed (the budget allows one). */
  constructor(readonly node?: string) {
    super();
  }
  check(m: ReferenceModel): boolean {
    return this.node === undefined ? m.failed.size > 0 : m.failed.has(this.node);
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    const node = this.node ?? [...m.failed][0]!;
    r.world.replaceArray(node);
    m.replaced(node);
  }
  toString(): string {
    return `replace(${this.node ?? ''})`;
  }
}

class Crash extends Base {
  constructor(readonly node: string) {
    super();
  }
  check(m: ReferenceModel): boolean {
    return m.up(this.node);
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    r.world.crash(this.node);
    m.interrupt(this.node);
    m.crashed.add(this.node);
  }
  toString(): string {
    return `crash(${this.node})`;
  }
}

/** A crashed controller boots again, once its predecessor's disk I/O has drained. */
class Restart extends Base {
  /** `node`: that one; by default the one crashed longest ago. */
  constructor(readonly node?: string) {
    super();
  }
  check(m: ReferenceModel): boolean {
    return this.node === undefined ? m.crashed.size > 0 : m.crashed.has(this.node);
  }
  protected async apply(m: ReferenceModel, r: SimSystem): Promise<void> {
    const node = this.node ?? [...m.crashed][0]!;
    await r.restartWhenQuiet(node);
    m.crashed.delete(node);
  }
  toString(): string {
    return `restart(${this.node ?? ''})`;
  }
}

type Direction = 'both' | 'to-parity' | 'from-parity';

/** Cuts the link between a primary and parity (both ways, or one). */
class Partition extends Base {
  constructor(readonly array: string, readonly direction: Direction) {
    super();
  }
  #links(m: ReferenceModel): string[] {
    const up = `${this.array}>${m.parity}`;
    const down = `${m.parity}>${this.array}`;
    return this.direction === 'both' ? [up, down] : this.direction === 'to-parity' ? [up] : [down];
  }
  check(m: ReferenceModel): boolean {
    return this.#links(m).some((l) => !m.cuts.has(l));
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    for (const l of this.#links(m)) {
      const [from, to] = l.split('>') as [string, string];
      r.network.partitionOneWay(from, to);
      m.cuts.add(l);
    }
  }
  toString(): string {
    return `partition(${this.array}, ${this.direction})`;
  }
}

class Heal extends Base {
  constructor(readonly array: string) {
    super();
  }
  check(m: ReferenceModel): boolean {
    return m.cuts.has(`${this.array}>${m.parity}`) || m.cuts.has(`${m.parity}>${this.array}`);
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    r.network.heal(this.array, m.parity);
    m.cuts.delete(`${this.array}>${m.parity}`);
    m.cuts.delete(`${m.parity}>${this.array}`);
  }
  toString(): string {
    return `heal(${this.array})`;
  }
}

/** Loss, duplication and reordering on every link (the topology's rates), or off again. */
class Storm extends Base {
  constructor(readonly on: boolean) {
    super();
  }
  check(m: ReferenceModel): boolean {
    return m.storm !== this.on;
  }
  protected apply(m: ReferenceModel, r: SimSystem): void {
    r.world.operator.networkFaults(this.on);
    m.storm = this.on;
  }
  toString(): string {
    return `storm(${this.on ? 'on' : 'off'})`;
  }
}

class Advance extends Base {
  constructor(readonly ms: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected apply(): void {}
  protected override async wait(r: SimSystem): Promise<void> {
    await r.runFor(this.ms * 1000);
  }
  toString(): string {
    return `advance(${this.ms}ms)`;
  }
}

const primary = fc.constantFrom(...PRIMARIES);
const node = fc.constantFrom(...NODES);
const blockOf = (array: string, raw: number) => raw % TOPOLOGY.primaries.find((p) => p.name === array)!.blocks;
const write = fc.tuple(primary, fc.nat({ max: 15 }), fc.nat({ max: 999 }), fc.boolean()).map(([a, k, n, w]): Cmd => new Write(a, blockOf(a, k), n, w));
const read = fc.tuple(primary, fc.nat({ max: 15 }), fc.boolean()).map(([a, k, w]): Cmd => new Read(a, blockOf(a, k), w));

/** Every command; host I/O weighted up so that faults meet load. */
export const COMMANDS: fc.Arbitrary<Cmd>[] = [
  write,
  write,
  write,
  read,
  read,
  primary.map((a): Cmd => new Join(a)),
  primary.map((a): Cmd => new Leave(a)),
  node.map((n): Cmd => new Fail(n)),
  fc.constant(null).map((): Cmd => new Replace()),
  node.map((n): Cmd => new Crash(n)),
  fc.constant(null).map((): Cmd => new Restart()),
  fc.tuple(primary, fc.constantFrom<Direction>('both', 'to-parity', 'from-parity')).map(([a, d]): Cmd => new Partition(a, d)),
  primary.map((a): Cmd => new Heal(a)),
  fc.boolean().map((on): Cmd => new Storm(on)),
  fc.integer({ min: 1, max: 100 }).map((ms): Cmd => new Advance(ms)),
];

/** Commands as printed ("write(p1[3]=#7, nowait),crash(parity),…"), e.g. a counterexample pasted into a test. */
export function parseCommands(text: string): Cmd[] {
  const out: Cmd[] = [];
  for (const [whole, name, args] of text.matchAll(/([a-z]+)\(([^)]*)\)/g)) {
    const [a = '', b = ''] = args!.split(',').map((x) => x.trim());
    const io = /^(\w+)\[(\d+)\](?:=#(\d+))?$/.exec(a);
    const known = (n: string, list: readonly string[]) => {
      if (!list.includes(n)) throw new Error(`parseCommands: no array "${n}" in ${whole}`);
      return n;
    };
    const cmd = (() => {
      switch (name) {
        case 'write':
          if (io?.[3] === undefined) break;
          return new Write(known(io[1]!, PRIMARIES), Number(io[2]), Number(io[3]), b !== 'nowait');
        case 'read':
          if (io === null) break;
          return new Read(known(io[1]!, PRIMARIES), Number(io[2]), b !== 'nowait');
        case 'join':
          return new Join(known(a, PRIMARIES));
        case 'leave':
          return new Leave(known(a, PRIMARIES));
        case 'fail':
          return new Fail(known(a, NODES));
        case 'replace':
          return new Replace(a === '' ? undefined : known(a, NODES));
        case 'crash':
          return new Crash(known(a, NODES));
        case 'restart':
          return new Restart(a === '' ? undefined : known(a, NODES));
        case 'partition':
          if (b !== 'both' && b !== 'to-parity' && b !== 'from-parity') break;
          return new Partition(known(a, PRIMARIES), b);
        case 'heal':
          return new Heal(known(a, PRIMARIES));
        case 'storm':
          return new Storm(a === 'on');
        case 'advance':
          if (!/^\d+ms$/.test(a)) break;
          return new Advance(Number.parseInt(a, 10));
      }
      return undefined;
    })();
    if (cmd === undefined) throw new Error(`parseCommands: cannot read ${whole}`);
    out.push(cmd);
  }
  return out;
}
