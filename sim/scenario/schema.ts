// The scenario file format (JSON), as a zod schema: the single source for
// validation, defaults, the resolved config type and the editor JSON Schema.
// docs/SCENARIOS.md documents every field.
import { z } from 'zod';
import { BUGGIFY_POINTS, type BuggifyPoint } from '../../src/protocol/buggify-points.js';
import { FaultsSchema } from '../faults/faults-schema.js';
import { DiskSchema } from './disk-schema.js';
import { NetworkSchema } from './network-schema.js';
import { GeneratedSchema } from './generated-schema.js';
import { SwarmSchema } from './swarm-schema.js';
import { duration, meanInterval, probability, size } from './unit-types.js';

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'expected a name of letters, digits, _ and - (starting with a letter, at most 32)');
const blocks = z.int().min(1).max(2 ** 40);

const primaryList = z
  .array(
    z.strictObject({
      name: name.optional(),
      blocks,
      member: z.boolean().default(true).describe('false: not in the parity group at the start (its host runs unprotected) until a scheduled join'),
    }),
  )
  .min(1, 'expected at least one primary array')
  .max(64, 'at most 64 primary arrays');
const primaryGroup = z.strictObject({ count: z.int().min(1).max(64), blocks });

export const ScenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: name.describe('scenario name, shown in every report'),
  description: z.string().default('').describe('what the scenario exercises, for people'),
  protocol: z.enum(['literal', 'hardened']).default('hardened').describe('protocol variant: literal = claims as written; hardened = the product protocol. `xorsim run --protocol` overrides it'),
  ackPolicy: z
    .enum(['parity-durable', 'local-write'])
    .default('parity-durable')
    .describe('hardened: acknowledge a host write once parity has its delta durably (parity-durable) or after the local write only (local-write: faster, with a window of vulnerability)'),
  retransmit: z
    .strictObject({
      initial: duration('5ms').default(5000).describe('hardened: the first retransmission timeout, and the floor of the timeout adapted to measured round trips'),
      max: duration('500ms').default(500_000).describe('hardened: the adapted, backed-off timeout never grows past this'),
    })
    .default({ initial: 5000, max: 500_000 })
    .describe('hardened: retransmission of deltas and requests until answered (RFC 6298 timeout per peer)'),
  journalLatency: duration('20us').default(20).describe("latency of an append to a controller's journal (NVRAM-like)"),
  blockSize: size('4096, "64KiB" or "16TB"').default(4096).describe('modelled block size (e.g. "4KiB"): timing and capacity are computed from it'),
  payloadBytes: z.int().min(1).max(1 << 20).default(16).describe('bytes actually stored per block: a fingerprint of the block (XOR is linear, so parity of fingerprints checks parity of data)'),
  primaries: z.union([primaryGroup, primaryList]).describe('the primary arrays: { count, blocks } or a list of { name?, blocks }'),
  parity: z
    .strictObject({ name: name.default('parity'), blocks: blocks.optional().describe('defaults to the largest primary') })
    .default({ name: 'parity' })
    .describe('the parity array'),
  prefill: z.number().min(0).max(1).default(0).describe("fraction of each primary's blocks holding data before the parity build"),
  disk: DiskSchema,
  network: NetworkSchema,
  workload: z
    .strictObject({
      duration: duration('5s').describe('how long hosts keep issuing I/O after the parity build'),
      iodepth: z.int().min(1).max(1024).default(4).describe('concurrent closed-loop I/O streams per host'),
      thinkTime: duration('1ms').default(1000).describe("mean pause between one stream's operations (exponential)"),
      readFraction: z.number().min(0).max(1).default(0.3).describe('fraction of host operations that are reads'),
      rate: meanInterval('200/s')
        .optional()
        .describe('open loop: each host issues operations as a Poisson process at this rate (e.g. "200/s"), whatever is outstanding; iodepth then caps the operations in service (the rest wait at the host, their latency counted from arrival) and thinkTime is not used'),
      hotSet: z
        .strictObject({
          blocks: z.int().min(1).describe('how many blocks are hot: block numbers 0 … blocks − 1 (of a smaller array, all of it)'),
          share: z.number().min(0).max(1).describe('fraction of host operations aimed at the hot blocks (the rest are uniform over the array)'),
        })
        .optional()
        .describe('a skewed load: a share of every host\'s operations go to a few hot blocks, the same numbers on every array (so their deltas meet at parity)'),
      bursts: z
        .strictObject({
          every: duration('50ms').describe('a burst starts this often, from the start of the load'),
          length: duration('5ms').describe('how long each burst lasts'),
        })
        .optional()
        .describe('bursty load: during each burst closed-loop streams skip their think time and open-loop arrivals come 10 times as fast'),
    })
    .describe('the hosts: each primary serves its own host, issuing random block reads and writes'),
  faults: FaultsSchema,
  scrub: z
    .strictObject({ interval: duration('1ms').describe('pause between two blocks scrubbed (a whole pass takes blocks × interval)') })
    .optional()
    .describe('hardened: parity scrubs in the background from the load on, checking Q[k] against the members and repairing the copy whose checksum fails; after the load it finishes one more whole pass. Off by default'),
  buggify: z
    .union([
      z.boolean(),
      z.strictObject({
        enable: probability.default(0.25).describe('probability that each point is enabled for the run'),
        fire: probability.default(0.2).describe('probability that an enabled point fires each time it is reached'),
        maxDelay: duration('20ms').default(20_000).describe('the longest wait a delay point adds (log-uniform from 1us)'),
        points: z
          .array(z.enum(Object.keys(BUGGIFY_POINTS) as [BuggifyPoint, ...BuggifyPoint[]]))
          .optional()
          .describe('only these points may be enabled (default: every point, src/protocol/buggify-points.ts)'),
      }),
    ])
    .default(false)
    .transform((b) => (b === false ? undefined : b === true ? { enable: 0.25, fire: 0.2, maxDelay: 20_000, points: undefined } : b))
    .describe('faults from inside the code (BUGGIFY): the controllers delay, drop a message or crash at chosen points, each point enabled per run and firing per reach from the seed (docs/SCENARIOS.md). true: the defaults. Off by default'),
  settle: duration('10s').default(10_000_000).describe('liveness bound: after the load stops, all work must finish within this'),
  swarm: SwarmSchema,
  generated: GeneratedSchema,
});

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ParsedScenario = z.output<typeof ScenarioSchema>;
