// A primary's write that fails is tried once more (src/util/verified-disk.ts):
// it may have failed elsewhere — misdirected onto another drive that failed
// under it — leaving its block as it was, readable, the old data matching the
// old checksum. Taken for the write's data, that stale block was the "old" of
// the next delta, and Q[k] was wrong from then on (generated seed 1631).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlockDevice, ReadResult, WriteResult } from '../src/ports/block-device.js';
import type { Probe } from '../src/ports/probe.js';
import { VerifiedDisk } from '../src/util/verified-disk.js';

const FAILED = { ok: false, error: 'device-failed' } as const;

/** A device whose failing writes leave the block untouched: the next `failNext(n)` ones, or every one if `lost`. */
function device(lost = false) {
  const blocks = new Map<number, { data: Uint8Array; checksum: number | undefined }>();
  let writes = 0;
  let failing = 0;
  const dev: BlockDevice = {
    blockBytes: 8,
    blockCount: 16,
    keepsChecksums: true,
    read: async (block): Promise<ReadResult> => {
      if (lost) return FAILED;
      const b = blocks.get(block);
      return b === undefined ? { ok: true, data: new Uint8Array(8) } : { ok: true, data: b.data.slice(), checksum: b.checksum };
    },
    write: async (block, data, checksum): Promise<WriteResult> => {
      writes++;
      if (lost || failing-- > 0) return FAILED;
      blocks.set(block, { data: data.slice(), checksum });
      return { ok: true };
    },
    flush: async () => ({ ok: true }),
  };
  return { dev, writes: () => writes, failNext: (n: number) => void (failing = n) };
}

function probe() {
  const hits: string[] = [];
  const p: Probe = { hit: (name) => void hits.push(name), anomaly() {} };
  return { p, hits };
}

const OLD = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const NEW = Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1);

test('a failed write is tried again: the block holds the new data, not the old one readable', async () => {
  const { dev, writes, failNext } = device();
  const { p, hits } = probe();
  const disk = new VerifiedDisk(dev, p, true, true);
  assert.ok((await disk.write(4, OLD)).ok);
  failNext(1); // misdirected onto a drive failing under it: block 4 untouched
  assert.ok((await disk.write(4, NEW)).ok, 'stored at the second try');
  const read = await disk.read(4);
  assert.ok(read.ok && read.data.join() === NEW.join(), 'reads the new data');
  assert.equal(hits, ['write-failed-tried-again']);
  assert.is(writes(), 3);
});

test('without trying again, the failed write leaves the old data readable, passing its checksum', async () => {
  const { dev, failNext } = device();
  const { p } = probe();
  const disk = new VerifiedDisk(dev, p, true);
  assert.ok((await disk.write(4, OLD)).ok);
  failNext(1);
  assert.not.ok((await disk.write(4, NEW)).ok);
  const read = await disk.read(4);
  assert.ok(read.ok && read.data.join() === OLD.join(), 'the stale block reads as intact');
});

test("a block whose own drive is lost fails again: the failure stands", async () => {
  const { dev, writes } = device(true);
  const { p, hits } = probe();
  const disk = new VerifiedDisk(dev, p, true, true);
  assert.equal(await disk.write(4, NEW), FAILED);
  assert.is(writes(), 2);
  assert.equal(hits, ['write-failed-tried-again']);
});

test('a write that succeeds is written once', async () => {
  const { dev, writes } = device();
  const { p, hits } = probe();
  assert.ok((await new VerifiedDisk(dev, p, true, true).write(4, NEW)).ok);
  assert.is(writes(), 1);
  assert.equal(hits, []);
});

test.run();
