// xorsim as a library, as its users get it: `npm pack` (which runs the
// `prepare` build, declarations included), the tarball installed into an
// empty folder, then used from plain JavaScript (test/fixtures/consumer/use.mjs)
// and type-checked from TypeScript (use.ts) with moduleResolution node16 and
// bundler. The installed package must give the verdicts and traceHashes the
// sources give.
//
// The pack happens in a copy of the sources: packing rebuilds dist/, and the
// tests running beside this one use the repository's.
//
// The install is offline: the empty folder gets a lockfile made of the
// repository's (its entries that are not dev-only), so npm takes every
// dependency from its cache, where `npm ci` put them. Only if the cache lacks
// one does it ask the registry.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, explore, isClean, loadScenario, run, shippedScenario } from '../lib/index.js';

const ROOT = new URL('..', import.meta.url).pathname;
const TINY = join(ROOT, 'test/fixtures/tiny.json');
const CONSUMER = join(ROOT, 'test/fixtures/consumer');
/** What `npm pack` needs: the build's inputs and what package.json's `files` ships. */
const PACKED_FROM = ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.types.json', 'bin', 'scripts', 'src', 'sim', 'reports', 'lib', 'cli', 'scenarios', 'docs'];
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface Lock {
  packages: Record<string, { dev?: boolean }>;
}

function sh(cmd: string, args: readonly string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** Packs a copy of the sources; returns the tarball's path. */
function pack(tmp: string): string {
  const source = join(tmp, 'source');
  for (const part of PACKED_FROM) cpSync(join(ROOT, part), join(source, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  const packed = sh('npm', ['pack', '--pack-destination', tmp], source);
  assert.ok(packed.ok, packed.out);
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball !== undefined, `npm pack made no tarball:\n${packed.out}`);
  return join(tmp, tarball);
}

/** An empty folder with only the tarball installed (and what it depends on). */
function install(app: string, tarball: string): void {
  mkdirSync(app);
  copyFileSync(tarball, join(app, 'xorsim.tgz'));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const dependencies = { xorsim: 'file:xorsim.tgz' };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies },
    'node_modules/xorsim': { version: manifest['version'], resolved: 'file:xorsim.tgz', integrity, license: manifest['license'], dependencies: manifest['dependencies'], bin: manifest['bin'], engines: manifest['engines'] },
  };
  // npm marks what only the devDependencies need; the rest is what an install of xorsim brings.
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2)}\n`);
  writeFileSync(join(app, 'package-lock.json'), `${JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  // No install scripts: the tarball carries its build, and the library needs none of its dependencies' scripts.
  const flags = ['--ignore-scripts', '--no-audit', '--no-fund'];
  let installed = sh('npm', ['ci', '--offline', ...flags], app);
  if (!installed.ok && /ENOTCACHED/.test(installed.out)) installed = sh('npm', ['ci', '--prefer-offline', ...flags], app);
  assert.ok(installed.ok, installed.out);
}

/**
 * Type-checks the consumer's use.ts against the installed declarations,
 * without @types/node (the public types must not need it). skipLibCheck, as
 * `tsc --init` sets it: checking the declarations themselves costs seconds
 * (zod's), and use.ts's expected errors catch a type that did not resolve.
 */
function typecheck(app: string, resolution: 'node16' | 'bundler'): Promise<string | null> {
  const config = `tsconfig.${resolution}.json`;
  const compilerOptions = { target: 'ES2022', module: resolution === 'node16' ? 'node16' : 'esnext', moduleResolution: resolution, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  writeFileSync(join(app, config), JSON.stringify({ compilerOptions, files: ['use.ts'] }));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSC, '-p', config], { cwd: app });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
    child.on('close', (status) => resolve(status === 0 ? null : `tsc (${resolution}) exit ${status}:\n${out}`));
  });
}

test('the packed package installs into an empty folder and works from JavaScript and TypeScript', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'xorsim-package-'));
  try {
    const app = join(tmp, 'app');
    install(app, pack(tmp));
    const installed = join(app, 'node_modules/xorsim');
    assert.ok(existsSync(join(installed, 'dist/lib/index.d.ts')), 'declarations in the tarball');
    assert.not.ok(existsSync(join(installed, 'src')), 'the TypeScript sources stay home');
    for (const file of ['use.mjs', 'use.ts']) copyFileSync(join(CONSUMER, file), join(app, file));
    const checks = Promise.all([typecheck(app, 'node16'), typecheck(app, 'bundler')]);

    const used = sh(process.execPath, ['use.mjs', TINY], app);
    assert.ok(used.ok, used.out);
    const got = JSON.parse(used.stdout) as {
      shipped: number;
      quickstart: { verdict: string; traceHash: string };
      tiny: { verdict: string; traceHash: string };
      explored: { clean: boolean; seeds: { seed: number; traceHash: string }[] };
      problem: { file: string; field: string; problem: string } | null;
    };
    // The same calls on the sources.
    const quickstart = await run(loadScenario(shippedScenario('quickstart')), { seed: 1, quick: true });
    const tiny = loadScenario(TINY);
    const here = await explore(tiny, { seeds: 2, workers: 1, recheck: 0 });
    assert.ok(isClean(here));
    assert.ok(got.shipped > 0);
    assert.equal(got.quickstart, { verdict: quickstart.verdict, traceHash: quickstart.traceHash });
    assert.equal(got.tiny, { verdict: 'pass', traceHash: here.scenarios[0]!.runs[0]!.traceHash });
    assert.equal(got.explored, { clean: true, seeds: here.scenarios[0]!.runs.map((r) => ({ seed: r.seed, traceHash: r.traceHash })) });
    let expected: InputError | undefined;
    try {
      loadScenario({ ...tiny.json, workload: { ...(tiny.json['workload'] as object), iodepth: 0 } }, { file: 'bad.json' });
    } catch (error) {
      expected = error as InputError;
    }
    assert.ok(expected instanceof InputError);
    assert.equal(got.problem, { file: 'bad.json', field: 'workload.iodepth', problem: expected.problem });

    // The installed command line, too (dist/ only: no sources to compare its build with).
    const cli = sh(process.execPath, ['node_modules/.bin/xorsim', 'run', TINY, '--seed', '1', '--json'], app);
    assert.ok(cli.ok, cli.out);
    assert.is((JSON.parse(cli.stdout) as { traceHash: string }).traceHash, got.tiny.traceHash);

    for (const failure of await checks) assert.is(failure, null, failure ?? '');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
