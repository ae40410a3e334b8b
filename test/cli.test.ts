// End to end through the real command, in separate processes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const BIN = new URL('../bin/xorsim.mjs', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;

// uvu sets FORCE_COLOR for itself; with NO_COLOR also set, Node would warn on stderr.
const ENV = { ...process.env };
delete ENV.FORCE_COLOR;

function xorsim(...args: string[]) {
  return xorsimIn(ENV, ...args);
}

function xorsimIn(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('run --json: one JSON object, no violations, exit 0', () => {
  const r = xorsim('run', 'scenarios/quickstart.json', '--seed', '1', '--json');
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 1);
  const s = JSON.parse(lines[0]!);
  assert.equal(s.violations, []);
  assert.is(s.verdict, 'pass');
  for (const key of ['scenario', 'seed', 'protocol', 'traceHash', 'events', 'simTimeUs', 'wallMs', 'hostOps', 'checks', 'violations', 'replay']) assert.ok(key in s, key);
  for (const key of ['writes', 'reads', 'acked', 'failed']) assert.type(s.hostOps[key], 'number');
  for (const key of ['parity', 'reads', 'sweeps']) assert.type(s.checks[key], 'number');
  assert.ok(s.hostOps.writes > 1000 && s.checks.parity > s.hostOps.writes);
  assert.is(s.replay, 'npx xorsim replay scenarios/quickstart.json --seed 1 --protocol hardened');
});

test('same seed in two separate processes → same traceHash; another seed → another', () => {
  const hash = (seed: string) => JSON.parse(xorsim('run', 'scenarios/quickstart.json', '--seed', seed, '--quick', '--json').stdout).traceHash as string;
  const a = hash('7');
  const b = hash('7');
  const c = hash('8');
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.is(a, b);
  assert.is.not(a, c);
});

test('a violation exits 1 and prints what broke, where, recent events and the replay command', () => {
  const r = xorsim('run', 'scenarios/quickstart.json', '--seed', '1', '--protocol', 'literal');
  assert.is(r.code, 1);
  assert.match(r.stdout, /FAIL {2}quickstart seed 1: correctness violation/);
  assert.match(r.stdout, /parity violation at [\d.]+m?s \(parity block \d+\)/);
  assert.match(r.stdout, /last events touching block \d+:/);
  assert.match(r.stdout, /replay: npx xorsim replay scenarios\/quickstart.json --seed 1 --protocol literal/);
});

test('--trace writes the run as JSON lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-'));
  const file = join(dir, 't.jsonl');
  const r = xorsim('run', 'test/fixtures/tiny.json', '--seed', '3', '--trace', file);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.ok(lines.length > 100);
  const first = JSON.parse(lines[0]!);
  assert.type(first.t, 'number');
  assert.type(first.kind, 'string');
  assert.type(first.actor, 'string');
});

const badInputs: [string, string[], RegExp][] = [
  ['missing file', ['run', 'scenarios/nope.json', '--seed', '1'], /^xorsim: scenarios\/nope\.json: no such file$/],
  ['malformed JSON', ['run', 'test/fixtures/malformed-json.json', '--seed', '1'], /^xorsim: test\/fixtures\/malformed-json\.json: not valid JSON: .* at line 1, column \d+$/],
  ['bad field', ['run', 'test/fixtures/bad-duration.json', '--seed', '1'], /^xorsim: test\/fixtures\/bad-duration\.json: workload\.duration: expected a duration/],
  ['unknown field', ['run', 'test/fixtures/unknown-field.json', '--seed', '1'], /^xorsim: test\/fixtures\/unknown-field\.json: workload: unknown field "iodepht" \(did you mean "iodepth"\?; fields here: duration, iodepth, thinkTime, readFraction, rate, hotSet, bursts\)$/],
  ['impossible topology', ['run', 'test/fixtures/small-parity.json', '--seed', '1'], /^xorsim: test\/fixtures\/small-parity\.json: parity\.blocks: parity array has 50 blocks/],
  ['duplicate names', ['run', 'test/fixtures/duplicate-name.json', '--seed', '1'], /primaries\[1\]\.name: array name "a" is already used/],
  ['non-integer seed', ['run', 'scenarios/quickstart.json', '--seed', '1.5'], /^xorsim: --seed: expected a non-negative integer, got "1\.5"$/],
  ['negative seed', ['run', 'scenarios/quickstart.json', '--seed', '-3'], /^xorsim: --seed: expected a non-negative integer/],
  ['missing seed', ['run', 'scenarios/quickstart.json'], /^xorsim: missing --seed$/],
  ['unknown flag', ['run', 'scenarios/quickstart.json', '--seed', '1', '--sead', '2'], /^xorsim: unknown flag --sead \(did you mean --seed\?\)$/],
  ['mistyped required flag', ['run', 'scenarios/quickstart.json', '--sed', '1'], /^xorsim: unknown flag --sed \(did you mean --seed\?\)$/],
  ['mistyped flag of another command', ['explore', 'scenarios/', '--worker', '2'], /^xorsim: unknown flag --worker \(did you mean --workers\?\)$/],
  ['mistyped command', ['explor', 'scenarios/'], /^xorsim: unknown command or argument "explor" \(did you mean explore\? commands: run, replay/],
  ['flag given twice', ['run', 'scenarios/quickstart.json', '--seed', '1', '--seed=2'], /^xorsim: --seed: given 2 times; give it once$/],
  ['not a number', ['explore', 'scenarios/', '--seeds', 'many'], /^xorsim: --seeds: expected a positive integer, got "many"$/],
  ['unknown command', ['frobnicate'], /^xorsim: unknown command or argument "frobnicate"/],
  ['bad protocol', ['run', 'scenarios/quickstart.json', '--seed', '1', '--protocol', 'magic'], /^xorsim: --protocol: expected one of "literal", "hardened", got "magic"$/],
  ['directory', ['run', 'scenarios', '--seed', '1'], /^xorsim: scenarios: is a directory/],
];
for (const [what, args, message] of badInputs) {
  test(`bad input (${what}): one line naming the problem, exit 2, no stack trace`, () => {
    const r = xorsim(...args);
    assert.is(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
    assert.not.match(r.stderr, /\n\s+at /);
    assert.is(r.stdout, '');
  });
}

test('--dump-images: every array as a raw image plus a manifest; parity is the XOR of the images', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'xorsim-')), 'images');
  const r = xorsim('run', 'test/fixtures/tiny.json', '--seed', '2', '--dump-images', dir);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.is(manifest.blockSize, 4096);
  assert.equal(
    manifest.arrays.map((a: { name: string; role: string; blocks: number; state: string }) => [a.name, a.role, a.blocks, a.state]),
    [
      ['p1', 'primary', 64, 'member'],
      ['p2', 'primary', 64, 'member'],
      ['parity', 'parity', 64, 'member'],
    ],
  );
  const [p1, p2, q] = ['p1', 'p2', 'parity'].map((n) => readFileSync(join(dir, `${n}.img`)));
  assert.is(q!.length, 64 * manifest.payloadBytes);
  for (let i = 0; i < q!.length; i++) assert.is(q![i], p1![i]! ^ p2![i]!, `byte ${i}`);
  assert.ok(p1!.some((b) => b !== 0), 'images hold data');
});

test('a failed --trace leaves nothing half-written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-'));
  const r = xorsim('run', 'test/fixtures/bad-duration.json', '--seed', '1', '--trace', join(dir, 't.jsonl'));
  assert.is(r.code, 2);
  assert.equal(readdirSync(dir), []);
});

test('validate: ok for every shipped scenario, every problem listed for a bad one', () => {
  const ok = xorsim('validate', ...readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.json') && !f.includes('schema')).map((f) => `scenarios/${f}`));
  assert.is(ok.code, 0, ok.stderr);
  const bad = xorsim('validate', 'test/fixtures/two-problems.json');
  assert.is(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n'), [
    'test/fixtures/two-problems.json: primaries.blocks: expected number to be >=1, got -4',
    'test/fixtures/two-problems.json: workload.iodepth: expected number to be >=1, got 0',
  ]);
});
test('yargs speaks English whatever the locale, so its messages still become one line', () => {
  for (const locale of ['de_DE.UTF-8', 'fr_FR.UTF-8', 'ja_JP.UTF-8']) {
    const env = { ...ENV, LANG: locale, LC_ALL: locale };
    assert.match(xorsimIn(env, 'run', 'scenarios/quickstart.json').stderr, /^xorsim: missing --seed\n$/, locale);
    assert.match(xorsimIn(env, 'run').stderr, /^xorsim: missing the scenario file argument/, locale);
    const help = xorsimIn(env, 'run', '--help');
    assert.match(help.stdout, /Show help/, locale);
  }
});

test('bare xorsim prints the command list (exit 2: no command given)', () => {
  const r = xorsim();
  assert.is(r.code, 2);
  for (const command of ['run', 'replay', 'explore', 'merge', 'shrink', 'selftest', 'validate', 'bench', 'report']) assert.match(r.stdout, new RegExp(`xorsim ${command}\\b`), command);
  assert.match(r.stdout, /Exit codes: 0 clean/);
});

test('--help of every command: its flags typed, examples and the exit codes', () => {
  for (const command of ['run', 'replay', 'explore', 'merge', 'shrink', 'selftest', 'validate', 'bench', 'report']) {
    const r = xorsim(command, '--help');
    assert.is(r.code, 0, command);
    assert.match(r.stdout, /Examples:\n {2}xorsim /, command);
    assert.match(r.stdout, /Exit codes: 0 clean; 1 an invariant was violated.*2 bad input/s, command);
  }
  assert.match(xorsim('explore', '--help').stdout, /--seeds +how many seeds \(before sharding\) +\[number\] \[default: 20\]/);
});

test('bench finds its shipped scenario from any working directory', () => {
  // A fresh directory: never an ancestor of the repo (CI may clone it under the temp directory).
  const elsewhere = mkdtempSync(join(tmpdir(), 'xorsim-cwd-'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./cli/io.ts').then((m) => { process.chdir(process.argv[1]); console.log(m.shippedFile('scenarios/quickstart.json')); })", elsewhere], { cwd: ROOT, encoding: 'utf8', env: ENV });
  const file = r.stdout.trim();
  assert.ok(file.startsWith('/') && file.endsWith('/scenarios/quickstart.json'), `${file} ${r.stderr}`);
  assert.ok(readFileSync(file, 'utf8').includes('"quickstart"'));
});
test.run();
