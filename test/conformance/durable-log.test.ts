// The DurableLog conformance tests (durable-log.conformance.ts) on the
// simulated NVRAM log and on the real journal file; then what only the file
// has: its torn-tail rule, compaction, and refusing what is not a journal.
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DurableLog } from '../../src/ports/durable-log.js';
import { FileDurableLog } from '../../src/real/file-durable-log.js';
import { SimLog } from '../../sim/disk/sim-log.js';
import { Engine } from '../../sim/engine/engine.js';
import { Incarnation } from '../../sim/world/incarnation.js';
import { pattern, realDriver, rejectsWith, simDriver } from './driver.js';
import { type DurableLogSubject, durableLogConformance } from './durable-log.conformance.js';

const sim = suite('DurableLog conformance: simulated NVRAM log');
durableLogConformance(sim, async () => {
  const engine = new Engine(1);
  const log = new SimLog(engine, 'a', 20);
  let life = new Incarnation('a', 1);
  let port: DurableLog = log.port(() => life.alive);
  return {
    get log() {
      return port;
    },
    driver: simDriver(engine),
    async restart() {
      life.kill();
      life = new Incarnation('a', life.number + 1);
      port = log.port(() => life.alive);
    },
    async dispose() {},
  };
});
sim.run();

async function realSubject(compactBytes?: number): Promise<DurableLogSubject & { readonly path: string; readonly file: FileDurableLog }> {
  const dir = await mkdtemp(join(tmpdir(), 'xorsim-log-'));
  const path = join(dir, 'journal');
  const options = compactBytes === undefined ? {} : { compactBytes };
  let log = await FileDurableLog.open(path, options);
  return {
    path,
    get file() {
      return log;
    },
    get log() {
      return log;
    },
    driver: realDriver,
    async restart() {
      await log.close();
      log = await FileDurableLog.open(path, options);
    },
    async dispose() {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const real = suite('DurableLog conformance: real journal file');
durableLogConformance(real, () => realSubject());
real.run();

const file = suite('FileDurableLog: the journal file');

/** A journal of three records, closed; returns its path, the subject (to reopen) and the file's length after each record. */
async function threeRecords() {
  const s = await realSubject();
  const ends: number[] = [];
  for (let i = 1; i <= 3; i++) {
    await s.log.append(pattern(i, 50));
    ends.push((await stat(s.path)).size);
  }
  await s.file.close();
  return { s, ends };
}

file('a torn last record (cut short) ends the log: the file is truncated to the records before it, and appends follow them', async () => {
  const { s, ends } = await threeRecords();
  try {
    await truncate(s.path, ends[2]! - 7);
    await s.restart();
    assert.is(s.file.truncatedBytes, ends[2]! - 7 - ends[1]!);
    assert.equal((await s.log.read()).records.map((r) => r.position), [1, 2]);
    assert.is((await stat(s.path)).size, ends[1]);
    assert.is(await s.log.append(pattern(9, 5)), 3, 'an append never acknowledged leaves no position behind');
    await s.restart();
    assert.equal((await s.log.read()).records.map((r) => [r.position, r.data.length]), [[1, 50], [2, 50], [3, 5]]);
  } finally {
    await s.dispose();
  }
});

file('a record whose checksum fails ends the log, and everything after it goes too', async () => {
  const { s, ends } = await threeRecords();
  try {
    const bytes = await readFile(s.path);
    bytes[ends[0]! + 20]! ^= 0x08; // inside record 2's data
    await writeFile(s.path, bytes);
    await s.restart();
    assert.equal((await s.log.read()).records.map((r) => r.position), [1]);
    assert.is((await stat(s.path)).size, ends[0]);
  } finally {
    await s.dispose();
  }
});

file('zeros after the last record (space a crash allocated but never filled) are cut away; nothing is lost', async () => {
  const { s, ends } = await threeRecords();
  try {
    await writeFile(s.path, Buffer.concat([await readFile(s.path), Buffer.alloc(4096)]));
    await s.restart();
    assert.is(s.file.truncatedBytes, 4096);
    assert.equal((await s.log.read()).records.map((r) => r.position), [1, 2, 3]);
    assert.is((await stat(s.path)).size, ends[2]);
  } finally {
    await s.dispose();
  }
});

file('a torn header write leaves the header before it', async () => {
  const s = await realSubject();
  try {
    await s.log.writeHeader(pattern(1, 16));
    const end = (await stat(s.path)).size;
    await s.log.writeHeader(pattern(2, 16));
    await s.file.close();
    await truncate(s.path, end + 10);
    await s.restart();
    assert.equal([...(await s.log.read()).header], [...pattern(1, 16)]);
  } finally {
    await s.dispose();
  }
});

file('compaction keeps the file small under append and trim, and changes nothing a reader sees, before or after a restart', async () => {
  const s = await realSubject(4096);
  try {
    await s.log.writeHeader(pattern(99, 24));
    for (let i = 1; i <= 300; i++) {
      assert.is(await s.log.append(pattern(i, 100)), i);
      if (i % 10 === 0) await s.log.trim(i - 5);
    }
    assert.ok(s.file.compactions > 0, 'compacted');
    assert.ok((await stat(s.path)).size < 3 * 4096, `file ${(await stat(s.path)).size} bytes`);
    const before = await s.log.read();
    assert.is(before.trimmedUpTo, 295);
    assert.equal(before.records.map((r) => r.position), [296, 297, 298, 299, 300]);
    await s.restart();
    const after = await s.log.read();
    assert.equal([...after.header], [...pattern(99, 24)]);
    assert.is(after.trimmedUpTo, 295);
    assert.equal(after.records.map((r) => [r.position, [...r.data]]), before.records.map((r) => [r.position, [...r.data]]));
    assert.is(await s.log.append(pattern(1, 1)), 301);
  } finally {
    await s.dispose();
  }
});

file('a compaction a crash interrupted (its temporary file left behind) is ignored and removed', async () => {
  const { s } = await threeRecords();
  try {
    await writeFile(`${s.path}.tmp`, 'half a compaction');
    await s.restart();
    assert.equal((await s.log.read()).records.map((r) => r.position), [1, 2, 3]);
    await rejectsWith(stat(`${s.path}.tmp`), /ENOENT/);
  } finally {
    await s.dispose();
  }
});

file('a file that is not a journal is refused, not overwritten', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'xorsim-log-'));
  try {
    await writeFile(join(dir, 'journal'), 'something else entirely');
    await rejectsWith(FileDurableLog.open(join(dir, 'journal')), /not a journal/);
    assert.is(await readFile(join(dir, 'journal'), 'utf8'), 'something else entirely');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

file('once closed, every operation rejects', async () => {
  const s = await realSubject();
  try {
    await s.file.close();
    await rejectsWith(s.log.append(pattern(1, 1)), /closed/);
    await rejectsWith(s.log.read(), /closed/);
  } finally {
    await s.dispose();
  }
});

file('a trim past the last append: no later position is at or below the trim point', async () => {
  const s = await realSubject();
  try {
    await s.log.append(pattern(1, 1));
    await s.log.trim(10);
    assert.is(await s.log.append(pattern(2, 1)), 11);
    await s.restart();
    assert.equal((await s.log.read()).records.map((r) => r.position), [11]);
  } finally {
    await s.dispose();
  }
});
file.run();
