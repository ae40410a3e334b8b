// `xorsim bench --real`: host latency through the real stack against the
// same I/O on a plain file, with the simulator's prediction beside it.
//
// - Real: a 4+1 cluster of node processes in a temporary directory (as
//   `xorsim cluster up` starts them: 4 KiB blocks, parity-durable, the
//   example's retransmission timer); fio's nbd engine on p1's export, 4 KiB
//   random writes, then reads, at queue depth 1, over a region filled first.
//   A write is acknowledged after p1's journal, image and sidecar and
//   parity's journal, Q and sidecar are each fdatasync'ed, with a TCP round
//   trip between.
// - Plain file: the same fio jobs on a file in the same directory with
//   psync, writes O_DSYNC (durable when pwrite returns), reads through the
//   page cache as the node's image is read.
// - Simulated: the shipped model of the same cluster (4 primaries, 4 KiB,
//   hardened, parity-durable, ideal disks and network, one host stream at
//   depth 1), each latency set from what this machine measured:
//     a host write is 4 disk operations in turn (read old, write new on the
//     primary; read Q, write Q on parity), 2 journal appends and 2 one-way
//     messages. On the real device a read is two page-cache preads (block
//     and sidecar entry) and a write two durable writes (image, then
//     sidecar), so the ideal disk's one latency is their mean,
//     (2 × plain read + 2 × plain write) / 2, which makes the four operations
//     take what the device's take; a journal append is one durable write;
//     a message, half a measured loopback TCP round trip.
//     A host read is one disk read: the ideal disk then takes 2 × plain read.
//   Ideal models have no variance: the simulator's p99 is its p50.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../lib/index.js';
import { type ClusterContext, down, up } from '../cluster/actions.js';
import { loadClusterFile } from '../cluster/cluster-file.js';
import { type Latency, runFio } from './fio-latency.js';
import { freePorts } from '../free-ports.js';

const BLOCK = 4096;
const REGION = 16 << 20;
const PRIMARIES = 4;

export interface SimulatedLatency {
  readonly p50Us: number;
  readonly p99Us: number;
}

export interface RealLatencyRow {
  readonly io: 'write' | 'read';
  readonly real: Latency;
  readonly plain: Latency;
  readonly simulated: SimulatedLatency;
}

export interface RealLatency {
  readonly setup: string;
  /** What the simulator was given (µs). */
  readonly model: { readonly diskWriteRunUs: number; readonly diskReadRunUs: number; readonly journalUs: number; readonly networkUs: number };
  readonly rows: readonly RealLatencyRow[];
}


/** Half the median of `n` round trips of a 64-byte message over loopback TCP between two sockets of this process (µs). */
async function loopbackOneWayUs(n = 2000): Promise<number> {
  const server = createServer((s) => s.on('data', (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  client.setNoDelay(true);
  await new Promise((r) => client.once('connect', r));
  const trips: number[] = [];
  const message = Buffer.alloc(64, 1);
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      let got = 0;
      const onData = (d: Buffer) => {
        got += d.length;
        if (got < message.length) return;
        client.off('data', onData);
        resolve();
      };
      client.on('data', onData);
      client.write(message);
    });
    trips.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  client.destroy();
  await new Promise((r) => server.close(r));
  trips.sort((a, b) => a - b);
  return trips[Math.floor(trips.length / 2)]! / 2;
}

/** The simulator's latency of one host stream at depth 1 on the bench's cluster, with these latencies (µs); writes if readFraction is 0, else reads. */
export async function simulate(diskUs: number, journalUs: number, networkUs: number, readFraction: number): Promise<SimulatedLatency> {
  const us = (x: number) => `${Math.max(1, Math.round(x))}us`;
  const report = await run({
    name: 'bench-real',
    primaries: { count: PRIMARIES, blocks: REGION / BLOCK },
    blockSize: BLOCK,
    prefill: 1,
    protocol: 'hardened',
    ackPolicy: 'parity-durable',
    retransmit: { initial: '50ms', max: '2s' },
    disk: { model: 'ideal', latency: us(diskUs) },
    network: { model: 'ideal', latency: us(networkUs) },
    journalLatency: us(journalUs),
    workload: { duration: '2s', iodepth: 1, thinkTime: '1us', readFraction },
  }, { seed: 1 });
  const side = readFraction === 0 ? report.latencyUs.write : report.latencyUs.read;
  return { p50Us: side.p50, p99Us: side.p99 };
}

/** Runs the three measurements (about 4 × `seconds` + half a minute); `say` hears each step. */
export async function benchRealLatency(seconds: number, say: (line: string) => void): Promise<RealLatency> {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-bench-real-'));
  const ports = await freePorts(1 + 2 * PRIMARIES);
  const file = join(dir, 'bench.json');
  writeFileSync(file, JSON.stringify({
    name: 'bench',
    blockSize: BLOCK,
    ackPolicy: 'parity-durable',
    retransmit: { initial: '50ms', max: '2s' },
    parity: { address: `127.0.0.1:${ports[0]}`, dir: 'parity' },
    primaries: Array.from({ length: PRIMARIES }, (_, i) => ({ name: `p${i + 1}`, address: `127.0.0.1:${ports[1 + i]}`, nbd: ports[1 + PRIMARIES + i], dir: `p${i + 1}`, blocks: REGION / BLOCK })),
  }));
  const ctx: ClusterContext = { cluster: loadClusterFile(file), run: join(dir, 'run'), timeoutMs: 60_000, out: () => {}, err: say };
  const out = (name: string) => join(dir, `${name}.json`);
  const timed = (rw: 'randwrite' | 'randread') => ({ rw, blockBytes: BLOCK, regionBytes: REGION, seconds });
  const fill = { rw: 'write', blockBytes: BLOCK, regionBytes: REGION, seconds: 0 } as const;
  try {
    say(`real: starting a ${PRIMARIES}+1 cluster in ${dir}`);
    if ((await up(ctx)) !== 0) throw new Error('the cluster did not start (see the lines above)');
    const nbd = { nbd: ports[1 + PRIMARIES]! };
    say(`real: filling p1's ${REGION >> 20} MiB through NBD`);
    await runFio(nbd, fill, out('real-fill'));
    say(`real: ${seconds} s of 4 KiB random writes, then reads, on p1 at depth 1`);
    const realWrite = await runFio(nbd, timed('randwrite'), out('real-write'));
    const realRead = await runFio(nbd, timed('randread'), out('real-read'));
    await down(ctx);
    const plainFile = { file: join(dir, 'plain.img') };
    say('plain file: the same jobs');
    await runFio(plainFile, fill, out('plain-fill'));
    const plainWrite = await runFio(plainFile, timed('randwrite'), out('plain-write'));
    const plainRead = await runFio(plainFile, timed('randread'), out('plain-read'));
    const networkUs = await loopbackOneWayUs();
    const model = { diskWriteRunUs: (2 * plainRead.p50Us + 2 * plainWrite.p50Us) / 2, diskReadRunUs: 2 * plainRead.p50Us, journalUs: plainWrite.p50Us, networkUs };
    say('simulator: the same cluster on ideal disks and network set from these figures');
    const simWrite = await simulate(model.diskWriteRunUs, model.journalUs, model.networkUs, 0);
    const simRead = await simulate(model.diskReadRunUs, model.journalUs, model.networkUs, 1);
    return {
      setup: `${PRIMARIES}+1 cluster, ${BLOCK / 1024} KiB blocks, parity-durable; fio on p1, ${BLOCK / 1024} KiB random I/O at depth 1 over ${REGION >> 20} MiB, ${seconds} s each after 1 s of ramp`,
      model,
      rows: [
        { io: 'write', real: realWrite, plain: plainWrite, simulated: simWrite },
        { io: 'read', real: realRead, plain: plainRead, simulated: simRead },
      ],
    };
  } finally {
    await down({ ...ctx, out: () => {} });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table `bench --real` prints (Markdown, as the README shows it). */
export function formatRealLatency(r: RealLatency): string[] {
  const f = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${Math.round(us)} µs`);
  const l = (x: Latency) => `${f(x.p50Us)} / ${f(x.p99Us)} / ${f(x.meanUs)}`;
  return [
    `setup: ${r.setup}`,
    '',
    '| 4 KiB random, depth 1 | real stack (NBD → primary → parity) p50 / p99 / mean | plain file p50 / p99 / mean | simulator p50 / p99 | real ÷ simulator (p50) |',
    '|---|---|---|---|---|',
    ...r.rows.map((row) => `| ${row.io} | ${l(row.real)} | ${l(row.plain)} | ${f(row.simulated.p50Us)} / ${f(row.simulated.p99Us)} | ${(row.real.p50Us / row.simulated.p50Us).toFixed(2)}× |`),
    '',
    `simulator given: disk ${f(r.model.diskWriteRunUs)} (write run) and ${f(r.model.diskReadRunUs)} (read run), journal append ${f(r.model.journalUs)}, message ${f(r.model.networkUs)}`,
  ];
}
