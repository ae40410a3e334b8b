// The real node's boot counter (src/real/boot-counter.ts): one more per start,
// durable before it is used, never reset by what it cannot read.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BOOT_LIMIT, lastBoot, nextBoot } from '../src/real/boot-counter.js';
import { rejectsWith } from './conformance/driver.js';

async function inTempDir(body: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'xorsim-boot-'));
  try {
    await body(join(dir, 'boot'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('boots are numbered 1, 2, 3… (as the simulator numbers incarnations), kept as one line of text', () =>
  inTempDir(async (path) => {
    assert.is(await lastBoot(path), 0, 'never booted');
    assert.equal([await nextBoot(path), await nextBoot(path), await nextBoot(path)], [1, 2, 3]);
    assert.is(await lastBoot(path), 3);
    assert.is(await readFile(path, 'utf8'), 'boot 3\n');
  }));

test('a count a crash interrupted (its temporary file left behind) does not count: the old number stands', () =>
  inTempDir(async (path) => {
    await nextBoot(path);
    await writeFile(`${path}.tmp`, 'boot 7\n');
    assert.is(await nextBoot(path), 2);
  }));

test('a counter that does not parse is refused, never restarted from 1 (request ids would repeat)', () =>
  inTempDir(async (path) => {
    for (const text of ['', 'boot \n', 'boot 0\n', 'boot -1\n', 'boot 2', 'boot 1.5\n', 'reboot 2\n', `boot ${BOOT_LIMIT}\n`]) {
      await writeFile(path, text);
      await rejectsWith(nextBoot(path), /unreadable/);
      assert.is(await readFile(path, 'utf8'), text, 'left as it was');
    }
  }));

test('the last boot number a request id can carry is the last one handed out', () =>
  inTempDir(async (path) => {
    await writeFile(path, `boot ${BOOT_LIMIT - 2}\n`);
    assert.is(await nextBoot(path), BOOT_LIMIT - 1);
    await rejectsWith(nextBoot(path), /used up/);
  }));

test.run();
