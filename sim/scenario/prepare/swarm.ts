// Swarm mode: each seed draws its own configuration from the ranges its
// scenario declares, and switches whole fault families off in some seeds, so
// that seeds explore different corners (TigerBeetle `options_swarm`,
// `random_enum_weights`) instead of the same one with different dice.
//
// A pure function of (scenario, seed): every knob and every family has its own
// stream (swarm/<knob>, swarm/off/<family>), seeded from the seed and that name
// only, so the same seed always draws the same configuration in any process,
// and adding a knob to a scenario never shifts the others' draws.
import { Random } from '../../engine/prng.js';
import { SECOND } from '../../engine/time.js';
import { RANDOM_FAULTS, faultKind } from '../../faults/registry.js';
import type { ResolvedScenario } from '../resolve.js';
import { SWARM_FAMILIES, type SwarmFamily, type SwarmKnob } from '../swarm-schema.js';

/** What one seed drew: knob values in base units (µs, fractions, crashes per second) and the families switched off. */
export interface SwarmDraw {
  readonly knobs: Readonly<Partial<Record<SwarmKnob, number>>>;
  readonly off: readonly SwarmFamily[];
}

type Kind = 'int' | 'us' | 'fraction' | 'rate';
const KIND: Record<SwarmKnob, Kind> = {
  'workload.iodepth': 'int',
  'workload.thinkTime': 'us',
  'workload.readFraction': 'fraction',
  'network.latency': 'us',
  'network.jitter': 'us',
  'network.loss': 'fraction',
  'network.duplicate': 'fraction',
  'network.reorder': 'fraction',
  'faults.random.controllerCrash.rate': 'rate',
  'faults.random.controllerCrash.restartAfter': 'us',
};
/** Knobs in drawing and printing order. */
export const SWARM_KNOBS = Object.keys(KIND) as SwarmKnob[];

/** The scenario as this seed configures it; `draw` is null when the scenario declares no swarm section. */
export function drawSwarm(scenario: ResolvedScenario, seed: number): { scenario: ResolvedScenario; draw: SwarmDraw | null } {
  const spec = scenario.swarm;
  if (spec === undefined) return { scenario, draw: null };
  const knobs: Partial<Record<SwarmKnob, number>> = {};
  for (const knob of SWARM_KNOBS) {
    const range = spec.ranges[knob];
    if (range !== undefined) knobs[knob] = drawKnob(new Random(seed, `swarm/${knob}`), KIND[knob], range);
  }
  const listed = new Set(spec.families);
  const off = SWARM_FAMILIES.filter((f) => listed.has(f) && new Random(seed, `swarm/off/${f}`).chance(spec.familyOff));
  return { scenario: switchOff(applyKnobs(scenario, knobs), new Set(off)), draw: { knobs, off } };
}

function drawKnob(rng: Random, kind: Kind, [a, b]: readonly [number, number]): number {
  switch (kind) {
    case 'int':
    case 'us':
      return rng.range(a, b);
    case 'fraction':
      return a + rng.float() * (b - a);
    case 'rate': {
      // Held as mean intervals in µs (Infinity for a zero rate); drawn uniformly in crashes per second.
      const lo = perSecond(a);
      return lo + rng.float() * (perSecond(b) - lo);
    }
  }
}

const perSecond = (meanIntervalUs: number) => (meanIntervalUs === Infinity ? 0 : SECOND / meanIntervalUs);

function applyKnobs(s: ResolvedScenario, k: Partial<Record<SwarmKnob, number>>): ResolvedScenario {
  const workload = { ...s.workload };
  if (k['workload.iodepth'] !== undefined) workload.iodepth = k['workload.iodepth'];
  if (k['workload.thinkTime'] !== undefined) workload.thinkTime = k['workload.thinkTime'];
  if (k['workload.readFraction'] !== undefined) workload.readFraction = k['workload.readFraction'];
  let network = { ...s.network };
  if (k['network.latency'] !== undefined) network.latency = k['network.latency'];
  if (network.model === 'lossy') {
    const n = network;
    network = {
      ...n,
      jitter: k['network.jitter'] ?? n.jitter,
      loss: k['network.loss'] ?? n.loss,
      duplicate: k['network.duplicate'] ?? n.duplicate,
      reorder: k['network.reorder'] ?? n.reorder,
    };
  }
  let random = s.faults.random;
  const rate = k['faults.random.controllerCrash.rate'];
  const restart = k['faults.random.controllerCrash.restartAfter'];
  const crash = random.controllerCrash ?? (rate !== undefined ? { rate: Infinity, restartAfter: 10_000, include: 'all' as const } : undefined);
  if (crash !== undefined) {
    random = {
      ...random,
      controllerCrash: { ...crash, rate: rate === undefined ? crash.rate : rate === 0 ? Infinity : SECOND / rate, restartAfter: restart ?? crash.restartAfter },
    };
  }
  return { ...s, workload, network, faults: { ...s.faults, random } };
}

const LINK_FAULTS = { loss: 'loss', duplicate: 'duplicate', reorder: 'reorder', jitter: 'jitter' } as const;

function switchOff(s: ResolvedScenario, off: ReadonlySet<SwarmFamily>): ResolvedScenario {
  if (off.size === 0) return s;
  // Each kind names the family that owns it (sim/faults/kinds/).
  const schedule = s.faults.schedule.filter((f) => {
    const family = faultKind(f.do).swarm;
    return family === undefined || !off.has(family);
  });
  // The rate-driven processes of a family go with its scheduled faults.
  const random: ResolvedScenario['faults']['random'] = Object.fromEntries(RANDOM_FAULTS.filter((r) => s.faults.random[r.key] !== undefined && !off.has(r.swarm)).map((r) => [r.key, s.faults.random[r.key]]));
  let network = s.network;
  if (network.model === 'lossy') {
    const zero: Record<string, number> = {};
    for (const [family, field] of Object.entries(LINK_FAULTS)) if (off.has(family as SwarmFamily)) zero[field] = 0;
    network = { ...network, ...zero, links: network.links.map((l) => ({ ...l, ...Object.fromEntries(Object.keys(zero).filter((f) => f in l).map((f) => [f, 0])) })) };
  }
  return { ...s, network, faults: { ...s.faults, schedule, random } };
}

/** "workload.iodepth=7 network.loss=1.3% faults.random.controllerCrash.rate=6.2/s · off: partition, flap" */
export function formatDraw(draw: SwarmDraw): string {
  const knobs = SWARM_KNOBS.filter((k) => draw.knobs[k] !== undefined).map((k) => `${k}=${formatKnob(KIND[k], draw.knobs[k]!)}`);
  const off = draw.off.length > 0 ? `off: ${draw.off.join(', ')}` : 'no family off';
  return [...knobs, off].join(' · ');
}

function formatKnob(kind: Kind, v: number): string {
  switch (kind) {
    case 'int':
      return String(v);
    case 'us':
      return v < 1000 ? `${v}us` : `${Number((v / 1000).toFixed(3))}ms`;
    case 'fraction':
      return `${Number((v * 100).toFixed(2))}%`;
    case 'rate':
      return `${Number(v.toFixed(2))}/s`;
  }
}
