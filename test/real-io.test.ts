// The controllers, unchanged, outside the simulator: real files (fdatasync'd,
// with protection-information sidecars), journals in files, boot counters,
// and TCP on 127.0.0.1. Build parity
// from prefilled arrays, run concurrent host writes, join, corrupt a byte of
// an image file behind the controller's back, restore a lost array, and check
// Q = XOR of the primaries by reading the files themselves.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParityController } from '../src/parity/parity-controller.js';
import { PrimaryController } from '../src/primary/primary-controller.js';
import { blockChecksum } from '../src/protocol/checksum.js';
import { equalBytes, xorInto } from '../src/protocol/xor.js';
import { nextBoot } from '../src/real/boot-counter.js';
import { FileBlockDevice } from '../src/real/file-block-device.js';
import { FileDurableLog } from '../src/real/file-durable-log.js';
import { SystemClock } from '../src/real/system-clock.js';
import { TcpTransport } from '../src/real/tcp-transport.js';

// Real sockets and files: never let a regression hang CI.
setTimeout(() => {
  console.error('real-io.test.ts: watchdog: no result after 60 s');
  process.exit(1);
}, 60_000).unref();

const BLOCKS = [64, 48, 64, 40]; // arrays may differ in size; p4 joins later
const BYTES = 32;

/** Deterministic test data (xorshift), so a failure reproduces. */
function bytes(seed: number): Uint8Array {
  let x = seed * 2654435761 + 1;
  return Uint8Array.from({ length: BYTES }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

function parityMatchesFiles(dir: string, members: number): { ok: boolean; bad: number[] } {
  const files = BLOCKS.slice(0, members).map((_, i) => readFileSync(join(dir, `p${i + 1}.img`)));
  const q = readFileSync(join(dir, 'parity.img'));
  const bad: number[] = [];
  for (let k = 0; k < Math.max(...BLOCKS); k++) {
    const expected = new Uint8Array(BYTES);
    for (const f of files) {
      const slice = new Uint8Array(BYTES);
      slice.set(f.subarray(k * BYTES, (k + 1) * BYTES)); // past the end: zeros
      xorInto(expected, slice);
    }
    const actual = new Uint8Array(BYTES);
    actual.set(q.subarray(k * BYTES, (k + 1) * BYTES));
    if (!equalBytes(expected, actual)) bad.push(k);
  }
  return { ok: bad.length === 0, bad };
}

async function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('build, update, join and restore over real files and TCP; parity checked on the files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-real-'));
  const fatal: unknown[] = [];
  const onFatal = (e: unknown) => void fatal.push(e);
  // Stopped at the end: a controller still retransmitting to closed peers would keep the process alive.
  const clocks: SystemClock[] = [];
  const clock = () => {
    const c = new SystemClock(onFatal);
    clocks.push(c);
    return c;
  };
  const names = BLOCKS.map((_, i) => `p${i + 1}`);
  const transports = new Map<string, TcpTransport>();
  for (const n of [...names, 'parity']) transports.set(n, await TcpTransport.listen(n, '127.0.0.1', 0, onFatal));
  for (const t of transports.values()) for (const [n, peer] of transports) if (n !== t.self) t.addPeer(n, peer.address);
  const devices: FileBlockDevice[] = [];
  const journals = new Map<string, FileDurableLog>();
  /** A node's journal and boot number, in files beside its image (as a real node keeps them). */
  const persisted = async (n: string) => {
    const journal = await FileDurableLog.open(join(dir, `${n}.journal`));
    journals.set(n, journal);
    return { journal, boot: await nextBoot(join(dir, `${n}.boot`)) };
  };
  try {
    const primaries = [];
    for (const [i, n] of names.entries()) {
      const disk = await FileBlockDevice.open(join(dir, `${n}.img`), BLOCKS[i]!, BYTES, { checksums: true });
      devices.push(disk);
      for (let k = 0; k < BLOCKS[i]!; k += 3) {
        const data = bytes(1000 * i + k);
        assert.ok((await disk.write(k, data, blockChecksum(k, data))).ok); // prefill, with its checksums
      }
      const member = n !== 'p4'; // p4 joins later
      const c = new PrimaryController({ disk, transport: transports.get(n)!, clock: clock(), parity: 'parity', member, ...(await persisted(n)) });
      c.start();
      primaries.push(c);
    }
    const parityDisk = await FileBlockDevice.open(join(dir, 'parity.img'), Math.max(...BLOCKS), BYTES, { checksums: true });
    devices.push(parityDisk);
    const parity = new ParityController({
      disk: parityDisk,
      transport: transports.get('parity')!,
      clock: clock(),
      members: names.slice(0, 3).map((n, i) => ({ name: n, blockCount: BLOCKS[i]! })),
      buildWindow: 16,
      ...(await persisted('parity')),
    });
    parity.start();

    await parity.build();
    const afterBuild = parityMatchesFiles(dir, 3);
    assert.ok(afterBuild.ok, `blocks wrong after build: ${afterBuild.bad}`);

    // Concurrent host writes, several to the same blocks.
    const writes = [];
    for (let n = 0; n < 120; n++) {
      const i = n % 3;
      const k = (n * 7) % BLOCKS[i]!;
      writes.push(primaries[i]!.hostWrite(k, bytes(5000 + n)));
    }
    for (const r of await Promise.all(writes)) assert.ok(r.ok);
    // Acknowledged on the primaries; the deltas may still be on their way.
    await until('parity to absorb every delta', () => parityMatchesFiles(dir, 3).ok, 5000);
    const p1Journal = await journals.get('p1')!.read();
    assert.ok(p1Journal.trimmedUpTo + p1Journal.records.length >= 40, 'p1 journaled the intent of each of its 40 writes');
    assert.equal(fatal, []);
    const read = await primaries[1]!.hostRead((119 * 7) % BLOCKS[1]!);
    assert.ok(read.ok);

    // Join (claims 3, 4): p4 joins while its host keeps writing.
    let joined = false;
    parity.onJoined = () => void (joined = true);
    primaries[3]!.join();
    const joinWrites = [];
    for (let n = 0; n < 40; n++) joinWrites.push(primaries[3]!.hostWrite(n % BLOCKS[3]!, bytes(7000 + n)));
    for (const r of await Promise.all(joinWrites)) assert.ok(r.ok);
    await until('p4 to join', () => joined, 5000);
    await until('parity to include p4', () => parityMatchesFiles(dir, 4).ok, 5000);

    // Silent corruption: one byte of p1's block 6 changes in the file, its checksum in the sidecar does not.
    const k = 6;
    const good = readFileSync(join(dir, 'p1.img')).subarray(k * BYTES, (k + 1) * BYTES).slice();
    const image = readFileSync(join(dir, 'p1.img'));
    image[k * BYTES + 5]! ^= 0x40;
    writeFileSync(join(dir, 'p1.img'), image);
    const served = await primaries[0]!.hostRead(k);
    assert.ok(served.ok && equalBytes(served.data, good), 'the corrupt copy is caught by its checksum and rebuilt from parity, not served');
    assert.ok(equalBytes(readFileSync(join(dir, 'p1.img')).subarray(k * BYTES, (k + 1) * BYTES), good), 'and rewritten in the file');

    // Restore (claim 5): p2's array is lost; an empty one takes its place and is restored.
    const p2Before = readFileSync(join(dir, 'p2.img'));
    await transports.get('p2')!.close();
    await devices[1]!.close();
    rmSync(join(dir, 'p2.img'));
    const t2 = await TcpTransport.listen('p2', '127.0.0.1', 0, onFatal);
    transports.set('p2', t2);
    t2.addPeer('parity', transports.get('parity')!.address);
    transports.get('parity')!.addPeer('p2', t2.address);
    rmSync(join(dir, 'p2.img.pi'));
    await journals.get('p2')!.close(); // the journal is lost with the array; the boot counter is the node's, and counts on
    rmSync(join(dir, 'p2.journal'));
    const p2Persisted = await persisted('p2');
    assert.is(p2Persisted.boot, 2);
    const disk2 = await FileBlockDevice.open(join(dir, 'p2.img'), BLOCKS[1]!, BYTES, { checksums: true });
    devices[1] = disk2;
    const p2 = new PrimaryController({ disk: disk2, transport: t2, clock: clock(), parity: 'parity', ...p2Persisted });
    let restored = false;
    p2.onRestored = () => void (restored = true);
    p2.start();
    p2.restore();
    await until('p2 to be restored', () => restored, 10_000);
    // Compare logically: past a file's end, blocks read as zeros.
    const logical = (b: Uint8Array) => {
      const out = new Uint8Array(BLOCKS[1]! * BYTES);
      out.set(b.subarray(0, out.length));
      return out;
    };
    assert.ok(equalBytes(logical(readFileSync(join(dir, 'p2.img'))), logical(p2Before)), 'the restored array holds exactly what was lost');
    const after = parityMatchesFiles(dir, 4);
    assert.ok(after.ok, `blocks wrong after restore: ${after.bad}`);
    assert.equal(fatal, []);
  } finally {
    for (const c of clocks) c.stop();
    for (const t of transports.values()) await t.close();
    for (const d of devices) await d.close();
    for (const j of journals.values()) await j.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
test.run();
