// The `network` section of a scenario: the ideal network, or the lossy one
// (sim/network/lossy-network.ts) with defaults for every link and optional
// per-link overrides.
import { z } from 'zod';
import { bytesPerSecond, duration, probability } from './unit-types.js';

const linkFields = {
  latency: duration('100us').optional().describe('one-way propagation delay'),
  jitter: duration('20us').optional().describe('extra delay per message in [0, jitter], mean jitter/2'),
  jitterDistribution: z.enum(['uniform', 'normal']).optional().describe('uniform on [0, jitter], or normal (mean jitter/2, sd jitter/6, clipped)'),
  bandwidth: bytesPerSecond('1.25GB/s', true).optional().describe('serialisation rate per direction, e.g. "1.25GB/s" (default unlimited)'),
  loss: probability.optional().describe('probability a message is lost'),
  duplicate: probability.optional().describe('probability a message is delivered twice'),
  reorder: probability.optional().describe('probability a message takes a detour and may be overtaken'),
  reorderDelay: duration('1ms').optional().describe('the detour: extra delay uniform in [1us, reorderDelay]'),
};

export const IdealNetworkSchema = z.strictObject({
  model: z.literal('ideal').default('ideal').describe('ideal: fixed latency, lossless, in order'),
  latency: duration('50us').default(50).describe('one-way latency of every message'),
});

export const LossyNetworkSchema = z.strictObject({
  model: z.literal('lossy').describe('lossy: latency, jitter, bandwidth, loss, duplication, reordering, partitions'),
  ...linkFields,
  links: z
    .array(z.strictObject({ from: z.string(), to: z.string(), ...linkFields }))
    .default([])
    .describe('overrides for single directed links'),
});

export const NetworkSchema = z
  .discriminatedUnion('model', [IdealNetworkSchema, LossyNetworkSchema])
  .default({ model: 'ideal', latency: 50 })
  .describe('the network between arrays');

export type LinkFields = { [K in keyof typeof linkFields]?: z.output<(typeof linkFields)[K]> };
