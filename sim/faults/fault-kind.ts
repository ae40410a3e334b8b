// What one kind of fault is (one file each, one row each in registry.ts): a
// scheduled kind (kinds/) — its schedule entry's schema, its trace code, where
// the coverage map, the swarm and the validator place it, and what it does to
// the world when it strikes — or a rate-driven one (random/): its field of
// `faults.random` and the process it starts. The injector (fault-injector.ts)
// keeps the budget and the clock; a kind only acts, through the context it is
// handed.
import type { z } from 'zod';
import type { Family } from '../coverage/cells.js';
import type { Engine } from '../engine/engine.js';
import type { Time } from '../engine/time.js';
import { LossyNetwork } from '../network/lossy-network.js';
import type { SwarmFamily } from '../scenario/swarm-schema.js';
import type { FaultWorld } from './fault-world.js';
import type { TriggerEvent } from './entry-fields.js';
import type { FaultBudget } from './fault-budget.js';

export interface FaultStats {
  injected: number;
  suppressed: number;
}

/** What a kind may use when it strikes. */
export interface FaultContext {
  readonly engine: Engine;
  readonly world: FaultWorld;
  readonly budget: FaultBudget;
  readonly stats: FaultStats;
  /** Runs `fn` `delay` µs from now, as a fault event (trace kind `fault`). */
  after(delay: Time, fn: () => void): void;
  /** `event` happened to `array`: triggered faults and the coverage map's phases hear it. */
  event(event: TriggerEvent, array: string): void;
}

/** What validation knows of the installation when it checks an entry. */
export interface Installation {
  readonly primaries: readonly { readonly name: string; readonly member: boolean }[];
  /** Drives per array (disk.model "hdd"; undefined otherwise). */
  readonly drives: number | undefined;
}

/** A problem with one entry: `path` is a field of the entry ("drive", "array"). */
export interface EntryProblem {
  readonly path: string;
  readonly message: string;
}

export interface FaultKind<S extends z.ZodObject = z.ZodObject> {
  /** The entry's schema: `at`, `after`, `do` (the kind's name), then its own fields. */
  readonly schema: S;
  /** The `code` of its `fault` trace records: fixed for good (traces and their hashes pin it). */
  readonly code: number;
  /** Its coverage family (sim/coverage/cells.ts); none for a fault that only undoes one (a restart, a heal). */
  readonly family?: Family;
  /** The family it counts as when it strikes the parity array, if another. */
  readonly onParity?: Family;
  /** The swarm family that switches it off (sim/scenario/swarm-schema.ts), if any. */
  readonly swarm?: SwarmFamily;
  /** What the scenario must have: HDD arrays, or the lossy network. */
  readonly needs?: 'hdd' | 'lossy';
  /** How long after it strikes it has played out (its restart, replacement, heal), for `--quick`; 0 if left out. */
  lasts?(fault: z.output<S>): Time;
  /** Problems only the installation shows (after names, trigger and `needs` are checked). */
  check?(fault: z.output<S>, installation: Installation): EntryProblem | undefined;
  /** Does the budget suppress it whole? (Kinds that damage single blocks vet each block as they go.) */
  overBudget?(fault: z.output<S>, ctx: FaultContext): boolean;
  /** Strikes (its `fault` trace record is already written). */
  inject(fault: z.output<S>, ctx: FaultContext): void;
}

export type NamedKind<S extends z.ZodObject = z.ZodObject> = FaultKind<S> & {
  /** The `do` of its entries. */
  readonly name: string;
};

/** A kind, named by its schema's `do`. */
export function defineKind<S extends z.ZodObject>(kind: FaultKind<S>): NamedKind<S> {
  return { ...kind, name: (kind.schema.shape as { do: z.ZodLiteral<string> }).do.value };
}

/** What a rate-driven fault may use: a scheduled kind's context, the clock, and the injector's own bookkeeping. */
export interface RandomContext extends FaultContext {
  /** Runs `fn` at virtual time `time`, as a fault event (trace kind `fault`). */
  at(time: Time, fn: () => void): void;
  /** Strikes now as if the schedule held `fault` (budget, trace record, coverage, then `kind` acts). */
  strike<S extends z.ZodObject>(kind: NamedKind<S>, fault: z.output<S>): void;
  /** A strike of the process's own: its `fault` trace record (`code`, on `array`), its count, and its coverage cell. */
  struck(code: number, family: Family, array: string): void;
}

export interface RandomFault<K extends string = string, S extends z.ZodType = z.ZodType> {
  /** Its field of `faults.random`. */
  readonly key: K;
  /** The field's schema (optional: a process runs only when the field is given). */
  readonly schema: S;
  /** What validation calls it ("drive failures need disk.model …"). */
  readonly called: string;
  /** The swarm family that switches it off (with the scheduled kinds of that family). */
  readonly swarm: SwarmFamily;
  readonly needs?: 'hdd';
  /** Starts the process now; it strikes nothing at or after `end` (the end of the load). */
  start(options: NonNullable<z.output<S>>, end: Time, ctx: RandomContext): void;
}

/** A rate-driven fault, typed by its key and schema. */
export function defineRandom<const K extends string, S extends z.ZodType>(kind: RandomFault<K, S>): RandomFault<K, S> {
  return kind;
}

/** The lossy network, which a kind that `needs` it acts on (validation refuses such an entry on any other). */
export function lossyNetwork(ctx: FaultContext, kind: string): LossyNetwork {
  const net = ctx.world.network;
  if (!(net instanceof LossyNetwork)) throw new Error(`fault ${kind} needs the lossy network`);
  return net;
}
