import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MS, SECOND, YEAR } from '../sim/engine/time.js';
import { readFileSync, readdirSync } from 'node:fs';
import { scenarioJsonSchema } from '../sim/scenario/json-schema.js';
import { formatProblem, parseScenarioText, parseScenarioValue } from '../sim/scenario/load.js';
import { parseBytes, parseDuration, parseFraction, parseRatePerYear } from '../sim/scenario/units.js';

test('units: durations to integer µs', () => {
  assert.is(parseDuration('250us'), 250);
  assert.is(parseDuration('2.5ms'), 2.5 * MS);
  assert.is(parseDuration('5s'), 5 * SECOND);
  assert.is(parseDuration('2y'), 2 * YEAR);
  for (const bad of ['5', 'fast', '5 parsecs', '-1s', '']) assert.is(parseDuration(bad), undefined, bad);
});

test('units: sizes, rates and fractions', () => {
  assert.is(parseBytes('64KiB'), 65536);
  assert.is(parseBytes('16TB'), 16e12);
  assert.is(parseBytes(4096), 4096);
  assert.is(parseBytes('4 MB'), 4e6);
  assert.is(parseBytes('12 furlongs'), undefined);
  assert.is(parseRatePerYear('1.5%/year'), 0.015);
  assert.ok(Math.abs(parseRatePerYear('1/day')! - 365.25) < 1e-9);
  assert.is(parseFraction('5%'), 0.05);
  assert.is(parseFraction('150%'), undefined);
});

test('a minimal scenario resolves with every default filled in', () => {
  const r = parseScenarioValue('m.json', { name: 'm', primaries: { count: 2, blocks: 10 }, workload: { duration: '1s' } });
  assert.ok(r.ok);
  if (!r.ok) return;
  const s = r.scenario;
  assert.equal(s.primaries, [
    { name: 'p1', blocks: 10, member: true },
    { name: 'p2', blocks: 10, member: true },
  ]);
  assert.equal(s.parity, { name: 'parity', blocks: 10, member: true });
  assert.is(s.protocol, 'hardened');
  assert.is(s.workload.duration, SECOND);
  assert.is(s.workload.iodepth, 4);
  assert.is(s.disk.model === "ideal" && s.disk.latency, 200);
  assert.is(s.settle, 10 * SECOND);
});

test('arrays of different sizes: parity covers the largest', () => {
  const r = parseScenarioValue('m.json', { name: 'm', primaries: [{ blocks: 10 }, { name: 'big', blocks: 30 }], workload: { duration: '1s' } });
  assert.ok(r.ok && r.scenario.parity.blocks === 30 && r.scenario.primaries[1]!.name === 'big');
});

const problems = (json: unknown) => {
  const r = parseScenarioValue('s.json', json);
  assert.not.ok(r.ok, 'expected problems');
  return r.ok ? [] : r.problems.map(formatProblem);
};
const base = { name: 'm', primaries: { count: 2, blocks: 10 }, workload: { duration: '1s' } };

test('every problem names the file, the field path and what is wrong', () => {
  assert.equal(problems({ ...base, workload: { duration: 'soon' } }), [
    's.json: workload.duration: expected a duration like "5s" (units us, ms, s, m, h, d, y), got "soon"',
  ]);
  assert.equal(problems({ ...base, workload: { duration: '1s', iodepht: 2 } }), ['s.json: workload: unknown field "iodepht" (did you mean "iodepth"?; fields here: duration, iodepth, thinkTime, readFraction, rate, hotSet, bursts)']);
  assert.equal(problems({ ...base, parity: { blocks: 5 } }), [
    's.json: parity.blocks: parity array has 5 blocks but the largest primary has 10: parity must cover every block number',
  ]);
  assert.equal(problems({ ...base, primaries: [{ name: 'a', blocks: 1 }, { name: 'a', blocks: 1 }] }), [
    's.json: primaries[1].name: array name "a" is already used by primaries[0].name',
  ]);
  assert.equal(problems({ ...base, workload: { duration: '1s', readFraction: 1.5 } }), ['s.json: workload.readFraction: expected number to be <=1, got 1.5']);
  assert.equal(problems({ primaries: { count: 2, blocks: 10 }, workload: { duration: '1s' } }), ['s.json: name: missing (expected string)']);
  assert.equal(problems({ ...base, payloadBytes: 8192, blockSize: '4KiB' }), ['s.json: payloadBytes: 8192 bytes stored per block exceeds blockSize (4096)']);
});

test('malformed JSON is reported with line and column', () => {
  const r = parseScenarioText('bad.json', '{\n  "name": "x",\n  oops\n}');
  assert.not.ok(r.ok);
  if (!r.ok) assert.match(formatProblem(r.problems[0]!), /^bad\.json: not valid JSON: .* at line 3, column 3$/);
});
test('scenarios/scenario.schema.json is current (regenerate with `npm run schema`)', () => {
  const committed = readFileSync(new URL('../scenarios/scenario.schema.json', import.meta.url), 'utf8');
  assert.is(committed, scenarioJsonSchema());
});

test('every shipped scenario validates and points editors at the schema', () => {
  const dir = new URL('../scenarios/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'scenario.schema.json');
  assert.ok(files.length >= 1);
  for (const f of files) {
    const text = readFileSync(new URL(f, dir), 'utf8');
    const r = parseScenarioText(f, text);
    assert.ok(r.ok, `${f}: ${r.ok ? '' : r.problems.map(formatProblem).join('; ')}`);
    assert.is(JSON.parse(text).$schema, './scenario.schema.json', f);
  }
});
test.run();
