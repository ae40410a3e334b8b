// The compiled command line (scripts/build.mjs → dist/) runs without a
// TypeScript compiler: a copy of the project whose node_modules lacks tsx,
// esbuild and typescript runs a command and an exploration on two worker
// threads, and gets the same traceHash as the sources. An edit after the build
// makes bin/xorsim.mjs fall back to the sources (here: fail, for want of tsx).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { xorsimHere } from './in-process-cli.js';

const ROOT = new URL('..', import.meta.url).pathname;
const COMPILERS = new Set(['tsx', 'esbuild', '@esbuild', 'typescript']);

test('the built CLI and its worker threads run with no compiler installed', async () => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  assert.is(built.status, 0, built.stderr);
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-built-'));
  try {
    // Sources come along with their times, so the build still counts as fresh.
    for (const part of ['bin', 'scripts', 'src', 'sim', 'reports', 'lib', 'cli', 'dist', 'test/fixtures', 'package.json']) {
      cpSync(join(ROOT, part), join(dir, part), { recursive: true, preserveTimestamps: true });
    }
    mkdirSync(join(dir, 'node_modules'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (!COMPILERS.has(name) && !name.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
    }
    const xorsim = (...args: string[]) => spawnSync(process.execPath, ['bin/xorsim.mjs', ...args], { cwd: dir, encoding: 'utf8' });
    const run = xorsim('run', 'test/fixtures/tiny.json', '--seed', '3', '--json');
    assert.is(run.status, 0, run.stderr);
    const here = await xorsimHere('run', 'test/fixtures/tiny.json', '--seed', '3', '--json');
    assert.is(JSON.parse(run.stdout).traceHash, JSON.parse(here.stdout).traceHash, 'compiled and source runs agree');
    const explored = xorsim('explore', 'test/fixtures/tiny.json', '--seeds', '2', '--workers', '2', '--recheck', '0');
    assert.is(explored.status, 0, explored.stderr);
    assert.match(explored.stdout, /PASS {2}2 runs, every one passed/);
    // An edit after the build: bin runs the sources, which need tsx (absent here).
    const later = Date.now() / 1000 + 60;
    utimesSync(join(dir, 'sim/engine/engine.ts'), later, later);
    const stale = xorsim('validate', 'test/fixtures/tiny.json');
    assert.is.not(stale.status, 0);
    assert.match(stale.stderr, /tsx/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
