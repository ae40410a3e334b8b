// The `disk` section of a scenario: the ideal disk, or arrays of simulated
// hard drives (sim/disk/disk-array.ts over sim/disk/hdd.ts).
import { z } from 'zod';
import { bytesPerSecond, duration, size } from './unit-types.js';

export const IdealDiskSchema = z.strictObject({
  model: z.literal('ideal').default('ideal').describe('ideal: fixed latency, unlimited concurrency, no faults'),
  latency: duration('200us').default(200).describe('latency of every read and write'),
});

export const HddDiskSchema = z.strictObject({
  model: z.literal('hdd').describe('hdd: each array is a controller over striped hard drives (seek, rotation, zoned transfer, queueing)'),
  drives: z.int().min(1).max(256).default(4).describe('drives per array'),
  parityDrives: z.int().min(1).max(256).optional().describe('drives in the parity array (default: drives): every write in the group costs it a read-modify-write'),
  stripeUnit: z.int().min(1).default(1).describe('consecutive blocks per drive before the next'),
  queue: z.enum(['fifo', 'sstf', 'sptf']).default('fifo').describe('per-drive scheduling: fifo, shortest seek first, or shortest positioning time first'),
  writeCache: z.boolean().default(false).describe('drive write cache (unflushed writes are lost at power failure)'),
  drive: z
    .strictObject({
      capacity: size('"20TB"').optional().describe('default 20TB'),
      rpm: z.number().positive().optional().describe('default 7200'),
      avgSeekRead: duration('7.4ms').optional().describe('datasheet average read seek (default 7.4ms, WD Ultrastar DC HC310)'),
      avgSeekWrite: duration('8.2ms').optional().describe('datasheet average write seek (default 8.2ms)'),
      trackToTrack: duration('230us').optional().describe('one-cylinder seek (default 0.23ms)'),
      outerRate: bytesPerSecond('285MB/s').optional().describe('sustained transfer on outer tracks (default 285MB/s, Seagate Exos X20)'),
      innerRate: bytesPerSecond('142.5MB/s').optional().describe('on inner tracks (default 142.5MB/s)'),
    })
    .default({})
    .describe('overrides of the drive datasheet defaults (sim/disk/hdd-params.ts names each source)'),
});

export const DiskSchema = z
  .discriminatedUnion('model', [IdealDiskSchema, HddDiskSchema])
  .default({ model: 'ideal', latency: 200 })
  .describe('the disk model of every array');
