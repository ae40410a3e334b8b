// What every BlockDevice a controller is given must do (src/ports/block-device.ts),
// as test bodies any implementation can be run through: the simulated arrays
// and the real file device run the same ones (block-device.test.ts).
//
// Checksums are the device's protection information: it stores the checksum
// given with a write and returns it with each read, and never checks it
// itself. A byte changed on the media behind its back therefore comes back
// with the old checksum, and the controller's VerifiedDisk names it.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlockDevice } from '../../src/ports/block-device.js';
import { NO_PROBE } from '../../src/ports/probe.js';
import { blockChecksum } from '../../src/protocol/checksum.js';
import { VerifiedDisk, intact } from '../../src/util/verified-disk.js';
import { type Driver, type Each, eachOn, pattern, rejects } from './driver.js';

export const BLOCKS = 16;
export const BYTES = 64;

export interface BlockDeviceSubject {
  /** The device as the controller's current life sees it (after reopen, the new one). */
  readonly device: BlockDevice;
  readonly driver: Driver;
  /** XORs `mask` into byte `at` of `block` on the media, behind the device's back: its stored checksum stays as it was. */
  corrupt(block: number, at: number, mask: number): Promise<void>;
  /** A controller restart: the same media, seen through a new life (the real device: its files opened again). */
  reopen(): Promise<void>;
  dispose(): Promise<void>;
}

/** Makes a fresh, never-written device of BLOCKS blocks of BYTES bytes. */
export type BlockDeviceFactory = () => Promise<BlockDeviceSubject>;

/** Registers the BlockDevice conformance tests on `suite`. */
export function blockDeviceConformance(suite: Test, factory: BlockDeviceFactory): void {
  const each = eachOn(suite, factory);
  contents(each);
  limits(each);
  checksums(each);
}

function contents(each: Each<BlockDeviceSubject>): void {
  each('geometry, and it keeps checksums', async (s) => {
    assert.is(s.device.blockCount, BLOCKS);
    assert.is(s.device.blockBytes, BYTES);
    assert.is(s.device.keepsChecksums, true);
  });

  each('a block never written reads as zeros, with no checksum (so VerifiedDisk takes it as intact)', async (s, d) => {
    for (const k of [0, BLOCKS - 1]) {
      const r = await d.settle(s.device.read(k));
      assert.ok(r.ok, `read ${k}`);
      assert.equal([...r.data], new Array(BYTES).fill(0));
      assert.is(r.checksum, undefined);
      assert.ok(intact(k, r.data, r.checksum));
    }
  });

  each('write then read returns the data and the checksum written with it', async (s, d) => {
    const data = pattern(1, BYTES);
    assert.equal(await d.settle(s.device.write(3, data, blockChecksum(3, data))), { ok: true });
    const r = await d.settle(s.device.read(3));
    assert.ok(r.ok);
    assert.equal([...r.data], [...data]);
    assert.is(r.checksum, blockChecksum(3, data));
    const neighbour = await d.settle(s.device.read(4));
    assert.ok(neighbour.ok && neighbour.data.every((b) => b === 0), 'the next block is untouched');
  });

  each('buffers are never shared: the caller may reuse what it wrote, and may change what it read', async (s, d) => {
    const data = pattern(2, BYTES);
    const kept = data.slice();
    const written = s.device.write(5, data, blockChecksum(5, data));
    data.fill(0xee); // reused at once: the device copied it at the call
    assert.ok((await d.settle(written)).ok);
    const first = await d.settle(s.device.read(5));
    assert.ok(first.ok);
    assert.equal([...first.data], [...kept]);
    first.data.fill(0x11);
    const second = await d.settle(s.device.read(5));
    assert.ok(second.ok);
    assert.equal([...second.data], [...kept], 'a read hands out a fresh copy');
  });

  each('the last write wins, and a write without a checksum clears the old one', async (s, d) => {
    const a = pattern(3, BYTES);
    const b = pattern(4, BYTES);
    await d.settle(s.device.write(7, a, blockChecksum(7, a)));
    await d.settle(s.device.write(7, b, blockChecksum(7, b)));
    let r = await d.settle(s.device.read(7));
    assert.ok(r.ok && r.checksum === blockChecksum(7, b));
    assert.equal([...r.data], [...b]);
    await d.settle(s.device.write(7, a));
    r = await d.settle(s.device.read(7));
    assert.ok(r.ok);
    assert.equal([...r.data], [...a]);
    assert.is(r.checksum, undefined);
  });

  each('concurrent writes to every block all land, each in its own block', async (s, d) => {
    const all = Array.from({ length: BLOCKS }, (_, k) => pattern(100 + k, BYTES));
    const results = await d.settle(Promise.all(all.map((data, k) => s.device.write(k, data, blockChecksum(k, data)))));
    assert.ok(results.every((r) => r.ok));
    const reads = await d.settle(Promise.all(all.map((_, k) => s.device.read(k))));
    reads.forEach((r, k) => {
      assert.ok(r.ok && r.checksum === blockChecksum(k, all[k]!), `block ${k}`);
      assert.equal([...r.data], [...all[k]!]);
    });
  });
}

function limits(each: Each<BlockDeviceSubject>): void {
  each('blocks outside the device are out-of-range, for reads and writes alike', async (s, d) => {
    const data = new Uint8Array(BYTES);
    for (const k of [-1, BLOCKS, BLOCKS + 100, 1.5, Number.NaN]) {
      assert.equal(await d.settle(s.device.read(k)), { ok: false, error: 'out-of-range' }, `read ${k}`);
      assert.equal(await d.settle(s.device.write(k, data)), { ok: false, error: 'out-of-range' }, `write ${k}`);
    }
  });

  each('a write of the wrong length is a programming error (RangeError), not an I/O result', async (s, d) => {
    for (const n of [BYTES - 1, BYTES + 1, 0]) {
      await rejects(d, () => s.device.write(0, new Uint8Array(n)), (e) => e instanceof RangeError, `${n} bytes`);
    }
  });

  each('flush succeeds, and what was written stays', async (s, d) => {
    const data = pattern(5, BYTES);
    await d.settle(s.device.write(9, data, blockChecksum(9, data)));
    assert.equal(await d.settle(s.device.flush()), { ok: true });
    const r = await d.settle(s.device.read(9));
    assert.ok(r.ok);
    assert.equal([...r.data], [...data]);
  });
}

function checksums(each: Each<BlockDeviceSubject>): void {
  each('a byte changed on the media comes back with the old checksum: VerifiedDisk reports checksum-mismatch; a rewrite heals it', async (s, d) => {
    const data = pattern(6, BYTES);
    await d.settle(s.device.write(11, data, blockChecksum(11, data)));
    await s.corrupt(11, 17, 0x40);
    const raw = await d.settle(s.device.read(11));
    assert.ok(raw.ok, 'silent corruption is no I/O error');
    assert.is(raw.data[17], data[17]! ^ 0x40, 'the device returns what the media holds');
    assert.is(raw.checksum, blockChecksum(11, data), 'with the checksum stored at the write');
    assert.not.ok(intact(11, raw.data, raw.checksum));
    const verified = new VerifiedDisk(s.device, NO_PROBE, true);
    assert.equal(await d.settle(verified.read(11)), { ok: false, error: 'checksum-mismatch' });
    assert.ok((await d.settle(verified.read(10))).ok, 'its neighbours are fine');
    await d.settle(verified.write(11, data));
    const healed = await d.settle(verified.read(11));
    assert.ok(healed.ok);
    assert.equal([...healed.data], [...data]);
  });

  each('a never-written block changed on the media is caught too (no checksum: it must be zeros)', async (s, d) => {
    await s.corrupt(2, 0, 0x01);
    const verified = new VerifiedDisk(s.device, NO_PROBE, true);
    assert.equal(await d.settle(verified.read(2)), { ok: false, error: 'checksum-mismatch' });
  });

  each('the media outlives the controller: data and checksums read back after a restart', async (s, d) => {
    const all = [0, 6, BLOCKS - 1].map((k) => ({ k, data: pattern(200 + k, BYTES) }));
    for (const { k, data } of all) await d.settle(s.device.write(k, data, blockChecksum(k, data)));
    await s.reopen();
    for (const { k, data } of all) {
      const r = await d.settle(s.device.read(k));
      assert.ok(r.ok && r.checksum === blockChecksum(k, data), `block ${k}`);
      assert.equal([...r.data], [...data]);
    }
    const unwritten = await d.settle(s.device.read(1));
    assert.ok(unwritten.ok && unwritten.checksum === undefined && unwritten.data.every((b) => b === 0));
  });
}
