// shrink: a failing run becomes a much smaller ordinary scenario file that
// still fails on its own, the same way.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioText, parseScenarioValue } from '../sim/scenario/load.js';
import { parseDuration } from '../sim/scenario/units.js';
import { type Json, candidates, human } from '../sim/shrink/candidates.js';
import { runOnce } from '../sim/shrink/attempt.js';
import { shrink } from '../sim/shrink/shrink.js';
import { xorsimHere } from './in-process-cli.js';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = new URL('../bin/xorsim.mjs', import.meta.url).pathname;
const ENV = { ...process.env };
delete ENV.FORCE_COLOR;
const xorsim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: ENV });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Json;

test('quickstart seed 1 under literal shrinks to at most a quarter of its host ops, and the file fails on its own', async () => {
  const file = 'scenarios/quickstart.json';
  const loaded = parseScenarioText(file, readFileSync(join(ROOT, file), 'utf8'));
  if (!loaded.ok) throw new Error('quickstart does not validate');
  const original = await runScenario({ ...loaded.scenario, protocol: 'literal' }, { seed: 1, file });
  assert.is(original.verdict, 'correctness');
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-shrink-'));
  const out = join(dir, 'small.json');
  const r = await xorsimHere('shrink', file, '--seed', '1', '--protocol', 'literal', '--out', out);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /host ops +1,189 +\d+ \([\d.]+% of the original\)/);
  // An ordinary scenario file: it validates, and names its protocol and failing seed.
  const text = readFileSync(out, 'utf8');
  const shrunk = parseScenarioText(out, text);
  assert.ok(shrunk.ok);
  const json = JSON.parse(text) as Json;
  assert.is(json['protocol'], 'literal');
  const seed = Number(/Fails with seed (\d+)/.exec(String(json['description']))![1]);
  assert.match(r.stdout, new RegExp(`run it: npx xorsim run ${out.replace(/[.]/g, '\\.')} --seed ${seed}\\n`));
  // Run alone, by the plain run command: it fails the same way, with far fewer host ops.
  const run = xorsim('run', out, '--seed', String(seed), '--json');
  assert.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.is(report.verdict, original.verdict);
  assert.is(report.violations[0].kind, original.violations[0]!.kind);
  const ops = report.hostOps.writes + report.hostOps.reads;
  const before = original.hostOps.writes + original.hostOps.reads;
  assert.ok(ops * 4 <= before, `${ops} host ops against ${before}`);
  assert.ok(shrunk.ok && shrunk.scenario.primaries.length < loaded.scenario.primaries.length);
});

test('the shrunk scenario is the same failure, reproducible: its seed gives the recorded run again', async () => {
  const file = 'test/fixtures/hot-literal.json';
  const result = await shrink(readJson(file), { file, seed: 1, protocol: 'literal', tries: 4 });
  assert.ok(result.failing);
  if (!result.failing) return;
  assert.is(result.outcome.verdict, result.original.verdict);
  assert.is(result.outcome.kind, result.original.kind);
  assert.ok(result.outcome.hostOps <= result.original.hostOps);
  assert.ok(result.steps.length > 0);
  assert.ok(parseScenarioValue('x', result.scenario).ok);
  const again = await runOnce('x', result.scenario, result.outcome.seed);
  assert.is(again.traceHash, result.outcome.traceHash);
  assert.match(String(result.scenario['description']), new RegExp(`^Shrunk by xorsim shrink from ${file} \\(seed 1, protocol literal\\)\\. Fails with seed ${result.outcome.seed}: correctness \\(parity violation\\)\\. Cuts: `));
});

test('candidates are written in human units and cut one thing each', () => {
  const dir = join(ROOT, 'scenarios');
  let valid = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') && !x.includes('schema'))) {
    const s = readJson(`scenarios/${f}`);
    for (const c of candidates(s, 500_000)) {
      assert.is.not(JSON.stringify(c.scenario), JSON.stringify(s), c.what);
      const w = c.scenario['workload'] as Json;
      assert.ok(parseDuration(String(w['duration'])) !== undefined, `${f}: ${c.what}`);
      if (parseScenarioValue(f, c.scenario).ok) valid++;
    }
  }
  assert.ok(valid > 60, `${valid} valid candidates`);
});

test('durations are written exactly, in the unit a person would use', () => {
  assert.equal([3_000_000, 1_500_000, 187_500, 70_312, 750, 1_234_567].map(human), ['3s', '1.5s', '187.5ms', '70.312ms', '750us', '1234.567ms']);
  fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (us) => parseDuration(human(us)) === us));
});

test('a seed that passes: one line saying so, exit 2, nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-shrink-'));
  const r = await xorsimHere('shrink', 'test/fixtures/tiny.json', '--seed', '1', '--out', join(dir, 'x.json'));
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split('\n'), ['xorsim: test/fixtures/tiny.json: seed 1 passes under hardened: nothing to shrink']);
  assert.equal(readdirSync(dir), []);
});
test.run();
