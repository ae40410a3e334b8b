#!/usr/bin/env node
// `npm test`: build, type-check, determinism lint, then every uvu test file, each file
// in its own process (a crash in one cannot hide the others' results), as many
// at once as there are cores — the longest (the gate) first, so the rest run
// beside it; each file's output is printed whole when it ends. Ends with the
// plain line CI reads: "N passed, N failed". A file that dies before uvu
// prints its summary counts as a failure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
// Plain output for the summary parser (and no Node warning about both being set).
const env = { ...process.env, NO_COLOR: '1' };
delete env.FORCE_COLOR;
let passed = 0;
let failed = 0;

function step(name, cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status === 0) passed++;
  else {
    failed++;
    console.log(`✘ ${name} failed (exit ${r.status ?? r.signal})`);
  }
}

if (!only) {
  // The command line's tests run the compiled CLI (bin/xorsim.mjs picks dist/ when it is as new as the sources).
  console.log('— build');
  step('build', process.execPath, ['scripts/build.mjs']);
  console.log('— typecheck');
  step('typecheck', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
  console.log('— determinism lint');
  step('determinism lint', process.execPath, ['--import', 'tsx', 'scripts/lint-determinism.ts']);
}

// test/ and its conformance/ folder (one suite per port, run on the simulated and the real implementation).
const files = ['', 'conformance/']
  .flatMap((dir) => readdirSync(join(root, 'test', dir)).map((f) => dir + f))
  .filter((f) => f.endsWith('.test.ts') && (!only || only.test(f)))
  .sort();
// Longest first (measured: the gate takes about half of the whole; package.test.ts,
// which packs, installs and type-checks: 25 s of CPU, 40-60 s on 2 cores busy with other work;
// chaos-cluster.test.ts, a real cluster under fio: 40-110 s of wall time, mostly waiting).
const FIRST = ['gate.test.ts', 'cli.test.ts', 'chaos-cluster.test.ts', 'scenarios.test.ts', 'package.test.ts'];
files.sort((a, b) => (FIRST.includes(a) ? FIRST.indexOf(a) : FIRST.length) - (FIRST.includes(b) ? FIRST.indexOf(b) : FIRST.length));

// Each file's CPU time (scripts/test-cpu.mjs writes it at exit, children included).
const cpuDir = mkdtempSync(join(tmpdir(), 'xorsim-test-cpu-'));
let cpuFiles = 0;

function runFile(file) {
  const started = Date.now();
  const cpuFile = join(cpuDir, String(cpuFiles++));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './scripts/test-cpu.mjs', 'node_modules/uvu/bin.js', 'test', `^${file.replace(/\./g, '\\.')}$`], { cwd: root, env: { ...env, XORSIM_TEST_CPU: cpuFile } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('close', (status, signal) => {
      let cpu = NaN;
      try {
        cpu = Number(readFileSync(cpuFile, 'utf8'));
      } catch {} // died before its exit handler ran: no figure
      resolve({ stdout, stderr, status: status ?? signal, seconds: (Date.now() - started) / 1000, cpu });
    });
  });
}

const timings = [];

function tally(file, r) {
  timings.push([file, r.seconds, r.cpu]);
  console.log(`— test/${file} (${r.seconds.toFixed(1)} s wall, ${Number.isNaN(r.cpu) ? '?' : r.cpu.toFixed(1)} s CPU)`);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const total = /Total:\s+(\d+)/.exec(r.stdout);
  const ok = /Passed:\s+(\d+)/.exec(r.stdout);
  if (total === null || ok === null) {
    failed++;
    console.log(`✘ test/${file}: no uvu summary (crashed, exit ${r.status})`);
    return;
  }
  const t = Number(total[1]);
  const p = Number(ok[1]);
  passed += p;
  failed += t - p;
  if (r.status !== 0 && t === p) {
    failed++;
    console.log(`✘ test/${file}: exit ${r.status} despite all tests passing`);
  }
}

const queue = [...files];
await Promise.all(
  Array.from({ length: Math.min(availableParallelism(), queue.length) }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) tally(file, await runFile(file));
  }),
);
if (files.length === 0 && only) {
  failed++;
  console.log(`no test file matches ${only}`);
}
// Where the wall time goes (files run side by side, so the times overlap): keeping npm test near its budget starts here.
rmSync(cpuDir, { recursive: true, force: true });
const slowest = timings.sort((a, b) => b[1] - a[1]).slice(0, 5);
if (slowest.length > 1) console.log(`slowest: ${slowest.map(([f, s]) => `${f} ${s.toFixed(0)} s`).join(', ')}`);
const costliest = timings.filter(([, , c]) => !Number.isNaN(c)).sort((a, b) => b[2] - a[2]);
if (costliest.length > 1) {
  const total = costliest.reduce((n, [, , c]) => n + c, 0);
  console.log(`CPU: ${total.toFixed(0)} s in the test files; most: ${costliest.slice(0, 8).map(([f, , c]) => `${f} ${c.toFixed(0)} s`).join(', ')}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
