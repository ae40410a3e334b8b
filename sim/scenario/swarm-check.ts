// Checks a scenario's `swarm` section against the rest of the scenario: every
// range runs low to high, and knobs of the lossy network need that network.
import type { ParsedScenario } from './schema.js';
import type { SwarmKnob } from './swarm-schema.js';

const LOSSY_ONLY: readonly SwarmKnob[] = ['network.jitter', 'network.loss', 'network.duplicate', 'network.reorder'];
// Rates are held as mean intervals (µs between events): a higher rate is a smaller number.
const INVERTED: readonly SwarmKnob[] = ['faults.random.controllerCrash.rate'];

export function checkSwarm(parsed: ParsedScenario): { path: string; message: string } | undefined {
  const swarm = parsed.swarm;
  if (swarm === undefined) return undefined;
  for (const [knob, value] of Object.entries(swarm.ranges) as [SwarmKnob, [number, number] | undefined][]) {
    if (value === undefined) continue;
    const path = `swarm.ranges.${knob}`;
    const [lo, hi] = INVERTED.includes(knob) ? [value[1], value[0]] : value;
    if (lo > hi) return { path, message: 'expected [low, high], got the high end first' };
    if (LOSSY_ONLY.includes(knob) && parsed.network.model !== 'lossy') return { path, message: 'needs network.model "lossy"' };
  }
  return undefined;
}
