// The library (lib/index.ts) from the sources: the same runs as the
// simulation's own entry points, and bad input as an InputError naming the
// file, field and problem. test/package.test.ts uses the packed package.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, explore, isClean, loadScenario, run, shippedScenario, shippedScenarioNames, shrink } from '../lib/index.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioText } from '../sim/scenario/load.js';

const TINY = new URL('fixtures/tiny.json', import.meta.url).pathname;
const tinyJson = JSON.parse(readFileSync(TINY, 'utf8')) as Record<string, unknown>;

/** The InputError `f` throws (it must throw one). */
async function inputError(f: () => unknown): Promise<InputError> {
  try {
    await f();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new assert.Assertion({ message: 'expected an InputError, nothing was thrown', operator: 'throws', generated: false, actual: undefined, expects: InputError });
}

test('a run gives what the simulation runner gives for the same seed', async () => {
  const parsed = parseScenarioText(TINY, readFileSync(TINY, 'utf8'));
  if (!parsed.ok) throw new Error('tiny.json does not validate');
  const direct = await runScenario(parsed.scenario, { seed: 2, file: TINY });
  const viaLibrary = await run(loadScenario(TINY), { seed: 2 });
  assert.is(viaLibrary.traceHash, direct.traceHash);
  assert.is(viaLibrary.events, direct.events);
  assert.is(viaLibrary.replay, direct.replay);
  assert.is(viaLibrary.swarm, null);
  // A path or a JSON value is loaded on the way; the replay names the file given.
  assert.is((await run(TINY, { seed: 2 })).traceHash, direct.traceHash);
  const inline = await run(tinyJson, { seed: 2 });
  assert.is(inline.traceHash, direct.traceHash);
  assert.match(inline.replay, /replay inline\.json --seed 2/);
});

test('loadScenario keeps what it validated, and names inline scenarios', () => {
  const mine = structuredClone(tinyJson);
  const s = loadScenario(mine, { file: 'mine.json' });
  (mine['workload'] as Record<string, unknown>)['iodepth'] = 99;
  assert.is(s.file, 'mine.json');
  assert.is(s.name, 'tiny');
  assert.is(s.protocol, 'hardened');
  assert.is(s.resolved.workload.iodepth, 2);
  assert.is((s.json['workload'] as Record<string, unknown>)['iodepth'], 2);
  assert.ok(Object.isFrozen(s));
  assert.equal(loadScenario(TINY).resolved, s.resolved);
  assert.is(loadScenario(s), s);
});

test('options: protocol, quick, swarm and onTrace as the command line takes them', async () => {
  const quickstart = loadScenario(shippedScenario('quickstart'));
  const lines: string[] = [];
  const r = await run(quickstart, { seed: 3, protocol: 'literal', quick: true, swarm: true, onTrace: (line) => lines.push(line) });
  assert.is(r.protocol, 'literal');
  assert.ok(r.swarm !== null && Object.keys(r.swarm.knobs).length > 0);
  assert.match(r.replay, /--seed 3 --protocol literal --swarm --quick$/);
  assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('{')));
});

test('shipped scenarios by name', async () => {
  assert.ok(shippedScenarioNames().includes('quickstart'));
  assert.is(shippedScenario('quickstart.json'), shippedScenario('quickstart'));
  const e = await inputError(() => shippedScenario('quikstart'));
  assert.is(e.field, 'name');
  assert.match(e.problem, /did you mean "quickstart"\?/);
});

test('a bad scenario: the file, the field and the problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-library-'));
  try {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "name": "x",\n}');
    let e = await inputError(() => loadScenario(broken));
    assert.equal([e.file, e.field], [broken, '']);
    assert.match(e.problem, /not valid JSON: .* at line 3, column 1/);
    e = await inputError(() => loadScenario(join(dir, 'absent.json')));
    assert.is(e.problem, 'no such file');
    e = await inputError(() => loadScenario(dir));
    assert.match(e.problem, /is a directory/);
    e = await inputError(() => run({ ...tinyJson, workload: { duration: '50ms', iodepth: 0 } }, { seed: 1 }));
    assert.equal([e.file, e.field], ['inline.json', 'workload.iodepth']);
    assert.is(e.message, `inline.json: workload.iodepth: ${e.problem}`);
    e = await inputError(() => loadScenario({ name: 'x' }, { file: 'x.json' }));
    assert.ok(e.problems.length > 1);
    assert.match(e.message, /\(and \d+ more problems?\)$/);
    e = await inputError(() => loadScenario([] as never));
    assert.match(e.problem, /got an array/);
    e = await inputError(() => loadScenario({ ...tinyJson, onLoad: () => 1 }));
    assert.match(e.problem, /not a JSON value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad option: the option and the problem', async () => {
  const tiny = loadScenario(TINY);
  const cases: [() => unknown, string, RegExp][] = [
    [() => run(tiny, { seed: -1 }), 'seed', /integer ≥ 0, got -1/],
    [() => run(tiny, { seed: 1.5 }), 'seed', /got 1\.5/],
    [() => run(tiny, undefined as never), 'seed', /got undefined/],
    [() => run(tiny, { seed: 1, protocol: 'hardend' as never }), 'protocol', /did you mean "hardened"\?/],
    [() => run(tiny, { seed: 1, quick: 'yes' as never }), 'quick', /true or false/],
    [() => run(tiny, { seed: 1, onTrace: 'trace.jsonl' as never }), 'onTrace', /a function/],
    [() => explore(tiny, { seeds: 0 }), 'seeds', /integer ≥ 1/],
    [() => explore([], {}), 'scenarios', /at least one/],
    [() => explore(tiny, { shard: { index: 4, count: 4 } }), 'shard.index', /out of range for 4 shards/],
    [() => explore(tiny, { recheck: 5 }), 'recheck', /fraction from 0 to 1/],
    [() => explore(tiny, { timeBudgetMs: 0 }), 'timeBudgetMs', /positive/],
    [() => shrink(tiny, { seed: 1, tries: 0 }), 'tries', /integer ≥ 1/],
  ];
  for (const [f, field, problem] of cases) {
    const e = await inputError(f);
    assert.is(e.file, null);
    assert.is(e.field, field);
    assert.match(e.problem, problem);
  }
});

test('explore and shrink', async () => {
  const result = await explore([TINY, loadScenario(tinyJson, { file: 'again.json' })], { seeds: 2, from: 5, workers: 1, recheck: 0 });
  assert.ok(isClean(result));
  assert.equal(result.scenarios.map((s) => [s.file, s.runs.map((r) => r.seed)]), [[TINY, [5, 6]], ['again.json', [5, 6]]]);
  assert.is(result.scenarios[0]!.runs[1]!.traceHash, (await run(TINY, { seed: 6 })).traceHash);
  // A passing seed: nothing to shrink.
  const shrunk = await shrink(TINY, { seed: 1 });
  assert.is(shrunk.failing, false);
  assert.is(shrunk.original.verdict, 'pass');
});

test.run();
