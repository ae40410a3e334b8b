// What the reports need from the simulator, checked on their own: the open-loop
// host workload (workload.rate), a parity array with its own drive count
// (disk.parityDrives), and messages timed at the modelled block size.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiskArray } from '../sim/disk/disk-array.js';
import { Engine } from '../sim/engine/engine.js';
import { LossyNetwork } from '../sim/network/lossy-network.js';
import { modeledBytes } from '../sim/network/modeled-size.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import type { HostOp } from '../sim/workload/host-workload.js';
import { encodedSize } from '../src/protocol/codec.js';
import type { Message } from '../src/protocol/messages.js';
import { scenario } from './helpers.js';

async function openLoop(overrides: Record<string, unknown>) {
  const ops: HostOp[] = [];
  const s = scenario({ primaries: { count: 2, blocks: 256 }, prefill: 0, ...overrides });
  const report = await runScenario(s, { seed: 3, file: 'open-loop', onHostOp: (op) => void ops.push(op) });
  return { report, ops };
}

test('open loop: arrivals are Poisson at the rate per host (count within 3.29σ), every one served', async () => {
  const { report, ops } = await openLoop({ workload: { duration: '2s', rate: '500/s', iodepth: 8, readFraction: 0.3 } });
  assert.is(report.verdict, 'pass');
  const expected = 2 * 500 * 2; // hosts × rate × seconds
  assert.ok(Math.abs(ops.length - expected) <= 3.29 * Math.sqrt(expected), `${ops.length} arrivals, expected ${expected}`);
  assert.is(report.hostOps.writes + report.hostOps.reads, ops.length);
  assert.is(report.hostOps.failed, 0);
});

test('open loop, iodepth 1, reads on a 200us ideal disk: one in service at a time, latency counted from arrival', async () => {
  // 4000/s offered against 5000/s served: queues form, so waiting at the host shows.
  const { report, ops } = await openLoop({ workload: { duration: '500ms', rate: '4000/s', iodepth: 1, readFraction: 1 } });
  assert.is(report.verdict, 'pass');
  let waited = 0;
  for (const array of ['p1', 'p2']) {
    const mine = ops.filter((o) => o.array === array);
    assert.ok(mine.length > 1500, `${mine.length} reads on ${array}`);
    let previousEnd = 0;
    for (const op of mine) {
      // FIFO with one slot: service starts at max(arrival, previous end) and takes exactly 200us.
      assert.is(op.endUs, Math.max(op.startUs, previousEnd) + 200, `${array} read arriving at ${op.startUs}`);
      if (op.startUs < previousEnd) waited++;
      previousEnd = op.endUs;
    }
  }
  assert.ok(waited > 100, `only ${waited} reads waited at the host`);
  assert.ok(report.latencyUs.read.max > 200, 'waiting counts in the latency');
});

test('open loop, iodepth 3: never more than 3 of one host in service', async () => {
  const { ops } = await openLoop({ workload: { duration: '300ms', rate: '20000/s', iodepth: 3, readFraction: 1 } });
  for (const array of ['p1', 'p2']) {
    const ends = ops.filter((o) => o.array === array).map((o) => o.endUs);
    // Each read takes 200us, so at most 3 may complete in any 200us window... and 3 do, once saturated.
    let most = 0;
    for (let i = 0; i < ends.length; i++) {
      let j = i;
      while (j + 1 < ends.length && ends[j + 1]! < ends[i]! + 200) j++;
      most = Math.max(most, j - i + 1);
    }
    assert.is(most, 3, `${array}: ${most} reads completed within 200us`);
  }
});

test('disk.parityDrives: the parity array gets its own drive count, primaries keep disk.drives', async () => {
  const drives: Record<string, number> = {};
  const s = scenario({
    primaries: { count: 2, blocks: 64 },
    disk: { model: 'hdd', drives: 2, parityDrives: 6, drive: { capacity: '1GB' } },
    workload: { duration: '100ms', iodepth: 1, thinkTime: '10ms' },
  });
  const r = await runScenario(s, {
    seed: 1,
    file: 'parity-drives',
    onPhase: (phase, world) => {
      if (phase !== 'end') return;
      for (const node of world.nodes()) drives[node.name] = (node.device as DiskArray).drives.length;
    },
  });
  assert.is(r.verdict, 'pass');
  assert.equal(drives, { p1: 2, p2: 2, parity: 6 });
});

test('modelled size: block data counts at the block size, messages without data as encoded', () => {
  const delta: Message = { type: 'delta', block: 1, epoch: 0, seq: 1, replaces: 0, data: new Uint8Array(16) };
  const ack: Message = { type: 'delta-ack', block: 1, epoch: 0, seq: 1 };
  const lost: Message = { type: 'restore-data', id: 1, session: 1, block: 1, lost: 1, data: new Uint8Array(0) };
  assert.is(modeledBytes(delta, encodedSize(delta), 65536), encodedSize(delta) - 16 + 65536);
  assert.is(modeledBytes(ack, encodedSize(ack), 65536), encodedSize(ack));
  assert.is(modeledBytes(lost, encodedSize(lost), 65536), encodedSize(lost));
  assert.is(modeledBytes(delta, encodedSize(delta), undefined), encodedSize(delta));
});

test('lossy network with a block size: a 64 KiB delta takes 64 KiB of serialisation, the next queues behind it', async () => {
  const engine = new Engine(1);
  const net = new LossyNetwork(engine, { latencyUs: 100, bandwidthBytesPerSec: 1e6 }, 65536);
  const arrivals: number[] = [];
  net.endpoint('b').listen(() => void arrivals.push(engine.now));
  const a = net.endpoint('a');
  const delta: Message = { type: 'delta', block: 1, epoch: 0, seq: 1, replaces: 0, data: new Uint8Array(16) };
  a.send('b', delta);
  a.send('b', delta);
  await engine.run();
  const bytes = encodedSize(delta) - 16 + 65536;
  const tx = Math.ceil((bytes / 1e6) * 1e6);
  assert.ok(Math.abs(arrivals[0]! - (tx + 100)) <= 1, `first at ${arrivals[0]}, expected ${tx + 100}`);
  assert.ok(Math.abs(arrivals[1]! - (2 * tx + 100)) <= 2, `second at ${arrivals[1]}, expected ${2 * tx + 100}`);
  assert.is(net.stats.modeledBytes, 2 * bytes);
  assert.is(net.stats.bytes, 2 * encodedSize(delta));
});

test.run();
