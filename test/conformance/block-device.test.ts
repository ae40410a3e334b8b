// The BlockDevice conformance tests (block-device.conformance.ts) on every
// implementation a controller can be given: the simulated arrays — ideal and
// HDD, each behind the ArrayPort that keeps their protection information, as
// the world hands them to controllers — and the real file device with its
// protection-information sidecar.
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlockDevice } from '../../src/ports/block-device.js';
import { blockChecksum } from '../../src/protocol/checksum.js';
import { FileBlockDevice } from '../../src/real/file-block-device.js';
import { ArrayPort } from '../../sim/disk/array-port.js';
import { DiskArray } from '../../sim/disk/disk-array.js';
import { IdealDisk } from '../../sim/disk/ideal-disk.js';
import type { SimDevice } from '../../sim/disk/sim-device.js';
import { Engine } from '../../sim/engine/engine.js';
import { Incarnation } from '../../sim/world/incarnation.js';
import { BLOCKS, BYTES, type BlockDeviceSubject, blockDeviceConformance } from './block-device.conformance.js';
import { pattern, realDriver, simDriver } from './driver.js';

/** A simulated array as the world gives it to a controller: behind its ArrayPort, gated by the controller's life. */
function simSubject(engine: Engine, media: SimDevice): BlockDeviceSubject {
  const port = new ArrayPort(media);
  let life = new Incarnation(media.name, 1);
  let device: BlockDevice = life.device(port);
  return {
    get device() {
      return device;
    },
    driver: simDriver(engine),
    async corrupt(block, at, mask) {
      const data = media.store.get(block);
      data[at]! ^= mask;
      media.store.set(block, data);
    },
    async reopen() {
      life.kill();
      life = new Incarnation(media.name, life.number + 1);
      device = life.device(port);
    },
    async dispose() {},
  };
}

const ideal = suite('BlockDevice conformance: simulated ideal disk');
blockDeviceConformance(ideal, async () => {
  const engine = new Engine(1);
  return simSubject(engine, new IdealDisk(engine, { name: 'a', blockCount: BLOCKS, blockBytes: BYTES, latencyUs: 100 }));
});
ideal.run();

const hdd = suite('BlockDevice conformance: simulated HDD array');
blockDeviceConformance(hdd, async () => {
  const engine = new Engine(1);
  return simSubject(engine, new DiskArray(engine, { name: 'a', blockCount: BLOCKS, blockBytes: BYTES, driveCount: 4 }));
});
hdd.run();

/** The real device in a fresh directory: `<dir>/a.img` and its sidecar `<dir>/a.img.pi`. */
async function realSubject(): Promise<BlockDeviceSubject & { readonly dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'xorsim-bd-'));
  const path = join(dir, 'a.img');
  let device = await FileBlockDevice.open(path, BLOCKS, BYTES, { checksums: true });
  return {
    dir,
    get device() {
      return device;
    },
    driver: realDriver,
    async corrupt(block, at, mask) {
      const file = await open(path, 'r+');
      const byte = new Uint8Array(1);
      await file.read(byte, 0, 1, block * BYTES + at); // past the end: stays 0
      byte[0]! ^= mask;
      await file.write(byte, 0, 1, block * BYTES + at);
      await file.close();
    },
    async reopen() {
      await device.close();
      device = await FileBlockDevice.open(path, BLOCKS, BYTES, { checksums: true });
    },
    async dispose() {
      await device.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const real = suite('BlockDevice conformance: real file with sidecar');
blockDeviceConformance(real, realSubject);
real.run();

// What only the file device has: its on-disk layout.
const files = suite('FileBlockDevice: image and sidecar files');

files('block k is at k × blockBytes in the image; its sidecar entry at 8k is [u32 1, u32 checksum], zeros if written without one', async () => {
  const s = await realSubject();
  try {
    const data = pattern(1, BYTES);
    await s.device.write(5, data, blockChecksum(5, data));
    await s.device.write(6, data);
    const image = await readFile(join(s.dir, 'a.img'));
    assert.equal([...image.subarray(5 * BYTES, 6 * BYTES)], [...data]);
    const pi = await readFile(join(s.dir, 'a.img.pi'));
    const view = new DataView(pi.buffer, pi.byteOffset, pi.byteLength);
    assert.is(view.getUint32(5 * 8, true), 1);
    assert.is(view.getUint32(5 * 8 + 4, true), blockChecksum(5, data));
    assert.equal([...pi.subarray(6 * 8, 7 * 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  } finally {
    await s.dispose();
  }
});

files('an intact block copied over another in the image (a misdirected write) fails the other block’s checksum', async () => {
  const s = await realSubject();
  try {
    const a = pattern(2, BYTES);
    const b = pattern(3, BYTES);
    await s.device.write(1, a, blockChecksum(1, a));
    await s.device.write(2, b, blockChecksum(2, b));
    const image = await readFile(join(s.dir, 'a.img'));
    image.copy(image, 2 * BYTES, 1 * BYTES, 2 * BYTES);
    await writeFile(join(s.dir, 'a.img'), image);
    const r = await s.device.read(2);
    assert.ok(r.ok);
    assert.equal([...r.data], [...a]);
    assert.is(r.checksum, blockChecksum(2, b), 'the sidecar still holds block 2’s own checksum, which folds in its number');
    assert.is.not(blockChecksum(2, a), r.checksum);
  } finally {
    await s.dispose();
  }
});

files('a sidecar entry lost in a crash (zeroed) makes a written block fail verification, as a torn write would', async () => {
  const s = await realSubject();
  try {
    const data = pattern(4, BYTES);
    await s.device.write(3, data, blockChecksum(3, data));
    const pi = await readFile(join(s.dir, 'a.img.pi'));
    pi.fill(0, 3 * 8, 4 * 8);
    await writeFile(join(s.dir, 'a.img.pi'), pi);
    const r = await s.device.read(3);
    assert.ok(r.ok && r.checksum === undefined, 'no checksum: the block reads as one never written');
    assert.ok(!r.data.every((x) => x === 0), 'and it is not zeros, so VerifiedDisk rejects it');
  } finally {
    await s.dispose();
  }
});
files.run();
