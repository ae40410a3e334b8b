// A generated world's fault plan: the arrays' roles, the operations that make
// protocol phases (a restore, a join, a leave, a parity rebuild, a lost
// drive, a loss report, a disordered link, the scrub) and, for each coverage
// cell the generator aims at, the moment that lands inside the phase: a fixed
// time, or an event trigger (`after`) when the phase's start or end is not
// known in advance ("300us after p2's replacement", "1ms after p2 restored").
//
// Operations whose moment is free go one after another, each a while after
// the previous one ended (an event trigger on its end): under `recoverable`
// always — the fault budget would suppress a failure while another array is
// still down, so overlapping operations would mostly not happen — and under
// `unlimited` now and then (overlaps are what it is for).
//
// Arrays are allocated as roles ask for them, so a world has as many
// primaries as its plan needs (shape.ts may add more). What may be failed,
// told to leave or to join follows the operator's rules, under either budget:
// only a full member is failed or told to leave (an outside or joining
// array's data was never protected), each array fails at most once in the
// plan except again during its own restore, and a join is only ever of an
// array outside the group.
import type { Cell, Family, Phase } from '../coverage/cells.js';
import { MS } from '../engine/time.js';
import type { TriggerEvent } from '../faults/entry-fields.js';
import { humanDuration as us } from '../scenario/units.js';
import type { Dice } from './dice.js';
import type { Budget } from './universe.js';

/** A scenario file's JSON, as the generator builds it. */
export type Json = { [key: string]: unknown };

/** When a planned fault happens: at a fixed time, or `delay` after an event (armed from `at`). */
export interface Anchor {
  readonly at: number;
  readonly after?: { readonly event: TriggerEvent; readonly array: string; readonly delay: number };
}

/** Where a phase is: when to strike to land in it, and the array it is about (if one). */
export interface Context {
  readonly phase: Phase;
  readonly anchor: Anchor;
  readonly array?: string;
  /** Arrays the fault budget counts as damaged in this phase (recoverable: block damage must strike these). */
  readonly damaged: readonly string[];
}

export interface Role {
  readonly name: string;
  readonly member: boolean;
}

export const PARITY = 'parity';

/** `anchor` moved later by `by` (µs); earlier for a negative `by`, never before 0. */
export function shift(anchor: Anchor, by: number): Anchor {
  if (anchor.after === undefined) return { at: Math.max(0, anchor.at + by) };
  return { at: anchor.at, after: { ...anchor.after, delay: Math.max(0, anchor.after.delay + by) } };
}

/** Where the last operation of the chain ends: an event (plus `extra`), or a fixed time. */
type ChainEnd = { readonly event: TriggerEvent; readonly array: string; readonly extra: number } | { readonly at: number };

export class Plan {
  readonly d: Dice;
  readonly budget: Budget;
  readonly hdd: boolean;
  readonly drives: number;
  readonly lossy: boolean;
  readonly loadUs: number;
  readonly roles: Role[] = [];
  readonly schedule: Json[] = [];
  readonly notes: string[] = [];
  /** Network link overrides (a disordered link). */
  readonly links: Json[] = [];
  scrub = false;
  /** Arrays the plan fails (once each), tells to leave, tells to join. */
  readonly failed = new Set<string>();
  readonly leaving = new Set<string>();
  readonly joining = new Map<string, Anchor>();
  restore: { array: string; replaceAfter: number } | undefined;
  join: { array: string; anchor: Anchor } | undefined;
  leave: { array: string } | undefined;
  parity: { replaceAfter: number } | undefined;
  drive: { array: string; replaceAfter: number } | undefined;
  loss: { array: string; joined: boolean } | undefined;
  disorder: { array: string; from: Anchor; span: number } | undefined;

  /** Draws of rules added since generator 4, from a stream of their own: worlds no rule touches draw as before. */
  readonly more: Dice;

  constructor(d: Dice, budget: Budget, basics: { hdd: boolean; drives: number; lossy: boolean; loadUs: number }, more: Dice) {
    this.d = d;
    this.more = more;
    this.budget = budget;
    this.hdd = basics.hdd;
    this.drives = basics.drives;
    this.lossy = basics.lossy;
    this.loadUs = basics.loadUs;
  }

  /** A fixed moment for an operation: after the first few ms, before the load's second half. */
  opTime(): number {
    return this.d.int(20, Math.max(21, Math.floor((0.45 * this.loadUs) / MS))) * MS;
  }

  #chainEnd: ChainEnd | undefined;

  /** When an operation whose moment is free starts: a while after the chain's last one ended, or at a fixed time. */
  opAnchor(): Anchor {
    const last = this.#chainEnd;
    if (last === undefined || (this.budget === 'unlimited' && this.d.chance(0.7))) return { at: this.opTime() };
    const gap = this.d.int(12 * MS, 30 * MS);
    if ('at' in last) return { at: Math.min(last.at + gap, Math.floor(0.8 * this.loadUs)) };
    return { at: 0, after: { event: last.event, array: last.array, delay: last.extra + gap } };
  }

  /** The operation just placed ends with `event` of `array` (plus `extra` µs), or at a fixed time. */
  endsWith(end: ChainEnd): void {
    this.#chainEnd = end;
  }

  /** Any moment of the load's first four fifths. */
  anyTime(): number {
    return this.d.int(2 * MS, Math.floor(0.8 * this.loadUs));
  }

  #newArray(member: boolean): string | undefined {
    if (this.roles.length >= 16) return undefined;
    const name = `p${this.roles.length + 1}`;
    this.roles.push({ name, member });
    return name;
  }

  /** A full member the plan neither fails nor tells to leave yet (an existing one, or a new one). */
  freeMember(except: readonly string[] = []): string | undefined {
    const free = this.roles.filter((r) => r.member && !this.failed.has(r.name) && !this.leaving.has(r.name) && !except.includes(r.name) && this.disorder?.array !== r.name);
    if (free.length > 0 && (this.d.chance(0.6) || this.roles.length >= 16)) return this.d.pick(free).name;
    return this.#newArray(true) ?? free[0]?.name;
  }

  /** A new array outside the group. */
  outsider(): string | undefined {
    return this.#newArray(false);
  }

  /** Any array, the parity array included. */
  anyArray(): string {
    if (this.roles.length === 0) this.#newArray(true);
    return this.d.chance(0.25) ? PARITY : this.d.pick(this.roles).name;
  }

  add(entry: Json, anchor: Anchor, note: string): void {
    const when = anchor.after === undefined ? { at: us(anchor.at) } : { at: us(anchor.at), after: { event: anchor.after.event, array: anchor.after.array, delay: us(anchor.after.delay) } };
    this.schedule.push({ ...when, ...entry });
    this.notes.push(`${note} — ${anchor.after === undefined ? `at ${us(anchor.at)}` : `${us(anchor.after.delay)} after ${anchor.after.array} ${anchor.after.event}`}`);
  }

  /** Fails `array` (a primary or the parity array) at `anchor`, replaced after a few ms: a restore or a rebuild follows. */
  failArray(array: string, anchor: Anchor, note: string): number {
    const replaceAfter = this.d.int(1 * MS, 15 * MS);
    this.failed.add(array);
    this.add({ do: 'fail-array', array, replaceAfter: us(replaceAfter) }, anchor, note);
    this.endsWith({ event: array === PARITY ? 'rebuilt' : 'restored', array, extra: 0 });
    if (array === PARITY) this.parity ??= { replaceAfter };
    else this.restore ??= { array, replaceAfter };
    return replaceAfter;
  }

  // ---- the operations that make phases, each created once and shared ----

  ensureRestore(): { array: string; replaceAfter: number } | undefined {
    if (this.restore !== undefined) return this.restore;
    const x = this.freeMember();
    if (x === undefined) return undefined;
    this.failArray(x, this.opAnchor(), `restore of ${x}`);
    if (this.more?.chance(0.3) === true) this.#lifeAfterLife(x, this.more);
    return this.restore;
  }

  /**
   * The restoring array lost again within 300 µs of its replacement and replaced within 1.5 ms, its
   * link to parity holding messages back for several, and parity crashing just after the next life's
   * restore began: the dead life's requests and deltas, still on the wire, reach a parity that has
   * just forgotten what it kept only in memory (scenarios/regressions/hand-dead-request-parity-crash.json).
   */
  #lifeAfterLife(array: string, d: Dice): void {
    const failedAt = d.int(0, 300);
    const replaceAfter = d.int(200, 1500);
    this.add({ do: 'fail-array', array, replaceAfter: us(replaceAfter) }, { at: 0, after: { event: 'replaced', array, delay: failedAt } }, `${array} lost again as its restore begins, replaced within ${us(replaceAfter)}`);
    if (this.lossy && !this.links.some((l) => l['from'] === array && l['to'] === PARITY)) {
      const link = { reorder: `${d.int(30, 70)}%`, reorderDelay: us(d.int(2 * MS, 12 * MS)) };
      this.links.push({ from: array, to: PARITY, ...link }, { from: PARITY, to: array, ...link });
    }
    // The second replacement's time is known from the first's event.
    const crash = { at: 0, after: { event: 'replaced' as const, array, delay: failedAt + replaceAfter + d.int(100, 3 * MS) } };
    this.add({ do: 'crash', array: PARITY, restartAfter: us(d.int(100, 1 * MS)) }, crash, `parity crashes as ${array}'s next life restores`);
  }

  ensureJoin(): { array: string; anchor: Anchor } | undefined {
    if (this.join !== undefined) return this.join;
    const y = this.outsider();
    if (y === undefined) return undefined;
    this.orderJoin(y, this.opAnchor(), `join of ${y}`);
    return this.join;
  }

  orderJoin(array: string, anchor: Anchor, note: string): void {
    this.joining.set(array, anchor);
    this.join ??= { array, anchor };
    this.add({ do: 'join', array }, anchor, note);
    this.endsWith({ event: 'joined', array, extra: 0 });
  }

  ensureLeave(): { array: string } | undefined {
    if (this.leave !== undefined) return this.leave;
    const z = this.leaver();
    if (z === undefined) return undefined;
    this.orderLeave(z, this.opAnchor(), `leave of ${z}`);
    return this.leave;
  }

  /** A member that may be told to leave: never the last one staying. */
  leaver(except: readonly string[] = []): string | undefined {
    const staying = this.roles.filter((r) => r.member && !this.leaving.has(r.name));
    if (staying.length <= 1 && this.roles.length >= 16) return undefined;
    const z = this.freeMember(except);
    if (z === undefined) return undefined;
    if (this.roles.filter((r) => r.member && !this.leaving.has(r.name) && r.name !== z).length === 0) this.#newArray(true);
    return z;
  }

  orderLeave(array: string, anchor: Anchor, note: string): void {
    this.leaving.add(array);
    this.leave ??= { array };
    this.add({ do: 'leave', array }, anchor, note);
    this.endsWith({ event: 'left', array, extra: 0 });
  }

  ensureParity(): { replaceAfter: number } | undefined {
    if (this.parity === undefined && !this.failed.has(PARITY)) this.failArray(PARITY, this.opAnchor(), 'rebuild of the parity array');
    return this.parity;
  }

  /**
   * A lost drive. Within the budget, the array that fails while it is down
   * must be the drive's own (any other failure would be a second damaged
   * copy): `forFailure` says which one that will be.
   */
  ensureDrive(forFailure?: 'primary' | 'parity'): { array: string; replaceAfter: number } | undefined {
    if (!this.hdd) return undefined;
    const suits = (a: string) => forFailure === undefined || this.budget === 'unlimited' || (forFailure === 'parity' ? a === PARITY : a !== PARITY && !this.failed.has(a) && !this.leaving.has(a));
    if (this.drive !== undefined && suits(this.drive.array)) return this.drive;
    const array = forFailure === 'parity' ? PARITY : forFailure === 'primary' ? this.freeMember() : this.anyArray();
    if (array === undefined) return undefined;
    const anchor = this.opAnchor();
    const replaceAfter = this.failDrive(array, anchor, `lost drive of ${array}`);
    return { array, replaceAfter };
  }

  failDrive(array: string, anchor: Anchor, note: string): number {
    const replaceAfter = this.d.int(2 * MS, 30 * MS);
    const drive = this.d.int(0, this.drives - 1);
    this.drive ??= { array, replaceAfter };
    this.add({ do: 'fail-drive', array, drive, replaceAfter: us(replaceAfter) }, anchor, `${note} (drive ${drive})`);
    // Its blocks are rebuilt after the replacement: give that a while.
    this.endsWith({ event: 'drive-failed', array, extra: replaceAfter + 30 * MS });
    return replaceAfter;
  }

  /**
   * A loss report to strike after. Within the budget: an array outside the
   * group whose block is damaged just before it joins (nothing protected it:
   * parity zeroes it and the joiner reports it lost). Unlimited, half the
   * time: a second array fails during a restore (both report every block).
   */
  ensureLoss(): { array: string; joined: boolean } | undefined {
    if (this.loss !== undefined) return this.loss;
    if (this.budget === 'unlimited' && this.d.chance(0.5)) {
      const r = this.ensureRestore();
      const w = r === undefined ? undefined : this.freeMember([r.array]);
      if (r !== undefined && w !== undefined) {
        this.failArray(w, { at: 0, after: { event: 'failed', array: r.array, delay: this.d.int(0, r.replaceAfter) } }, `second failure: ${w} while ${r.array} is down`);
        return (this.loss = { array: r.array, joined: false });
      }
    }
    const y = this.outsider();
    if (y === undefined) return undefined;
    const join = this.opAnchor();
    const kind = this.hdd && this.d.chance(0.5) ? 'latent-errors' : 'corrupt';
    this.add({ do: kind, array: y, count: this.d.int(1, 4) }, shift(join, -this.d.int(20, 300)), `damage on ${y} before it joins`);
    this.orderJoin(y, join, `join of ${y} (its damaged blocks reported lost)`);
    return (this.loss = { array: y, joined: true });
  }

  /** A member's deltas on a link that loses, reorders and flaps (a hot load makes them overtake each other). */
  ensureDisorder(): { array: string; from: Anchor; span: number } | undefined {
    if (!this.lossy) return undefined;
    if (this.disorder !== undefined) return this.disorder;
    const x = this.freeMember();
    if (x === undefined) return undefined;
    const from = this.opAnchor();
    const down = this.d.int(300, 2000);
    const up = this.d.int(300, 2000);
    // Flapping while the load runs (the network heals when it ends).
    const latest = from.after === undefined ? from.at : 0;
    const count = Math.max(1, Math.min(this.d.int(5, 30), Math.floor((0.9 * this.loadUs - latest) / (down + up))));
    const link = { reorder: `${this.d.int(10, 40)}%`, loss: `${this.d.int(0, 10)}%`, duplicate: `${this.d.int(0, 5)}%`, reorderDelay: us(this.d.int(200, 3000)) };
    this.links.push({ from: x, to: PARITY, ...link }, { from: PARITY, to: x, ...link });
    this.add({ do: 'flap', between: [x, PARITY], down: us(down), up: us(up), count }, from, `disordered link ${x}<->parity`);
    const span = count * (down + up);
    this.endsWith(from.after === undefined ? { at: from.at + span } : { ...from.after, extra: from.after.delay + span });
    return (this.disorder = { array: x, from, span });
  }

  /** Where phase `phase` is, creating what makes it (suited to the `family` to strike there); undefined if this world cannot have it. */
  context(phase: Phase, family?: Family): Context | undefined {
    const d = this.d;
    const after = (event: TriggerEvent, array: string, maxDelay: number): Anchor => ({ at: 0, after: { event, array, delay: d.int(0, maxDelay) } });
    switch (phase) {
      case 'steady':
        return { phase, anchor: { at: d.int(1 * MS, 15 * MS) }, damaged: [] };
      case 'scrub':
        this.scrub = true;
        return { phase, anchor: { at: this.anyTime() }, damaged: [] };
      case 'restoring':
      case 'after-restore':
      case 'array-down': {
        const r = this.ensureRestore();
        if (r === undefined) return undefined;
        const anchor = phase === 'restoring' ? after('replaced', r.array, 300) : phase === 'after-restore' ? after('restored', r.array, 3 * MS) : after('failed', r.array, r.replaceAfter - 1);
        return { phase, anchor, array: r.array, damaged: [r.array] };
      }
      case 'joining':
      case 'after-join': {
        const j = this.ensureJoin();
        if (j === undefined) return undefined;
        return { phase, anchor: phase === 'joining' ? after('joining', j.array, 200) : after('joined', j.array, 3 * MS), array: j.array, damaged: [] };
      }
      case 'non-member': {
        // Shortly before a join (ordered a while after the previous operation), or on an array that never joins.
        const j = this.join !== undefined && d.chance(0.6) ? this.join : undefined;
        if (j !== undefined) {
          const lead = j.anchor.after === undefined ? j.anchor.at - MS : j.anchor.after.delay;
          if (lead > 100) return { phase, anchor: shift(j.anchor, -d.int(100, Math.min(lead, 10 * MS))), array: j.array, damaged: [] };
        }
        const y = this.outsider();
        if (y === undefined) return undefined;
        return { phase, anchor: { at: d.int(1 * MS, Math.floor(0.8 * this.loadUs)) }, array: y, damaged: [] };
      }
      case 'leaving':
      case 'after-leave': {
        const l = this.ensureLeave();
        if (l === undefined) return undefined;
        return { phase, anchor: phase === 'leaving' ? after('leaving', l.array, 200) : after('left', l.array, 3 * MS), array: l.array, damaged: [] };
      }
      case 'parity-rebuild':
      case 'after-parity-rebuild': {
        const p = this.ensureParity();
        if (p === undefined) return undefined;
        return { phase, anchor: phase === 'parity-rebuild' ? after('replaced', PARITY, 300) : after('rebuilt', PARITY, 3 * MS), array: PARITY, damaged: [PARITY] };
      }
      case 'drive-down': {
        const dd = this.ensureDrive(family === 'fail-parity' ? 'parity' : family === 'fail-array' ? 'primary' : undefined);
        if (dd === undefined) return undefined;
        return { phase, anchor: after('drive-failed', dd.array, dd.replaceAfter - 1), array: dd.array, damaged: [dd.array] };
      }
      case 'after-loss': {
        const l = this.ensureLoss();
        if (l === undefined) return undefined;
        return { phase, anchor: after('lost', l.array, 2 * MS), array: l.array, damaged: [] };
      }
      case 'delta-disorder': {
        const x = this.ensureDisorder();
        if (x === undefined) return undefined;
        return { phase, anchor: shift(x.from, d.int(0, x.span)), array: x.array, damaged: [] };
      }
    }
  }

  /** The cells this plan aimed at (for the record). */
  aimed: Cell[] = [];
}

