// The optional `swarm` section of a scenario: what `--swarm` may vary per seed
// (TigerBeetle's swarm options, Groce et al.'s swarm testing). Each knob names
// a field of the scenario and a range to draw it from; each listed fault family
// is switched off entirely in some seeds. sim/scenario/prepare/swarm.ts does the drawing.
import { z } from 'zod';
import { duration, meanInterval, probability } from './unit-types.js';

/** Fault families a seed may switch off, in the order they are drawn. */
export const SWARM_FAMILIES = [
  'loss',
  'duplicate',
  'reorder',
  'jitter',
  'partition',
  'flap',
  'controller-crash',
  'array-failure',
  'latent-errors',
  'drive-failure',
  'power-failure',
  'corruption',
] as const;
export type SwarmFamily = (typeof SWARM_FAMILIES)[number];

const range = <T extends z.ZodType>(t: T, what: string) => z.tuple([t, t]).optional().describe(`[low, high]: ${what}`);

export const SwarmRanges = z.strictObject({
  'workload.iodepth': range(z.int().min(1).max(1024), 'streams per host (integer, uniform)'),
  'workload.thinkTime': range(duration('1ms'), 'mean think time (uniform in µs)'),
  'workload.readFraction': range(z.number().min(0).max(1), 'share of reads (uniform)'),
  'network.latency': range(duration('50us'), 'one-way latency of every link (uniform in µs)'),
  'network.jitter': range(duration('20us'), 'jitter of every link (lossy network)'),
  'network.loss': range(probability, 'loss probability of every link (lossy network)'),
  'network.duplicate': range(probability, 'duplication probability of every link (lossy network)'),
  'network.reorder': range(probability, 'reordering probability of every link (lossy network)'),
  'faults.random.controllerCrash.rate': range(meanInterval('5/s'), 'random controller crash rate (uniform in crashes per second; adds random crashes to a scenario without them)'),
  'faults.random.controllerCrash.restartAfter': range(duration('10ms'), 'mean time to restart after a random crash (uniform in µs)'),
});

export type SwarmKnob = keyof z.output<typeof SwarmRanges>;

export const SwarmSchema = z
  .strictObject({
    ranges: SwarmRanges.default({}).describe('knobs drawn per seed from [low, high] (stream swarm/<knob>); link overrides in network.links keep their own values'),
    families: z.array(z.enum(SWARM_FAMILIES)).default([]).describe('fault families each seed may switch off entirely (stream swarm/off/<family>)'),
    familyOff: probability.default(0.3).describe('probability that each listed family is off in a seed'),
  })
  .optional()
  .describe('what `--swarm` varies per seed: knob ranges and fault families that may be switched off (docs/SCENARIOS.md)');

export type SwarmSpec = NonNullable<z.output<typeof SwarmSchema>>;
