// Hand check (docs/MUTATION.md, rpc.ts): lists StrykerJS's mutants of one file (the mutators of
// stryker.config.mjs; no type check, no ignorer) and, with --test, puts each into the source, runs those uvu
// tests, puts the source back. Run it in a copy of the tree, never while a StrykerJS run copies its sandbox:
//   node scripts/mutation/hand-check.mjs FILE [FROM-TO] [--test 'regex'] [--only id,id]
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Instrumenter } from '../../node_modules/@stryker-mutator/instrumenter/dist/src/instrumenter.js';
import config from '../../stryker.config.mjs';
const args = process.argv.slice(2);
const file = args[0];
let range, test, only;
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--test') test = args[++i];
  else if (args[i] === '--only') only = new Set(args[++i].split(','));
  else range = args[i].split('-').map(Number);
}
const log = { debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false, isTraceEnabled: () => false, trace() {} };
const src = readFileSync(file, 'utf8');
const inst = new Instrumenter(log);
const mutate = range ? [{ start: { line: range[0] - 1, column: 0 }, end: { line: range[1] - 1, column: Infinity } }] : true;
const { mutants } = await inst.instrument([{ name: file, content: src, mutate }], { plugins: null, excludedMutations: config.mutator.excludedMutations, ignorers: [] });
const lines = src.split('\n');
const offset = (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.column;
const results = [];
for (const m of mutants) {
  if (only && !only.has(m.id)) continue;
  const a = offset(m.location.start), b = offset(m.location.end);
  const desc = `${m.id} ${file}:${m.location.start.line + 1}:${m.location.start.column} ${m.mutatorName} ${JSON.stringify(m.replacement.slice(0, 70))}`;
  if (!test) { console.log(desc); continue; }
  writeFileSync(file, src.slice(0, a) + m.replacement + src.slice(b));
  const r = spawnSync('npx', ['uvu', '-r', 'tsx', 'test', test, '--bail'], { encoding: 'utf8', cwd: process.cwd() });
  writeFileSync(file, src);
  console.log(`${r.status === 0 ? 'SURVIVED' : 'killed  '} ${desc}`);
}
writeFileSync(file, src);
