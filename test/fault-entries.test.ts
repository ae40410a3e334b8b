// The power-fail schedule entry and the random latent-error process in
// scenario files: defaults, every rejection naming file, field and problem,
// and the CLI's exit 2 with one line and nothing else.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { YEAR } from '../sim/engine/time.js';
import { formatConfig } from '../cli/format-run.js';
import { formatProblem, parseScenarioValue } from '../sim/scenario/load.js';
import { parseRatePerYear } from '../sim/scenario/units.js';

const base = { name: 'm', primaries: { count: 2, blocks: 10 }, workload: { duration: '1s' } };
const hdd = { model: 'hdd' };

function parse(json: unknown) {
  const r = parseScenarioValue('s.json', json);
  return r.ok ? { ok: true as const, scenario: r.scenario } : { ok: false as const, problems: r.problems.map(formatProblem) };
}
const problems = (json: unknown) => {
  const r = parse(json);
  assert.not.ok(r.ok, 'expected problems');
  return r.ok ? [] : r.problems;
};
const powerFail = (entry: Record<string, unknown>) => ({ ...base, faults: { schedule: [{ at: '1ms', do: 'power-fail', ...entry }] } });
const latent = (fields: Record<string, unknown>, disk: unknown = hdd) => ({ ...base, disk, faults: { random: { latentErrors: { rate: '1/s', ...fields } } } });

test('power-fail: every array by default, power back after 100ms; the configuration line says so', () => {
  const r = parse(powerFail({}));
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.scenario.faults.schedule, [{ at: 1000, do: 'power-fail', restoreAfter: 100_000 }]);
  assert.match(formatConfig(r.scenario, 7), /^seed 7 · .* · faults recoverable: 1ms power-fail every array restoreAfter 100ms · settle 10s$/);
  const some = parse(powerFail({ arrays: ['p2', 'parity'], restoreAfter: '2s' }));
  assert.ok(some.ok && formatConfig(some.scenario, 1).includes('1ms power-fail p2,parity restoreAfter 2s'));
});

test('power-fail: bad entries are named by file, field and problem', () => {
  assert.equal(problems(powerFail({ arrays: ['p1', 'p9'] })), ['s.json: faults.schedule[0].arrays[1]: no array named "p9" (arrays: p1, p2, parity)']);
  assert.equal(problems(powerFail({ arrays: ['p1', 'p1'] })), ['s.json: faults.schedule[0].arrays[1]: "p1" is listed twice']);
  assert.equal(problems(powerFail({ arrays: [] })), ['s.json: faults.schedule[0].arrays: expected array to have >=1 items, got []']);
  assert.equal(problems(powerFail({ restoreAfter: 'soon' })), ['s.json: faults.schedule[0].restoreAfter: expected a duration like "100ms" (units us, ms, s, m, h, d, y), got "soon"']);
  assert.equal(problems(powerFail({ at: '2s' })), ['s.json: faults.schedule[0].at: 2000000us is after the load phase ends (1000000us): faults happen while the load runs']);
  assert.equal(problems(powerFail({ array: 'p1' })), ['s.json: faults.schedule[0]: unknown field "array" (did you mean "arrays"?; fields here: at, after, do, arrays, restoreAfter)']);
});

test('random latent errors: defaults, rates as field studies state them, the configuration line', () => {
  const r = parse(latent({ rate: '3.45%/32months' }));
  assert.ok(r.ok);
  if (!r.ok) return;
  const l = r.scenario.faults.random.latentErrors!;
  assert.equal({ ...l, rate: undefined }, { rate: undefined, burstSize: 4, burstSpan: 16, burstWithin: 50_000 });
  assert.ok(Math.abs(l.rate - YEAR / (0.0345 / (32 / 12))) < 1, `mean interval ${l.rate}`);
  assert.ok(Math.abs(parseRatePerYear('3.45%/32months')! - 0.0345 * 12 / 32) < 1e-12);
  assert.is(parseRatePerYear('2/hours'), 2 * 365.25 * 24);
  for (const bad of ['1/0months', '1/ss', '1/sec', '1/2']) assert.is(parseRatePerYear(bad), undefined, bad);
  assert.match(formatConfig(r.scenario, 1), /random latent-error bursts 0\.0129\/year per drive of every primary burstSize ~4 burstSpan 16 blocks burstWithin 50ms/);
});

test('random latent errors: HDD arrays only, and bad fields are named', () => {
  assert.equal(problems(latent({}, { model: 'ideal' })), ['s.json: faults.random.latentErrors: latent sector errors need disk.model "hdd"']);
  assert.equal(problems(latent({ rate: 'often' })), ['s.json: faults.random.latentErrors.rate: expected a rate like "0.5/s" (per s, min, hour, day, month or year, or per N of them), got "often"']);
  assert.equal(problems(latent({ burstSize: 0.5 })), ['s.json: faults.random.latentErrors.burstSize: expected number to be >=1, got 0.5']);
  assert.equal(problems(latent({ arrays: ['q'] })), ['s.json: faults.random.latentErrors.arrays[0]: no array named "q" (arrays: p1, p2, parity)']);
  assert.equal(problems(latent({ burst: 3 })), ['s.json: faults.random.latentErrors: unknown field "burst" (fields here: rate, arrays, burstSize, burstSpan, burstWithin)']);
});

test('CLI: a bad power-fail entry exits 2 with one line naming file, field and problem, and prints nothing else', () => {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  for (const command of [['run', 'test/fixtures/bad-power-fail.json', '--seed', '1'], ['validate', 'test/fixtures/bad-power-fail.json']]) {
    const r = spawnSync(process.execPath, [new URL('../bin/xorsim.mjs', import.meta.url).pathname, ...command], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', env });
    assert.is(r.status, 2, command.join(' '));
    assert.is(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^(xorsim: )?test\/fixtures\/bad-power-fail\.json: faults\.schedule\[0\]\.arrays\[1\]: no array named "p3" \(arrays: p1, p2, parity\)$/);
  }
});

test.run();
