// Every kind of fault, one row each: the scheduled kinds (one file each in
// kinds/) and the rate-driven ones (random/). The scenario schema, validation,
// the injector, `--quick`, the swarm, the coverage map, the world generator
// and replay all read these tables: adding a kind is adding its file and its
// row.
//
// The row order is the schema's: it orders the `do` values an unknown kind is
// answered with and the editor JSON Schema (scenarios/scenario.schema.json);
// the rate-driven processes also start in it.
import { z } from 'zod';
import type { Family } from '../coverage/cells.js';
import type { FaultKind, NamedKind, RandomFault } from './fault-kind.js';
import { corrupt } from './kinds/corrupt.js';
import { crash } from './kinds/crash.js';
import { failArray } from './kinds/fail-array.js';
import { failDrive } from './kinds/fail-drive.js';
import { flap } from './kinds/flap.js';
import { heal } from './kinds/heal.js';
import { join } from './kinds/join.js';
import { latentErrors } from './kinds/latent-errors.js';
import { leave } from './kinds/leave.js';
import { misdirectRead } from './kinds/misdirect-read.js';
import { misdirect } from './kinds/misdirect.js';
import { partition } from './kinds/partition.js';
import { powerFail } from './kinds/power-fail.js';
import { replaceArray } from './kinds/replace-array.js';
import { replaceDrive } from './kinds/replace-drive.js';
import { restart } from './kinds/restart.js';
import { rogueMessages } from './kinds/rogue-messages.js';
import { randomCrashes } from './random/controller-crash.js';
import { randomDriveFailures } from './random/drive-failures.js';
import { randomLatentErrors } from './random/latent-errors.js';

export const FAULT_KINDS = [
  crash,
  restart,
  failArray,
  replaceArray,
  join,
  leave,
  partition,
  heal,
  latentErrors,
  powerFail,
  failDrive,
  replaceDrive,
  corrupt,
  misdirect,
  misdirectRead,
  rogueMessages,
  flap,
] as const;

type Schemas<K extends readonly unknown[]> = { -readonly [I in keyof K]: K[I] extends FaultKind<infer S> ? S : never };

/** One entry of `faults.schedule`: the kinds' schemas, told apart by `do`. */
export const ScheduledFault = z.discriminatedUnion('do', FAULT_KINDS.map((k) => k.schema) as Schemas<typeof FAULT_KINDS>);
export type ScheduledFault = z.output<typeof ScheduledFault>;
export type FaultName = ScheduledFault['do'];

// A kind's functions are only ever handed entries of its own `do` (the map is
// keyed by it), so each row may be used as a kind of any entry.
const BY_NAME = new Map<string, NamedKind<z.ZodObject>>(FAULT_KINDS.map((k) => [k.name, k as unknown as NamedKind<z.ZodObject>]));
const BY_CODE = new Map<number, NamedKind<z.ZodObject>>();
for (const k of BY_NAME.values()) {
  if (BY_CODE.has(k.code)) throw new Error(`fault kinds ${BY_CODE.get(k.code)!.name} and ${k.name} share trace code ${k.code}`);
  BY_CODE.set(k.code, k);
}

/** The kind of entries with `do` = `name`, its functions typed for any entry. */
export function faultKind(name: FaultName): FaultKind<z.ZodObject> & { readonly name: FaultName } {
  return BY_NAME.get(name) as unknown as FaultKind<z.ZodObject> & { readonly name: FaultName };
}

/** The scheduled fault a `fault` trace record's code stands for (replay names the timeline's instants by it). */
export function faultName(code: number): string | undefined {
  return BY_CODE.get(code)?.name;
}

/** The kinds whose strikes count as coverage family `family` (the parity array's too). */
export function kindsOf(family: Family): NamedKind[] {
  return [...BY_NAME.values()].filter((k) => k.family === family || k.onParity === family);
}

/** The fields of `faults.random`, in schema and starting order. */
export const RANDOM_FAULTS = [randomCrashes, randomLatentErrors, randomDriveFailures] as const;

/** The schema of `faults.random`'s fields, one per row. */
export type RandomShape = { [R in (typeof RANDOM_FAULTS)[number] as R['key']]: R['schema'] };
export const RANDOM_SHAPE = Object.fromEntries(RANDOM_FAULTS.map((r) => [r.key, r.schema])) as RandomShape;

/** The rate-driven faults a scenario's `faults.random` turns on, each with its options (row order). */
export function randomFaultsOf(random: { readonly [K in keyof RandomShape]?: z.output<RandomShape[K]> }): { kind: RandomFault; options: object }[] {
  // Each row's process is only ever handed its own field's options.
  return RANDOM_FAULTS.filter((r) => random[r.key] !== undefined).map((r) => ({ kind: r as unknown as RandomFault, options: random[r.key] as object }));
}
