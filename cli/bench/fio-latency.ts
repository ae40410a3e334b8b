// One fio job at queue depth 1, its total latency (submission + completion,
// --lat_percentiles) as p50 / p99 / mean from fio's JSON report. The target
// is an NBD export (the real stack) or a plain file; the I/O pattern is the
// same, 4 KiB random reads or writes over one region, after a ramp.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Latency {
  /** Operations completed in the timed part. */
  readonly ios: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

export type Target = { readonly nbd: number } | { readonly file: string };

export interface FioPattern {
  readonly rw: 'randwrite' | 'randread' | 'write';
  readonly blockBytes: number;
  readonly regionBytes: number;
  /** Timed seconds (after one of ramp); 0: the region once, untimed (a fill: sequential, 256 KiB requests, 8 at a time). */
  readonly seconds: number;
}

function targetArgs(t: Target): string[] {
  if ('nbd' in t) return ['--ioengine=nbd', `--uri=nbd://127.0.0.1:${t.nbd}`];
  // A plain file through the page cache, as the node's image is. Writes with O_DSYNC: each is
  // durable when pwrite returns, as the device's write is after its fdatasync. Reads keep the
  // cache fio would otherwise drop first (the node's image is as cached: it was just written).
  return ['--ioengine=psync', `--filename=${t.file}`, '--sync=dsync', '--invalidate=0'];
}

export function runFio(target: Target, p: FioPattern, output: string): Promise<Latency> {
  const args = [
    '--name=bench',
    ...targetArgs(target),
    `--rw=${p.rw}`,
    `--bs=${p.rw === 'write' ? 256 << 10 : p.blockBytes}`,
    `--size=${p.regionBytes}`,
    `--iodepth=${p.rw === 'write' ? 8 : 1}`,
    '--lat_percentiles=1',
    '--randrepeat=0',
    ...(p.seconds > 0 ? ['--time_based', '--ramp_time=1', `--runtime=${p.seconds}`] : []),
    '--output-format=json',
    `--output=${output}`,
  ];
  return new Promise((resolve, reject) => {
    execFile('fio', args, { encoding: 'utf8', timeout: (p.seconds + 120) * 1000 }, (error, _stdout, stderr) => {
      if (error !== null) return reject(new Error(`fio ${p.rw} on ${'nbd' in target ? `nbd port ${target.nbd}` : target.file}: ${stderr.trim().split('\n').at(-1) ?? error.message}`));
      const job = JSON.parse(readFileSync(output, 'utf8')).jobs[0];
      const side = p.rw === 'randread' ? job.read : job.write;
      const lat = side.lat_ns;
      resolve({ ios: side.total_ios, p50Us: lat.percentile['50.000000'] / 1000, p99Us: lat.percentile['99.000000'] / 1000, meanUs: lat.mean / 1000 });
    });
  });
}
