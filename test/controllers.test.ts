// Bring your own controllers: a user's module (examples/claims-controllers.ts,
// written from the claims alone) runs under run, replay, explore (on worker
// threads) and shrink with --controllers; a bad module is one line and exit 2;
// a broken controller is caught by the checker from the media alone; and the
// world's view that stands in for the hints a user's module need not give
// (a restore under way, a member joining) keeps a correct controller passing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, loadScenario, run } from '../lib/index.js';
import type { Exploration } from '../sim/explore/result.js';
import { xorsimHere } from './in-process-cli.js';

const EXAMPLE = 'examples/claims-controllers.ts';
const TINY = 'test/fixtures/tiny.json';
const FIXTURES = 'test/fixtures/controllers';

/** One summary object, and the lines a user sees on stderr. */
async function runJson(...args: string[]) {
  const r = await xorsimHere('run', ...args, '--json');
  assert.is(r.code === 2, false, r.stderr);
  return JSON.parse(r.stdout) as { verdict: string; traceHash: string; replay: string; violations: { kind: string; message: string }[] };
}

test('the example passes quickstart seed 1; a replay command names the module and reproduces the run', async () => {
  const quickstart = await runJson('scenarios/quickstart.json', '--seed', '1', '--quick', '--controllers', EXAMPLE);
  assert.is(quickstart.verdict, 'pass', quickstart.violations[0]?.message);
  assert.is(quickstart.replay, `npx xorsim replay scenarios/quickstart.json --seed 1 --protocol hardened --quick --controllers ${EXAMPLE}`);
  const tiny = await runJson(TINY, '--seed', '2', '--controllers', EXAMPLE);
  const replayed = await xorsimHere(...tiny.replay.split(' ').slice(2), '--json');
  assert.is(replayed.code, 0, replayed.stderr);
  assert.is((JSON.parse(replayed.stdout) as { traceHash: string }).traceHash, tiny.traceHash);
  // The user's controllers ran, not the built-in ones (their run of the same seed differs).
  assert.is.not((await run(TINY, { seed: 2 })).traceHash, tiny.traceHash);
});

test('explore --controllers: two worker threads import the module, and each seed is the run of `run`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-controllers-'));
  try {
    const out = join(dir, 'r.json');
    const r = await xorsimHere('explore', TINY, '--seeds', '2', '--workers', '2', '--recheck', '0', '--controllers', EXAMPLE, '--out', out);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, `controllers ${EXAMPLE}`);
    const e = JSON.parse(readFileSync(out, 'utf8')) as Exploration;
    assert.is(e.settings.controllers, EXAMPLE);
    for (const seed of e.scenarios[0]!.runs) {
      assert.ok(seed.replay.endsWith(`--controllers ${EXAMPLE}`), seed.replay);
      assert.is(seed.traceHash, (await run(TINY, { seed: seed.seed, controllers: EXAMPLE })).traceHash);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('shrink --controllers: the example loses a delta on a lossy network; the shrunk scenario still fails with the module', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-controllers-'));
  try {
    const out = join(dir, 'small.json');
    const r = await xorsimHere('shrink', 'test/fixtures/lossy-small.json', '--seed', '1', '--controllers', EXAMPLE, '--out', out);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, `--controllers ${EXAMPLE}`);
    const seed = Number(/fails with seed (\d+)/.exec(r.stdout)![1]);
    const again = await run(loadScenario(out), { seed, controllers: EXAMPLE });
    assert.is(again.verdict, 'correctness');
    assert.is((await run(loadScenario(out), { seed })).verdict, 'pass', 'the built-in controllers survive the same world');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const [module, problem] of [
  [`${FIXTURES}/missing.mjs`, 'no such file'],
  [`${FIXTURES}/no-factories.mjs`, 'exports no controller factories: expected `export function primary(ports, config)`'],
  [`${FIXTURES}/throws.mjs`, 'could not be loaded: not today'],
] as const) {
  test(`a bad module (${problem.split(':')[0]}): one line naming it, exit 2, before anything runs`, async () => {
    for (const command of [['run', TINY, '--seed', '1'], ['explore', TINY, '--seeds', '1', '--workers', '2'], ['shrink', TINY, '--seed', '1', '--out', '/nonexistent/x.json']]) {
      const r = await xorsimHere(...command, '--controllers', module);
      assert.is(r.code, 2, command[0]);
      assert.is(r.stdout, '', command[0]);
      assert.is(r.stderr, `xorsim: --controllers ${module}: ${problem}${r.stderr.slice(`xorsim: --controllers ${module}: ${problem}`.length)}`);
      assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    try {
      await run(TINY, { seed: 1, controllers: module });
      assert.unreachable('a bad module is an InputError');
    } catch (error) {
      assert.instance(error, InputError);
      assert.is((error as InputError).field, 'controllers');
      assert.ok((error as InputError).problem.startsWith(`${module}: ${problem}`), (error as InputError).problem);
    }
  });
}

test('a broken controller is caught from the media: deltas never reach parity', async () => {
  const r = await runJson(TINY, '--seed', '1', '--controllers', `${FIXTURES}/no-delta.ts`);
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]!.kind, 'parity');
  assert.match(r.violations[0]!.message, /but the XOR of p1, p2 is/);
});

test('a factory that returns no primary is a crash naming what is missing, not an exception', async () => {
  const r = await runJson(TINY, '--seed', '1', '--controllers', `${FIXTURES}/incomplete.mjs`);
  assert.is(r.verdict, 'crash');
  assert.match(r.violations[0]!.message, 'p1: primary(ports, config): TypeError: primary(ports, config) returned an object without hostWrite(), hostRead(), restore(), join(), leave()');
});

// The world's view in place of hints the example does not give. Each world below makes a
// correct controller fail if it is missing (checked when it was written): the restoring
// array's media is not its data until its restore is reported done, and a joining array's
// blocks are in Q or not until parity reports the join done.
const small = (name: string, faults: object[], primaries: object = { count: 3, blocks: 128 }) =>
  loadScenario({ name, primaries, prefill: 0.5, workload: { duration: '200ms', iodepth: 4, thinkTime: '400us' }, faults: { schedule: faults } }, { file: `${name}.json` });

test('without hints: a restore under load and a join under load pass the example', async () => {
  const restore = await run(small('restore-small', [{ at: '50ms', do: 'fail-array', array: 'p2', replaceAfter: '10ms' }]), { seed: 1, controllers: EXAMPLE });
  assert.is(restore.verdict, 'pass', restore.violations[0]?.message);
  const joining = [{ name: 'p1', blocks: 128 }, { name: 'p2', blocks: 128 }, { name: 'p3', blocks: 96, member: false }];
  const join = await run(small('join-small', [{ at: '50ms', do: 'join', array: 'p3' }], joining), { seed: 1, controllers: EXAMPLE });
  assert.is(join.verdict, 'pass', join.violations[0]?.message);
  assert.ok(join.checks.parity > 1000);
});

test('the example refuses a leave, as the claims have none: a crash that says so', async () => {
  const leave = await run(small('leave-small', [{ at: '50ms', do: 'leave', array: 'p3' }]), { seed: 1, controllers: EXAMPLE });
  assert.is(leave.verdict, 'crash');
  assert.match(leave.violations[0]!.message, 'p3: leave(): Error: claims-controllers: leave is not in the claims');
});

test.run();
