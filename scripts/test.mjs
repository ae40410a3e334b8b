#!/usr/bin/env node
// `npm test`: type-check, determinism lint, then every uvu test file, each file
// in its own process (a crash in one cannot hide the others' results). Ends
// with the plain line CI reads: "N passed, N failed". A file that dies before
// uvu prints its summary counts as a failure.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
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
  console.log('— typecheck');
  step('typecheck', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
  console.log('— determinism lint');
  step('determinism lint', process.execPath, ['--import', 'tsx', 'scripts/lint-determinism.ts']);
}

const files = readdirSync(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts') && (!only || only.test(f)))
  .sort();
for (const file of files) {
  console.log(`— test/${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', `^${file.replace(/\./g, '\\.')}$`], {
    cwd: root,
    encoding: 'utf8',
    env,
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  const total = /Total:\s+(\d+)/.exec(r.stdout);
  const ok = /Passed:\s+(\d+)/.exec(r.stdout);
  if (total === null || ok === null) {
    failed++;
    console.log(`✘ test/${file}: no uvu summary (crashed, exit ${r.status ?? r.signal})`);
    continue;
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
if (files.length === 0 && only) {
  failed++;
  console.log(`no test file matches ${only}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
