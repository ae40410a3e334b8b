// The scenario file format (JSON), as a zod schema: the single source for
// validation, defaults, the resolved config type and the editor JSON Schema.
// docs/SCENARIOS.md documents every field.
import { z } from 'zod';
import { parseBytes, parseDuration } from './units.js';

const duration = (example: string) =>
  z.string().transform((text, ctx) => {
    const us = parseDuration(text);
    if (us === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "${example}" (units us, ms, s, m, h, d, y), got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return us;
  });

const bytes = z.union([z.string(), z.number()]).transform((text, ctx) => {
  const n = parseBytes(text);
  if (n === undefined || n <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a size like 4096, "64KiB" or "16TB", got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return n;
});

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'expected a name of letters, digits, _ and - (starting with a letter, at most 32)');
const blocks = z.int().min(1).max(2 ** 40);

const primaryList = z
  .array(z.strictObject({ name: name.optional(), blocks }))
  .min(1, 'expected at least one primary array')
  .max(64, 'at most 64 primary arrays');
const primaryGroup = z.strictObject({ count: z.int().min(1).max(64), blocks });

export const ScenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name,
  description: z.string().default(''),
  /** Protocol variant; `xorsim run --protocol` overrides it. */
  protocol: z.enum(['literal', 'hardened']).default('hardened'),
  /** Modelled block size: what timing and capacity are computed from. */
  blockSize: bytes.default(4096),
  /** Bytes actually stored per block (a fingerprint of the block; XOR is linear). */
  payloadBytes: z.int().min(1).max(1 << 20).default(16),
  primaries: z.union([primaryGroup, primaryList]),
  parity: z.strictObject({ name: name.default('parity'), blocks: blocks.optional() }).default({ name: 'parity' }),
  /** Fraction of each primary's blocks holding data before the parity build. */
  prefill: z.number().min(0).max(1).default(0),
  disk: z
    .strictObject({
      model: z.literal('ideal').default('ideal'),
      latency: duration('200us').default(200),
    })
    .default({ model: 'ideal', latency: 200 }),
  network: z
    .strictObject({
      model: z.literal('ideal').default('ideal'),
      latency: duration('50us').default(50),
    })
    .default({ model: 'ideal', latency: 50 }),
  workload: z.strictObject({
    /** How long hosts keep issuing I/O after the parity build. */
    duration: duration('5s'),
    /** Concurrent host I/O streams per primary (closed loop). */
    iodepth: z.int().min(1).max(1024).default(4),
    /** Mean pause between one stream's operations (exponential). */
    thinkTime: duration('1ms').default(1000),
    readFraction: z.number().min(0).max(1).default(0.3),
  }),
  /** Liveness bound: after the load stops, everything must settle within this. */
  settle: duration('10s').default(10_000_000),
});

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ParsedScenario = z.output<typeof ScenarioSchema>;
