// The faults a run was configured with, as one clause of the configuration
// line every run prints first: the budget, each scheduled fault with every
// field (defaults resolved; its kind's schema says which are durations), and
// each rate-driven process with its parameters.
import type { z } from 'zod';
import { SECOND, YEAR, formatTime } from '../sim/engine/time.js';
import { type ScheduledFault, faultKind } from '../sim/faults/registry.js';
import type { ResolvedScenario } from '../sim/scenario/resolve.js';
import { isDuration } from '../sim/scenario/unit-types.js';

/** Fields that say where a fault strikes (printed first, without a name). */
const WHERE = new Set(['at', 'after', 'do', 'array', 'arrays', 'between']);

/** A mean interval (µs) as a rate: per second, or per year if rarer than one a day. */
export function formatRate(meanUs: number): string {
  const perSecond = SECOND / meanUs;
  if (perSecond * 86_400 >= 1) return `${Number(perSecond.toPrecision(3))}/s`;
  return `${Number(((perSecond * YEAR) / SECOND).toPrecision(3))}/year`;
}

/** A field's value: a duration (its kind's schema says which fields are) as a time, any other field as it is. */
function value(schema: z.ZodType | undefined, v: unknown): string {
  if (typeof v === 'number' && isDuration(schema)) return formatTime(v);
  return Array.isArray(v) ? v.join(',') : String(v);
}

function scheduled(fault: ScheduledFault): string {
  const where = 'array' in fault ? fault.array : 'between' in fault ? fault.between.join('<->') : fault.arrays !== undefined ? fault.arrays.join(',') : 'every array';
  const shape: Readonly<Record<string, z.ZodType>> = faultKind(fault.do).schema.shape;
  const rest = Object.entries(fault)
    .filter(([k, v]) => !WHERE.has(k) && v !== undefined)
    .map(([k, v]) => `${k} ${value(shape[k], v)}`);
  return [when(fault), fault.do, where, ...rest].join(' ');
}

/** "300ms", or for a triggered fault "1ms after p2 restored (from 100ms)". */
function when(fault: { at: number; after?: unknown }): string {
  const after = fault.after as { event: string; array?: string; delay: number } | undefined;
  if (after === undefined) return formatTime(fault.at);
  return `${formatTime(after.delay)} after ${after.array ?? 'any array'} ${after.event}${fault.at > 0 ? ` (from ${formatTime(fault.at)})` : ''}`;
}

/** "faults recoverable: 300ms power-fail p1 restoreAfter 50ms; random controller crashes 8/s …" (or ": none"). */
export function formatFaults(s: ResolvedScenario): string {
  const f = s.faults;
  const parts = f.schedule.map((x) => scheduled(x));
  const crash = f.random.controllerCrash;
  if (crash !== undefined) parts.push(`random controller crashes ${formatRate(crash.rate)} of ${crash.include} restartAfter ~${formatTime(crash.restartAfter)}`);
  const latent = f.random.latentErrors;
  if (latent !== undefined) {
    const on = latent.arrays?.join(',') ?? 'every primary';
    parts.push(`random latent-error bursts ${formatRate(latent.rate)} per drive of ${on} burstSize ~${latent.burstSize} burstSpan ${latent.burstSpan} blocks burstWithin ${formatTime(latent.burstWithin)}`);
  }
  return `faults ${f.budget}: ${parts.length > 0 ? parts.join('; ') : 'none'}`;
}
