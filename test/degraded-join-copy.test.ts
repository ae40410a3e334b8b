// A degraded write (the primary's drive holding the block is lost) lives in its
// delta alone until parity acknowledges it. If parity asks for the block's join
// copy meanwhile (a new parity array merging every member), the copy must be
// that write's data: "no copy" reflecting the delta had parity absorb the
// delta into zeros, and the acknowledged write was lost (generated unlimited
// seed 1014). The parity side is scripted here; the primary is the real one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlockDevice } from '../src/ports/block-device.js';
import { PrimaryController } from '../src/primary/primary-controller.js';
import type { Message } from '../src/protocol/messages.js';
import { IdealDisk } from '../sim/disk/ideal-disk.js';
import { Engine } from '../sim/engine/engine.js';
import { SimClock } from '../sim/world/sim-clock.js';
import { engineNetwork } from './helpers.js';

const BLOCK = 3;

/** An array whose drive holding BLOCK is lost: its reads and writes fail. */
function withLostBlock(disk: IdealDisk): BlockDevice {
  const failed = { ok: false, error: 'device-failed' } as const;
  return {
    blockBytes: disk.blockBytes,
    blockCount: disk.blockCount,
    read: (block) => (block === BLOCK ? Promise.resolve(failed) : disk.read(block)),
    write: (block, data) => (block === BLOCK ? Promise.resolve(failed) : disk.write(block, data)),
    flush: () => disk.flush(),
  };
}

test('a join copy of a block whose degraded write is unacknowledged is that write, not "no copy"', async () => {
  const e = new Engine(7);
  const endpoint = engineNetwork(e);
  const disk = new IdealDisk(e, { name: 'p1', blockCount: 8, blockBytes: 8, latencyUs: 100 });
  const p1 = new PrimaryController({ disk: withLostBlock(disk), transport: endpoint('p1'), clock: new SimClock(e, 'p1'), parity: 'parity' });
  p1.start();
  // Parity, scripted: Q[BLOCK] holds nothing of p1 yet (a new parity array merging its members),
  // so the rebuild of the old contents finds it lost; the delta triggers the block's merge, and the
  // delta is acknowledged once the join copy is in.
  const copies: Extract<Message, { type: 'join-copy' }>[] = [];
  const parity = endpoint('parity');
  let delta: Extract<Message, { type: 'delta' }> | undefined;
  parity.listen((from, m) => {
    if (m.type === 'reconstruct-request') parity.send(from, { type: 'reconstruct-reply', id: m.id, block: m.block, lost: 1, data: new Uint8Array(0) });
    else if (m.type === 'delta' && delta === undefined) {
      delta = m;
      parity.send(from, { type: 'join-copy-request', id: 1, block: m.block });
    } else if (m.type === 'join-copy') {
      copies.push(m);
      parity.send(from, { type: 'delta-ack', block: delta!.block, epoch: delta!.epoch, seq: delta!.seq });
    }
  });
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  let result: { ok: boolean } | undefined;
  e.watch(p1.hostWrite(BLOCK, data).then((r) => void (result = r)), 'host');
  await e.run();
  assert.is(e.crash, undefined);
  assert.equal(result, { ok: true });
  assert.ok(delta !== undefined && delta.replaces === 1, 'the write replaced the lost block');
  assert.is(copies.length, 1);
  assert.is(copies[0]!.reflectsUpTo, delta!.seq);
  assert.equal([...copies[0]!.data], [...data], 'the copy reflecting the delta holds its data');
});

test.run();
