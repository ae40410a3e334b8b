// What every DurableLog a controller is given must do (src/ports/durable-log.ts),
// as test bodies any implementation can be run through: the simulated NVRAM
// log and the real journal file run the same ones (durable-log.test.ts).
//
// The primary uses a record's position as its delta's sequence number, so the
// numbering is part of the contract: 1, 2, 3… in call order, never reused.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DurableLog, LogContents } from '../../src/ports/durable-log.js';
import { type Driver, type Each, eachOn, pattern } from './driver.js';

export interface DurableLogSubject {
  /** The log as the controller's current life sees it (after restart, the new one). */
  readonly log: DurableLog;
  readonly driver: Driver;
  /** The controller crashes and starts again: the log is opened anew (the real one: from its file). */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** Makes a fresh, empty log. */
export type DurableLogFactory = () => Promise<DurableLogSubject>;

const bytes = (c: LogContents) => ({ header: [...c.header], trimmedUpTo: c.trimmedUpTo, records: c.records.map((r) => ({ position: r.position, data: [...r.data] })) });

/** Registers the DurableLog conformance tests on `suite`. */
export function durableLogConformance(suite: Test, factory: DurableLogFactory): void {
  const each = eachOn(suite, factory);
  numbering(each);
  persistence(each);
}

function numbering(each: Each<DurableLogSubject>): void {
  each('a new log is empty: no header, nothing trimmed, no records', async (s, d) => {
    assert.equal(bytes(await d.settle(s.log.read())), { header: [], trimmedUpTo: 0, records: [] });
  });

  each('appends are numbered 1, 2, 3… in call order, even when all are in flight at once', async (s, d) => {
    const data = [pattern(1, 10), pattern(2, 0), pattern(3, 300), pattern(4, 1)];
    const positions = await d.settle(Promise.all(data.map((x) => s.log.append(x))));
    assert.equal(positions, [1, 2, 3, 4]);
    const c = await d.settle(s.log.read());
    assert.equal(bytes(c).records, data.map((x, i) => ({ position: i + 1, data: [...x] })));
  });

  each('buffers are never shared: an append copies its input, a read hands out copies', async (s, d) => {
    const data = pattern(5, 32);
    const kept = [...data];
    const appended = s.log.append(data);
    data.fill(0); // the caller reuses its buffer at once
    await d.settle(appended);
    const first = await d.settle(s.log.read());
    assert.equal([...first.records[0]!.data], kept);
    first.records[0]!.data.fill(9);
    const second = await d.settle(s.log.read());
    assert.equal([...second.records[0]!.data], kept);
  });

  each('trim discards every record at or below its position; numbering goes on; a lower trim changes nothing', async (s, d) => {
    for (let i = 1; i <= 5; i++) await d.settle(s.log.append(pattern(i, 8)));
    await d.settle(s.log.trim(3));
    let c = await d.settle(s.log.read());
    assert.is(c.trimmedUpTo, 3);
    assert.equal(c.records.map((r) => r.position), [4, 5]);
    assert.equal([...c.records[0]!.data], [...pattern(4, 8)]);
    await d.settle(s.log.trim(2));
    c = await d.settle(s.log.read());
    assert.is(c.trimmedUpTo, 3);
    assert.equal(c.records.map((r) => r.position), [4, 5]);
    assert.is(await d.settle(s.log.append(pattern(6, 8))), 6);
  });

  each('trimming everything never lets a position be reused', async (s, d) => {
    for (let i = 1; i <= 3; i++) await d.settle(s.log.append(pattern(i, 4)));
    await d.settle(s.log.trim(3));
    assert.equal((await d.settle(s.log.read())).records, []);
    assert.is(await d.settle(s.log.append(pattern(9, 4))), 4);
  });
}

function persistence(each: Each<DurableLogSubject>): void {
  each('the header is replaced whole, outlives trims, and is read as a copy', async (s, d) => {
    await d.settle(s.log.writeHeader(pattern(1, 40)));
    await d.settle(s.log.writeHeader(pattern(2, 12)));
    await d.settle(s.log.append(pattern(3, 4)));
    await d.settle(s.log.trim(1));
    const c = await d.settle(s.log.read());
    assert.equal([...c.header], [...pattern(2, 12)]);
    c.header.fill(0);
    assert.equal([...(await d.settle(s.log.read())).header], [...pattern(2, 12)]);
    await d.settle(s.log.writeHeader(new Uint8Array(0)));
    assert.is((await d.settle(s.log.read())).header.length, 0, 'an empty header is a header too');
  });

  each('a restart finds everything acknowledged: records, trim point, header; numbering continues', async (s, d) => {
    for (let i = 1; i <= 6; i++) await d.settle(s.log.append(pattern(10 + i, 20 * i)));
    await d.settle(s.log.trim(2));
    await d.settle(s.log.writeHeader(pattern(7, 9)));
    const before = bytes(await d.settle(s.log.read()));
    await s.restart();
    assert.equal(bytes(await d.settle(s.log.read())), before);
    assert.is(await d.settle(s.log.append(pattern(1, 1))), 7);
    await d.settle(s.log.trim(7));
    await s.restart();
    const after = await d.settle(s.log.read());
    assert.equal(bytes(after), { header: [...pattern(7, 9)], trimmedUpTo: 7, records: [] });
    assert.is(await d.settle(s.log.append(pattern(2, 1))), 8, 'a position trimmed away before the restart is not reused after it');
  });

  each('records of any size, empty to 256 KiB, come back byte for byte after a restart', async (s, d) => {
    const sizes = [0, 1, 4096, 256 * 1024];
    for (const [i, n] of sizes.entries()) await d.settle(s.log.append(pattern(i + 1, n)));
    await s.restart();
    const c = await d.settle(s.log.read());
    assert.equal(c.records.map((r) => r.data.length), sizes);
    c.records.forEach((r, i) => {
      const expected = pattern(i + 1, sizes[i]!);
      assert.ok(r.data.every((b, j) => b === expected[j]), `record ${i + 1}`);
    });
  });

  each('a read sees every operation called before it; the last of several concurrent headers wins', async (s, d) => {
    const ops = [s.log.append(pattern(1, 5)), s.log.writeHeader(pattern(2, 5)), s.log.append(pattern(3, 5)), s.log.writeHeader(pattern(4, 5)), s.log.trim(1)];
    const read = s.log.read();
    const c = await d.settle(read);
    assert.equal([...c.header], [...pattern(4, 5)]);
    assert.equal(c.records.map((r) => r.position), [2]);
    await d.settle(Promise.all(ops));
  });
}
