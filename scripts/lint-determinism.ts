// The determinism lint (run by `npm test`). Walks the TypeScript AST of every
// file under src/, sim/ and reports/ and fails on ambient nondeterminism or real I/O:
// Math.random, Date, performance, timers, process.hrtime, crypto, and imports
// of file/socket/process modules. Also enforces the dependency direction
// bin → cli → lib → reports → sim → src (a layer imports only the layers after it).
// cli/ is the layer that owns file I/O and the wall clock, so it is not linted
// for determinism, only for its imports. lib/ (the library: lib/index.ts) reads
// scenario files too, so the same holds for it, and it must neither print nor
// exit: a library throws. And no import loop (scripts/import-loops.ts says
// which are refused). And every non-trivial function of the controllers
// asserts on their state (scripts/assertion-density.ts). And no file over 400
// lines or function over 70 without a stated reason (scripts/size-rule.ts).
//
// Exempt, each for one stated reason:
//   sim/wall-clock.ts — the one module that reads wall time (the tool's own speed);
//   sim/parallel/pool.ts — spreads independent runs over worker threads (each run
//                      is deterministic on its own; results are kept in job order);
//   src/real/         — real-world port implementations (files, sockets, system clock).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { unasserted } from './assertion-density.js';
import { importLoops } from './import-loops.js';
import { oversized } from './size-rule.js';

const ROOT = resolve(import.meta.dirname, '..');
const EXEMPT: Record<string, string> = {
  'sim/wall-clock.ts': 'reads wall time for speed figures only',
  'sim/parallel/pool.ts': 'worker threads for independent runs',
};
/** The layers, lowest first: a file may import its own layer and those before it. */
const LAYERS = ['src', 'sim', 'reports', 'lib', 'cli', 'bin'] as const;
const EXEMPT_DIRS = ['src/real/'];

const BANNED_GLOBALS = new Map([
  ['setTimeout', 'a real timer'],
  ['setInterval', 'a real timer'],
  ['setImmediate', 'a real timer'],
  ['clearTimeout', 'a real timer'],
  ['clearInterval', 'a real timer'],
  ['Date', 'the wall clock'],
  ['performance', 'the wall clock'],
  ['crypto', 'crypto randomness'],
  ['fetch', 'real network I/O'],
]);
const BANNED_MEMBERS = new Map([
  ['Math.random', 'ambient randomness'],
  ['process.hrtime', 'the wall clock'],
  ['process.uptime', 'the wall clock'],
  ['process.nextTick', "Node's scheduler (only the engine may drain the microtask queue)"],
]);
const BANNED_MODULES = /^(node:)?(fs|fs\/promises|net|dgram|http|https|http2|tls|child_process|crypto|perf_hooks|timers|timers\/promises|readline|worker_threads|cluster)$/;
// The engine is the one place that may use process.nextTick (its drain step).
const MEMBER_ALLOW: Record<string, string[]> = { 'sim/engine/engine.ts': ['process.nextTick'] };

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Only the direction of a file's imports (the CLI layer: it may do I/O). */
export function lintImports(rel: string, text: string): Finding[] {
  return lintFile(rel, text, true);
}

/** What a library must not do to its caller's process. */
const LIBRARY_BANNED = /^(console\.\w+|process\.exit|process\.exitCode|process\.stdout|process\.stderr)$/;

/** The library layer: the direction of its imports, and no printing or exiting (it throws an InputError instead). */
export function lintLibrary(rel: string, text: string): Finding[] {
  const findings = lintImports(rel, text);
  const source = ts.createSourceFile(rel, text, ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const name = `${node.expression.getText(source)}.${node.name.text}`.replace(/^globalThis\./, '');
      if (LIBRARY_BANNED.test(name)) findings.push({ file: rel, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, message: `${name}: a library neither prints nor exits (throw an InputError)` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

export function lintFile(rel: string, text: string, importsOnly = false): Finding[] {
  const findings: Finding[] = [];
  const source = ts.createSourceFile(rel, text, ts.ScriptTarget.ES2022, true);
  const at = (node: ts.Node, message: string) =>
    findings.push({ file: rel, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, message });
  const allowed = MEMBER_ALLOW[rel] ?? [];

  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      checkImport(rel, node.moduleSpecifier.text, importsOnly, (m) => at(node, m));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) checkImport(rel, arg.text, importsOnly, (m) => at(node, m));
    } else if (importsOnly) {
      // the CLI layer: clock and I/O allowed
    } else if (ts.isPropertyAccessExpression(node)) {
      const name = `${node.expression.getText(source)}.${node.name.text}`;
      const why = BANNED_MEMBERS.get(name.replace(/^globalThis\./, ''));
      if (why !== undefined && !allowed.includes(name)) at(node, `${name} is ${why}`);
    } else if (ts.isIdentifier(node) && BANNED_GLOBALS.has(node.text) && isValueReference(node)) {
      at(node, `${node.text} is ${BANNED_GLOBALS.get(node.text)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

function checkImport(rel: string, spec: string, importsOnly: boolean, report: (message: string) => void): void {
  if (!importsOnly && BANNED_MODULES.test(spec)) report(`import of '${spec}' (real I/O or nondeterminism)`);
  if (!spec.startsWith('.')) return;
  const target = relative(ROOT, resolve(ROOT, rel, '..', spec)).split(sep).join('/');
  if (rel.startsWith('src/') && !rel.startsWith('src/real/') && (target.startsWith('sim/') || target.startsWith('reports/'))) report(`src/ must not import ${target}`);
  if (rel.startsWith('src/') && !rel.startsWith('src/real/') && target.startsWith('src/real/')) report(`controllers must not import the real-world ports (${target})`);
  const from = layerOf(rel);
  const to = layerOf(target);
  if (from >= 0 && to > from) report(`${LAYERS[from]}/ must not import ${target} (imports point ${[...LAYERS].reverse().join(' → ')})`);
}

function layerOf(rel: string): number {
  return LAYERS.findIndex((layer) => rel.startsWith(`${layer}/`));
}

/** An identifier used as a value (not a property name, type, or declaration of its own). */
function isValueReference(node: ts.Identifier): boolean {
  const p = node.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === node) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p)) && p.name === node) return false;
  if (ts.isTypeReferenceNode(p) || ts.isImportSpecifier(p) || ts.isQualifiedName(p)) return false;
  return true;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

export function lintTree(): Finding[] {
  const findings: Finding[] = [];
  for (const top of ['src', 'sim', 'reports']) {
    for (const full of walk(join(ROOT, top))) {
      const rel = relative(ROOT, full).split(sep).join('/');
      if (rel in EXEMPT || EXEMPT_DIRS.some((d) => rel.startsWith(d))) continue;
      findings.push(...lintFile(rel, readFileSync(full, 'utf8')));
    }
  }
  for (const full of walk(join(ROOT, 'lib'))) {
    const rel = relative(ROOT, full).split(sep).join('/');
    findings.push(...lintLibrary(rel, readFileSync(full, 'utf8')));
  }
  // The CLI may do I/O and read the clock; only the direction of its imports is checked.
  for (const full of walk(join(ROOT, 'cli'))) {
    const rel = relative(ROOT, full).split(sep).join('/');
    findings.push(...lintImports(rel, readFileSync(full, 'utf8')));
  }
  const texts = treeTexts();
  findings.push(...loopFindings(texts));
  findings.push(...assertionFindings(texts));
  findings.push(...sizeFindings(texts));
  return findings;
}

/** Files over 400 lines and functions over 70 without a stated reason (scripts/size-rule.ts). */
export function sizeFindings(texts: ReadonlyMap<string, string>): Finding[] {
  return [...texts].flatMap(([file, text]) => oversized(file, text));
}

/** The controllers' non-trivial functions that assert nothing (scripts/assertion-density.ts). */
export function assertionFindings(texts: ReadonlyMap<string, string>): Finding[] {
  const controllers = [...texts].filter(([file]) => file.startsWith('src/primary/') || file.startsWith('src/parity/'));
  return controllers.flatMap(([file, text]) => unasserted(file, text)).map((u) => ({ file: u.file, line: u.line, message: `${u.name}: a non-trivial function of a controller with no assertion on its state (or an \`unasserted:\` reason above it)` }));
}

/** Every .ts file of the layers, by repo path. */
function treeTexts(): Map<string, string> {
  const texts = new Map<string, string>();
  for (const top of LAYERS.filter((l) => l !== 'bin')) {
    for (const full of walk(join(ROOT, top))) texts.set(relative(ROOT, full).split(sep).join('/'), readFileSync(full, 'utf8'));
  }
  return texts;
}

/** Import loops, refused all (scripts/import-loops.ts): of value imports or of type imports only. */
export function loopFindings(texts: ReadonlyMap<string, string>): Finding[] {
  return importLoops(texts).map((loop) => ({ file: loop.files[0]!, line: 1, message: `import loop${loop.typeOnly ? ' (type imports)' : ''}: ${loop.files.join(' → ')}` }));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const findings = lintTree();
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.message}`);
  console.log(findings.length === 0 ? 'determinism lint: clean' : `determinism lint: ${findings.length} problem(s)`);
  process.exitCode = findings.length === 0 ? 0 : 1;
}
