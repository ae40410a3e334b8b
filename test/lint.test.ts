// The determinism lint must catch each banned construct, ignore comments and
// strings, and find the tree clean.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertionFindings, lintFile, lintImports, lintLibrary, lintTree, loopFindings, sizeFindings } from '../scripts/lint-determinism.js';

const findings = (file: string, code: string) => lintFile(file, code).map((f) => f.message);

test('catches ambient randomness, wall clock, timers and real I/O', () => {
  const code = [
    'const a = Math.random();',
    'const b = Date.now();',
    'const c = new Date();',
    'const d = performance.now();',
    'setTimeout(() => {}, 1);',
    'setImmediate(() => {});',
    'const e = process.hrtime.bigint();',
    "import { readFileSync } from 'node:fs';",
    "import { randomBytes } from 'crypto';",
    "import net from 'net';",
    'const f = crypto.getRandomValues(new Uint8Array(4));',
  ].join('\n');
  const found = findings('sim/x.ts', code);
  for (const expected of ['Math.random', 'Date', 'performance', 'setTimeout', 'setImmediate', 'process.hrtime', "'node:fs'", "'crypto'", "'net'", 'crypto randomness']) {
    assert.ok(found.some((m) => m.includes(expected)), `missed ${expected}: ${found.join(' | ')}`);
  }
});

test('ignores comments, strings and unrelated names', () => {
  const code = ['// Math.random and setTimeout are banned', "const s = 'Date.now()';", 'const o = { setTimeout: 1 };', 'type T = Date;', 'const x = o.setTimeout;'].join('\n');
  assert.equal(findings('sim/x.ts', code), []);
});

test('enforces dependency direction', () => {
  assert.ok(findings('src/primary/x.ts', "import { Engine } from '../../sim/engine/engine.js';").some((m) => m.includes('src/ must not import sim/engine/engine.js')));
  assert.ok(findings('sim/x.ts', "import { r } from '../reports/latency.js';").some((m) => m.includes('sim/ must not import reports/latency.js')));
  assert.ok(findings('sim/x.ts', "import { r } from '../cli/io.js';").some((m) => m.includes('sim/ must not import cli/io.js')));
  assert.ok(findings('reports/x/y.ts', "import { r } from '../../cli/io.js';").some((m) => m.includes('reports/ must not import cli/io.js')));
  // The CLI layer may do I/O but still imports only downwards.
  assert.equal(lintImports('cli/io.ts', "import { readFileSync } from 'node:fs'; const t = Date.now();"), []);
  assert.ok(lintImports('cli/x.ts', "import { main } from '../bin/xorsim.mjs';").length === 1);
  assert.equal(lintImports('cli/x.ts', "import { r } from '../reports/model/report.js';"), []);
  assert.ok(findings('src/parity/x.ts', "import { FileDisk } from '../real/file-disk.js';").some((m) => m.includes('real-world ports')));
  assert.equal(findings('sim/x.ts', "import { xor } from '../src/protocol/xor.js';"), []);
});

test('the library sits between the command line and reports, and neither prints nor exits', () => {
  assert.ok(findings('sim/x.ts', "import { run } from '../lib/index.js';").some((m) => m.includes('sim/ must not import lib/index.js')));
  assert.ok(findings('reports/x/y.ts', "import { run } from '../../lib/index.js';").some((m) => m.includes('reports/ must not import lib/index.js')));
  assert.equal(lintImports('cli/x.ts', "import { run } from '../lib/index.js';"), []);
  const lib = (code: string) => lintLibrary('lib/x.ts', code).map((f) => f.message);
  assert.ok(lib("import { main } from '../cli/main.js';").some((m) => m.includes('lib/ must not import cli/main.js')));
  assert.equal(lib("import { readFileSync } from 'node:fs'; import { runScenario } from '../sim/runner/run-scenario.js';"), []);
  for (const call of ['console.log(1);', 'process.exit(2);', 'process.exitCode = 1;', "process.stderr.write('x');"]) {
    assert.is(lib(call).length, 1, call);
  }
});

test('process.nextTick is the engine’s alone', () => {
  assert.ok(findings('src/x.ts', 'process.nextTick(() => {});').length === 1);
  assert.equal(findings('sim/engine/engine.ts', 'process.nextTick(() => {});'), []);
});

test('import loops: refused, of value imports or of type imports only, anywhere', () => {
  const loop = (a: string, b: string, typeOnly: boolean) =>
    new Map([
      [`${a}/x.ts`, `import ${typeOnly ? 'type ' : ''}{ Y } from './y.js';`],
      [`${b}/y.ts`, `import ${typeOnly ? 'type ' : ''}{ X } from './x.js';`],
    ]);
  assert.match(loopFindings(loop('src/p', 'src/p', false))[0]!.message, /^import loop: src\/p\/x\.ts → src\/p\/y\.ts$/);
  assert.is(loopFindings(loop('sim/w', 'sim/w', false)).length, 1, 'a value loop in sim/');
  assert.match(loopFindings(loop('reports/r', 'reports/r', true))[0]!.message, /type imports/);
  assert.match(loopFindings(loop('sim/w', 'sim/w', true))[0]!.message, /type imports/, 'a type-only loop in sim/ too');
  const mixed = new Map([
    ['src/a.ts', "import { type B, c } from './b.js';"],
    ['src/b.ts', "export type { A } from './a.js';"],
  ]);
  assert.is(loopFindings(mixed).length, 1, 'an export-from closes a loop too');
  assert.equal(loopFindings(new Map([['src/a.ts', "import { b } from './b.js';"], ['src/b.ts', 'export const b = 1;']])), []);
});

test("assertions: a controller's non-trivial function without one is refused, unless it says why", () => {
  const body = (extra: string) => `export class C {
  ${extra}
  f(x: number): number {
    const y = x + 1;
    if (y > 2) return y;
    const z = y * 2;
    return z;
  }
}`;
  const flagged = assertionFindings(new Map([['src/parity/c.ts', body('')]]));
  assert.is(flagged.length, 1);
  assert.match(flagged[0]!.message, /^f: a non-trivial function/);
  assert.equal(assertionFindings(new Map([['src/parity/c.ts', body('').replace('const y = x + 1;', "const y = x + 1;\n    assert(y > x, 'no overflow');")]])), [], 'one assertion is enough');
  assert.equal(assertionFindings(new Map([['src/parity/c.ts', body('// unasserted: a small query.')]])), [], 'a stated reason');
  assert.equal(assertionFindings(new Map([['sim/world/c.ts', body('')]])), [], 'controllers only');
  assert.equal(assertionFindings(new Map([['src/primary/c.ts', 'export function g(a: number) { return a > 1 ? a : 0; }']])), [], 'trivial: fewer than five statements');
});

test('size: a file over 400 lines or a function over 70 is refused, unless it says why', () => {
  const fn = (lines: number, reason = '') => `${reason}export function f(): number {\n${'  let x = 1;\n'.repeat(lines - 3)}  return 1;\n}\n`;
  assert.equal(sizeFindings(new Map([['sim/a.ts', fn(70)]])), [], '70 lines');
  assert.match(sizeFindings(new Map([['sim/a.ts', fn(71)]]))[0]!.message, /^f: 71 lines/);
  assert.equal(sizeFindings(new Map([['sim/a.ts', fn(71, '// Why over 70 lines: one switch.\n')]])), []);
  const arrow = `export const g = [1].map(\n  // Why over 70 lines: one pass.\n  (x) => {\n${'    x++;\n'.repeat(70)}    return x;\n  },\n);\n`;
  assert.equal(sizeFindings(new Map([['sim/a.ts', arrow]])), [], 'a reason above an argument');
  const file = (reason: string) => `${reason}${'export const a = 1;\n'.repeat(401)}`;
  assert.match(sizeFindings(new Map([['src/b.ts', file('')]]))[0]!.message, /^401 lines/);
  assert.equal(sizeFindings(new Map([['src/b.ts', file('// Why over 400 lines: a table.\n')]])), []);
});

test('the tree is clean', () => {
  assert.equal(lintTree(), []);
});
test.run();
