// Checks of the options callers pass (JavaScript callers have no type checker
// to stop a seed of -1 or a protocol of "hardend"): each bad value becomes an
// InputError naming the option, as the command line's flag parser would.
import { PROTOCOL_VARIANTS, type ProtocolVariant } from '../src/protocol/variant.js';
import { meant } from '../sim/scenario/suggest.js';
import { badOption } from './input-error.js';

export function integer(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) badOption(field, `expected an integer ≥ ${min}, got ${JSON.stringify(value) ?? String(value)}`);
  if (value < min) badOption(field, `expected an integer ≥ ${min}, got ${value}`);
  return value;
}

export function optionalInteger(field: string, value: unknown, min: number, fallback: number): number {
  return value === undefined ? fallback : integer(field, value, min);
}

export function flag(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') badOption(field, `expected true or false, got ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

export function protocol(value: unknown): ProtocolVariant | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (PROTOCOL_VARIANTS as readonly string[]).includes(value)) return value as ProtocolVariant;
  const near = typeof value === 'string' ? meant(value, PROTOCOL_VARIANTS) : [];
  const hint = near.length > 0 ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : '';
  return badOption('protocol', `unknown value ${JSON.stringify(value) ?? String(value)}${hint}; expected one of ${PROTOCOL_VARIANTS.map((p) => `"${p}"`).join(', ')}`);
}

export function share(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) badOption(field, `expected a fraction from 0 to 1, got ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

export function callback<F>(field: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') badOption(field, `expected a function, got ${typeof value}`);
  return value as F;
}
