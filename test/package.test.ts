// xorsim as a library, as its users get it: `npm pack` (which runs the
// `prepare` build, declarations included), the tarball installed into an
// empty folder, then used from plain JavaScript (test/fixtures/consumer/use.mjs)
// and type-checked from TypeScript (use.ts) with moduleResolution node16 and
// bundler — with the example controller module the package ships copied in as
// a user's own, run by the installed command line and by the library's worker
// threads. The installed package must give the verdicts and traceHashes the
// sources give.
//
// The pack happens in a copy of the sources: packing rebuilds dist/, and the
// tests running beside this one use the repository's.
//
// The install is offline: the empty folder gets a lockfile made of the
// repository's (its entries that are not dev-only), so npm takes every
// dependency from its cache, where `npm ci` put them. Only if the cache lacks
// one does it ask the registry.
import { spawn } from 'node:child_process';
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
const PACKED_FROM = ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.types.json', 'bin', 'scripts', 'src', 'sim', 'reports', 'lib', 'cli', 'scenarios', 'docs', 'examples'];
/** The example controller module, as the package ships it. */
const EXAMPLE = 'examples/claims-controllers.ts';
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface Lock {
  packages: Record<string, { dev?: boolean }>;
}

interface Ran {
  readonly ok: boolean;
  /** stdout and stderr, for failure messages. */
  readonly out: string;
  readonly stdout: string;
}

/** Runs a command as a child process; the test's own work goes on meanwhile. */
function sh(cmd: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd });
    let stdout = '';
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), (out += d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', (status) => resolve({ ok: status === 0, out: `${cmd} ${args.join(' ')}: exit ${status}\n${out}`, stdout }));
  });
}

/** Packs a copy of the sources; returns the tarball's path. */
async function pack(tmp: string): Promise<string> {
  const source = join(tmp, 'source');
  // Not a local cluster's run directory (`xorsim cluster up docs/examples/cluster.json` leaves images and sockets there).
  for (const part of PACKED_FROM) cpSync(join(ROOT, part), join(source, part), { recursive: true, filter: (path) => !path.endsWith('.run') });
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  const packed = await sh('npm', ['pack', '--pack-destination', tmp], source);
  assert.ok(packed.ok, packed.out);
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball !== undefined, `npm pack made no tarball:\n${packed.out}`);
  return join(tmp, tarball);
}

/** An empty folder with only the tarball installed (and what it depends on). */
async function install(app: string, tarball: string): Promise<void> {
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
  let installed = await sh('npm', ['ci', '--offline', ...flags], app);
  if (!installed.ok && /ENOTCACHED/.test(installed.out)) installed = await sh('npm', ['ci', '--prefer-offline', ...flags], app);
  assert.ok(installed.ok, installed.out);
}

/**
 * Type-checks the consumer's use.ts against the installed declarations,
 * without @types/node (the public types must not need it). skipLibCheck, as
 * `tsc --init` sets it: checking the declarations themselves costs seconds
 * (zod's), and use.ts's expected errors catch a type that did not resolve.
 */
function typecheck(app: string, resolution: 'node16' | 'bundler'): Promise<Ran> {
  const config = `tsconfig.${resolution}.json`;
  const compilerOptions = { target: 'ES2022', module: resolution === 'node16' ? 'node16' : 'esnext', moduleResolution: resolution, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  writeFileSync(join(app, config), JSON.stringify({ compilerOptions, files: ['use.ts'] }));
  return sh(process.execPath, [TSC, '-p', config], app);
}

/** What the consumer script prints. */
interface Used {
  shipped: number;
  quickstart: { verdict: string; traceHash: string };
  tiny: { verdict: string; traceHash: string };
  explored: { clean: boolean; seeds: { seed: number; traceHash: string }[] };
  controllers: { clean: boolean; seeds: { seed: number; traceHash: string }[] };
  problem: { file: string; field: string; problem: string } | null;
}

/** The same calls on the sources. */
async function expected(): Promise<Omit<Used, 'shipped'>> {
  const quickstart = await run(loadScenario(shippedScenario('quickstart')), { seed: 1, quick: true });
  const tiny = loadScenario(TINY);
  const here = await explore(tiny, { seeds: 2, workers: 1, recheck: 0 });
  assert.ok(isClean(here));
  const mine = await explore(tiny, { seeds: 2, workers: 1, recheck: 0, controllers: EXAMPLE });
  assert.ok(isClean(mine));
  let problem: InputError | undefined;
  try {
    loadScenario({ ...tiny.json, workload: { ...(tiny.json['workload'] as object), iodepth: 0 } }, { file: 'bad.json' });
  } catch (error) {
    problem = error as InputError;
  }
  assert.ok(problem instanceof InputError);
  const seeds = here.scenarios[0]!.runs.map((r) => ({ seed: r.seed, traceHash: r.traceHash }));
  return {
    quickstart: { verdict: quickstart.verdict, traceHash: quickstart.traceHash },
    tiny: { verdict: 'pass', traceHash: seeds[0]!.traceHash },
    explored: { clean: true, seeds },
    controllers: { clean: true, seeds: mine.scenarios[0]!.runs.map((r) => ({ seed: r.seed, traceHash: r.traceHash })) },
    problem: { file: 'bad.json', field: 'workload.iodepth', problem: problem.problem },
  };
}

test('the packed package installs into an empty folder and works from JavaScript and TypeScript', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'xorsim-package-'));
  try {
    // Children (npm, node, tsc) run while this process computes what they must match.
    const packed = pack(tmp);
    packed.catch(() => undefined); // awaited below; a failure meanwhile must not count as unhandled
    const want = await expected();
    const app = join(tmp, 'app');
    await install(app, await packed);
    const installed = join(app, 'node_modules/xorsim');
    assert.ok(existsSync(join(installed, 'dist/lib/index.d.ts')), 'declarations in the tarball');
    assert.not.ok(existsSync(join(installed, 'src')), 'the TypeScript sources stay home');
    for (const file of ['use.mjs', 'use.ts']) copyFileSync(join(CONSUMER, file), join(app, file));
    // A user's controller module in the empty folder: the example the package ships.
    copyFileSync(join(installed, EXAMPLE), join(app, 'claims-controllers.ts'));
    const [used, cli, mine, ...checks] = await Promise.all([
      sh(process.execPath, ['use.mjs', TINY], app),
      // The installed command line, too (dist/ only: no sources to compare its build with).
      sh(process.execPath, ['node_modules/.bin/xorsim', 'run', TINY, '--seed', '1', '--json'], app),
      sh(process.execPath, ['node_modules/.bin/xorsim', 'run', TINY, '--seed', '1', '--json', '--controllers', 'claims-controllers.ts'], app),
      typecheck(app, 'node16'),
      typecheck(app, 'bundler'),
    ]);
    assert.ok(used.ok, used.out);
    const got = JSON.parse(used.stdout) as Used;
    assert.ok(got.shipped > 0);
    assert.equal(got.quickstart, want.quickstart);
    assert.equal(got.tiny, want.tiny);
    assert.equal(got.explored, want.explored);
    assert.equal(got.controllers, want.controllers);
    assert.equal(got.problem, want.problem);
    assert.ok(cli.ok, cli.out);
    assert.is((JSON.parse(cli.stdout) as { traceHash: string }).traceHash, want.tiny.traceHash);
    assert.ok(mine.ok, mine.out);
    const ran = JSON.parse(mine.stdout) as { traceHash: string; replay: string };
    assert.is(ran.traceHash, want.controllers.seeds[0]!.traceHash);
    assert.ok(ran.replay.endsWith('--controllers claims-controllers.ts'), ran.replay);
    for (const check of checks) assert.ok(check.ok, check.out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
