// Scenarios `validate` once accepted and `run` then crashed on are refused
// before anything runs (exit 2, the field named), and a mistyped field or
// value is answered with what was meant and what is allowed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { xorsimHere } from './in-process-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xorsim-feasible-'));
const base = { name: 'r', primaries: { count: 2, blocks: 64 }, workload: { duration: '50ms' } };

async function refused(fields: Record<string, unknown>, message: RegExp): Promise<void> {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ ...base, ...fields }));
  for (const args of [['validate', file], ['run', file, '--seed', '1']]) {
    const r = await xorsimHere(...args);
    assert.is(r.code, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
  }
}

const hdd = (drive: Record<string, unknown>) => ({ disk: { model: 'hdd', drive } });

test('drives too small for their share of an array', async () => {
  await refused(hdd({ capacity: '4KB' }), /: disk\.drive\.capacity: 4 KB per drive is too small: p1's 64 blocks of 4 KiB over 4 drives put 16 blocks \(64 KiB\) on each$/);
  // The parity array with fewer drives needs more of each.
  await refused({ disk: { model: 'hdd', drives: 4, parityDrives: 1, drive: { capacity: '100KB' } } }, /disk\.drive\.capacity: 100 KB per drive is too small: parity's 64 blocks of 4 KiB over 1 drives/);
});

test('inner tracks faster than outer ones; a zero seek; an average seek no longer than one track', async () => {
  await refused(hdd({ innerRate: '300MB/s' }), /: disk\.drive\.innerRate: 300 MB\/s is above outerRate 285 MB\/s \(the default\): inner tracks are shorter/);
  await refused(hdd({ avgSeekRead: '0us' }), /: disk\.drive\.avgSeekRead: a seek takes time: expected more than 0us, got 0us$/);
  await refused(hdd({ trackToTrack: '0us' }), /: disk\.drive\.trackToTrack: a seek takes time/);
  await refused(hdd({ avgSeekWrite: '100us' }), /: disk\.drive\.avgSeekWrite: 100us is not above trackToTrack 230us \(the default\)/);
});

test('a link so slow one block takes longer to send than the simulator can count; a load past its clock', async () => {
  await refused({ blockSize: '16TB', network: { model: 'lossy', bandwidth: '1B/s' } }, /: network\.bandwidth: at 1 B\/s one 16 TB block takes [\d.]+y to send, past the simulator's clock \(2\^53 µs, about 285 years\)$/);
  await refused({ blockSize: '16TB', network: { model: 'lossy', links: [{ from: 'p1', to: 'parity', bandwidth: '1B/s' }] } }, /: network\.links\[0\]\.bandwidth: at 1 B\/s/);
  await refused({ workload: { duration: '1000y' } }, /: workload\.duration: longer than the simulator's clock counts \(integer µs up to 2\^53, about 285 years\), got "1000y"$/);
  await refused({ workload: { duration: '200y' }, settle: '100y' }, /: settle: the load \(200y\) and the settle bound \(100y\) together pass the simulator's clock/);
});

test('a slow link the clock can count is not refused: it is a run (here a liveness failure), not bad input', async () => {
  const file = join(dir, 'slow.json');
  writeFileSync(file, JSON.stringify({ ...base, network: { model: 'lossy', bandwidth: '1B/s' } }));
  assert.is((await xorsimHere('validate', file)).code, 0);
});

test('an unknown field: the field meant, here or deeper, and the fields allowed', async () => {
  await refused({ disk: { model: 'hdd', rpm: 7200 } }, /: disk: unknown field "rpm" \(did you mean disk\.drive\.rpm\?; fields here: model, drives, parityDrives, stripeUnit, queue, writeCache, drive\)$/);
  await refused(hdd({ rmp: 7200 }), /: disk\.drive: unknown field "rmp" \(did you mean "rpm"\?; fields here: capacity, rpm, /);
  await refused({ netwrok: {} }, /: unknown field "netwrok" \(did you mean "network"\?; fields here: name, description, /);
});

test('an unknown kind: the kinds there are', async () => {
  await refused({ faults: { schedule: [{ at: '10ms', do: 'fail', array: 'p1' }] } }, /: faults\.schedule\[0\]\.do: unknown value "fail" \(did you mean "fail-array" or "power-fail" or "fail-drive"\?\); expected one of "crash", "restart", "fail-array", .*"flap"$/);
  await refused({ disk: { model: 'ssd' } }, /: disk\.model: unknown value "ssd" \(did you mean "hdd"\?\); expected one of "ideal", "hdd"$/);
  await refused({ protocol: 'hardend' }, /: protocol: unknown value "hardend" \(did you mean "hardened"\?\); expected one of "literal", "hardened"$/);
  await refused({ disk: { model: 'hdd', queue: 'lifo' } }, /: disk\.queue: unknown value "lifo" \(did you mean "fifo"\?\); expected one of "fifo", "sstf", "sptf"$/);
});

test.run();
