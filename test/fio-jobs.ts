// fio as the host of NBD exports, writing with its own verification headers
// and later verifying what it wrote — the chaos test's client. One fio run
// drives several exports, a job or more each (a job's error — its export's
// node killed — ends that job only).
//
// Each job writes its own segment of the export once, in random order, one
// write at a time (--iodepth=1), with --verify=crc32c: every 4 KiB block
// carries fio's header (magic, its own offset, a CRC-32C of its data).
// fio saves its verify state as the job ends, however it ends (a connection
// cut by a SIGKILLed node included): how many writes it issued and which
// completed. A later `--verify_only --verify_state_load=1` run of the same
// jobs replays the same offsets and reads back every write up to that point.
//
// Why that is exactly "every acknowledged write" here (fio 3.33, verify.c,
// verify_state_should_stop): fio verifies the first issued − depth writes
// unconditionally and, in the last `depth`, only those it saw complete. At
// depth 1 a write is issued only after the one before it completed without
// error (a job stops at its first error), so the first issued − 1 were all
// acknowledged, and the last one is verified only if its reply came back
// successful. The write in flight when a node died — which may or may not
// have landed — is never checked; every other is. A block of a segment is
// written once in the whole test and held zeros before, so a lost write reads
// back zeros ("bad magic") and a stale one cannot pass for it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Ran, runAsync } from './real-cluster.js';

export const FIO_BLOCK = 4096;

export interface FioJob {
  readonly name: string;
  /** The NBD export's port on 127.0.0.1 — or `uri`, another way to it (a Unix socket). */
  readonly port: number;
  readonly uri?: string;
  /** Byte offset of its segment in the export. */
  readonly offset: number;
  readonly seed: number;
}

export interface FioSet {
  /** Bytes of each job's segment. */
  readonly bytes: number;
  readonly jobs: readonly FioJob[];
  /** Where fio keeps the jobs' verify state (its working directory) and its JSON output. */
  readonly dir: string;
  /** The output file's name, unique per run. */
  readonly tag: string;
}

export interface FioResult extends Ran {
  /** Per job, in the set's order: blocks written and acknowledged (write) or read and verified (verify). */
  readonly blocks: readonly number[];
  /** Per job: fio's error number (0: none). */
  readonly errors: readonly number[];
}

function args(set: FioSet, mode: 'write' | 'verify', output: string): string[] {
  const common = [
    '--ioengine=nbd',
    '--rw=randwrite',
    `--bs=${FIO_BLOCK}`,
    '--iodepth=1',
    `--size=${set.bytes}`,
    '--verify=crc32c',
    '--output-format=json',
    `--output=${output}`,
  ];
  const phase = mode === 'write' ? ['--do_verify=0', '--verify_state_save=1'] : ['--verify_only', '--verify_state_load=1'];
  return [...common, ...phase, ...set.jobs.flatMap((j) => [`--name=${j.name}`, `--uri=${j.uri ?? `nbd://127.0.0.1:${j.port}`}`, `--offset=${j.offset}`, `--randseed=${j.seed}`])];
}

async function runFio(set: FioSet, mode: 'write' | 'verify'): Promise<FioResult> {
  const output = join(set.dir, `${set.tag}.${mode}.json`);
  const ran = await runAsync('fio', args(set, mode, output), { timeoutMs: 120_000, cwd: set.dir });
  let report: { jobs?: { jobname: string; error: number; read: { io_bytes: number }; write: { io_bytes: number } }[] } = {};
  try {
    report = JSON.parse(readFileSync(output, 'utf8'));
  } catch {
    // no report: every job counts as nothing done, with an error
  }
  const byName = new Map((report.jobs ?? []).map((j) => [j.jobname, j]));
  const blocks = set.jobs.map((j) => {
    const r = byName.get(j.name);
    return r === undefined ? 0 : (mode === 'write' ? r.write.io_bytes : r.read.io_bytes) / FIO_BLOCK;
  });
  const errors = set.jobs.map((j) => byName.get(j.name)?.error ?? -1);
  return { ...ran, blocks, errors };
}

/** Writes every job's segment once; what each had acknowledged when it ended. */
export function fioWrite(set: FioSet): Promise<FioResult> {
  return runFio(set, 'write');
}

/**
 * Reads back and checks what the write run of the same set had acknowledged (its saved verify
 * state). One verify run per write run, its jobs in the same order: fio derives a job's random
 * offsets from --randseed and the job's number in the run (init.c, setup_random_seeds), and
 * finds its saved state by its name and that number (`local-<name>-<n>-verify.state`).
 */
export function fioVerify(set: FioSet): Promise<FioResult> {
  return runFio(set, 'verify');
}
