#!/usr/bin/env node
// `npm run build` (and `prepare`, which `npm ci` runs): compiles the TypeScript
// of src/, sim/, reports/, lib/ and cli/ to JavaScript in dist/, file for file (no
// bundling: jobs name their module by import.meta.url, so each module must
// stay a file of its own), plus the pool's worker entry. bin/xorsim.mjs and
// the worker threads then start without a TypeScript compiler. Type-checking
// stays with `tsc` (npm test); esbuild only strips types.
//
// dist/.stamp records the newest source file's time and the number of
// sources, so that bin/xorsim.mjs can tell a build older than the sources
// (an edit since) and run the sources through tsx instead.
//
// With --types (`prepare`, so also `npm pack` and `npm publish`) it also
// writes the library's type declarations (tsconfig.types.json: lib/index.ts
// and what it imports) beside the JavaScript. TypeScript is a devDependency:
// a tarball carries the declarations made when it was packed, and an install
// without devDependencies builds without them (the command line needs none).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
export const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.stamp');
/** What is compiled: the layers the command line and the library run. */
const TOPS = ['src', 'sim', 'reports', 'lib', 'cli'];
/** Plain JavaScript that ships as it is. */
const COPIED = ['sim/parallel/worker-entry.mjs'];

function sources(dir = '') {
  const out = [];
  for (const top of dir === '' ? TOPS : [dir]) {
    // An installed package ships dist/ without its sources.
    if (!existsSync(join(ROOT, top))) continue;
    for (const name of readdirSync(join(ROOT, top))) {
      const rel = `${top}/${name}`;
      if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
      else if ((name.endsWith('.ts') && !name.endsWith('.d.ts')) || COPIED.includes(rel)) out.push(rel);
    }
  }
  return out;
}

/** The newest source's modification time and how many sources there are. */
function sourceState() {
  const files = sources();
  return { newestMs: Math.max(...files.map((f) => statSync(join(ROOT, f)).mtimeMs)), files: files.length };
}

/** Copies and archives keep file times to the millisecond or the second, sometimes rounded up. */
const TIME_SLACK_MS = 2000;

/** True when dist/ was built from the sources as they are now. */
export function isFresh() {
  if (!existsSync(STAMP)) return false;
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    const now = sourceState();
    // No sources (an installed package): dist/ is all there is.
    if (now.files === 0) return true;
    return now.files === stamp.files && now.newestMs <= stamp.newestMs + TIME_SLACK_MS;
  } catch {
    return false;
  }
}

/** Packing (npm pack, npm publish) must not make a tarball without declarations. */
const PACKING = ['pack', 'publish'].includes(process.env.npm_command ?? '');

/** Writes the library's .d.ts files into dist/; returns how many, or a reason for none. */
export function buildTypes() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    if (PACKING) throw new Error('build --types: TypeScript is not installed, and a package without type declarations must not be packed');
    return 'TypeScript not installed (a devDependency): no type declarations';
  }
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.types.json')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    // A type error mid-edit must not fail `npm ci` (npm test's typecheck reports it); it must fail a pack.
    if (PACKING || r.status !== 2) throw new Error(`build --types: tsc failed (exit ${r.status})\n${r.stdout}${r.stderr}`);
    return `type declarations written with errors (npm run typecheck):\n${r.stdout}${r.stderr}`;
  }
  return countDeclarations(DIST);
}

function countDeclarations(dir) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) n += countDeclarations(full);
    else if (name.endsWith('.d.ts')) n++;
  }
  return n;
}

export async function build() {
  const { build: esbuild } = await import('esbuild');
  const state = sourceState();
  const files = sources();
  rmSync(DIST, { recursive: true, force: true });
  await esbuild({
    entryPoints: files.filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, f)),
    outbase: ROOT,
    outdir: DIST,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    logLevel: 'warning',
  });
  for (const rel of COPIED) {
    mkdirSync(join(DIST, rel, '..'), { recursive: true });
    copyFileSync(join(ROOT, rel), join(DIST, rel));
  }
  // Node reads dist/ as ES modules whatever package.json says about the folder above.
  writeFileSync(join(DIST, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(STAMP, `${JSON.stringify(state)}\n`);
  return files.length;
}

if (process.argv[1] && relative(process.argv[1], new URL(import.meta.url).pathname) === '') {
  const n = await build();
  const out = `${relative(process.cwd(), DIST) || '.'}/`;
  console.log(`build: ${n} files compiled to ${out}`);
  if (process.argv.includes('--types')) {
    const types = buildTypes();
    console.log(typeof types === 'number' ? `build: ${types} type declarations written to ${out}` : `build: ${types}`);
  }
}
