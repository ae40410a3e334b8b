// The `network` section of a scenario: the ideal network, or the lossy one
// (sim/network/lossy-network.ts) with defaults for every link and optional
// per-link overrides.
import { z } from 'zod';
import { parseBytes, parseDuration, parseFraction } from './units.js';

const duration = (example: string) =>
  z.string().transform((text, ctx) => {
    const us = parseDuration(text);
    if (us === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "${example}", got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return us;
  });

const probability = z.union([z.string(), z.number()]).transform((text, ctx) => {
  const p = parseFraction(text);
  if (p === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a probability like "1%" or 0.01, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return p;
});

/** "1.25GB/s", "100MB/s" → bytes per second; "unlimited" → Infinity. */
const bandwidth = z.string().transform((text, ctx) => {
  if (text === 'unlimited') return Infinity;
  const m = /^(.*)\/s$/.exec(text.trim());
  const perSecond = m === null ? undefined : parseBytes(m[1]!.trim());
  if (perSecond === undefined || perSecond <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a bandwidth like "1.25GB/s" or "unlimited", got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return perSecond;
});

const linkFields = {
  latency: duration('100us').optional().describe('one-way propagation delay'),
  jitter: duration('20us').optional().describe('extra delay per message in [0, jitter], mean jitter/2'),
  jitterDistribution: z.enum(['uniform', 'normal']).optional().describe('uniform on [0, jitter], or normal (mean jitter/2, sd jitter/6, clipped)'),
  bandwidth: bandwidth.optional().describe('serialisation rate per direction, e.g. "1.25GB/s" (default unlimited)'),
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
