// Hand check (docs/MUTATION.md, rpc.ts): lists StrykerJS's mutants of one file (the mutators of
// stryker.config.mjs and the `xorsim-excluded` ignorer, as a StrykerJS run has them) and, with --test, puts
// each into the source, type-checks it the way StrykerJS's checker would (a mutant that does not compile is
// dropped, never counted), runs those uvu tests, and puts the source back. Run it in a copy of the tree,
// never while a StrykerJS run copies its sandbox:
//   node scripts/mutation/hand-check.mjs FILE [FROM-TO] [--test 'regex'] [--only id,id]
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { Instrumenter } from '../../node_modules/@stryker-mutator/instrumenter/dist/src/instrumenter.js';
import config from '../../stryker.config.mjs';
import { excludedReason } from './stryker-plugin.mjs';
const args = process.argv.slice(2);
const file = args[0];
let range, test, only;
/** A unit test run that takes longer than this hangs. */
const HANG_MS = 20_000;
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--test') test = args[++i];
  else if (args[i] === '--only') only = new Set(args[++i].split(','));
  else range = args[i].split('-').map(Number);
}
const log = { debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false, isTraceEnabled: () => false, trace() {} };
const src = readFileSync(file, 'utf8');
const inst = new Instrumenter(log);
const mutate = range ? [{ start: { line: range[0] - 1, column: 0 }, end: { line: range[1] - 1, column: Infinity } }] : true;
const ignorers = [{ shouldIgnore: excludedReason }];
const { mutants } = await inst.instrument([{ name: file, content: src, mutate }], { plugins: null, excludedMutations: config.mutator.excludedMutations, ignorers });
const lines = src.split('\n');
const offset = (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.column;

// The type check of tsconfig.mutation.json (StrykerJS's checker's project), in process: one program,
// each mutant's program built on the last so only the mutated file is parsed again.
const project = ts.getParsedCommandLineOfConfigFile('tsconfig.mutation.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
const host = ts.createCompilerHost(project.options);
const parsed = new Map();
const readSource = host.getSourceFile.bind(host);
const target = resolve(file);
let mutatedText;
host.getSourceFile = (name, language, onError, fresh) => {
  if (mutatedText !== undefined && resolve(name) === target) return ts.createSourceFile(name, mutatedText, language);
  if (!parsed.has(name)) parsed.set(name, readSource(name, language, onError, fresh));
  return parsed.get(name);
};
let program;
function compiles(text) {
  mutatedText = text;
  program = ts.createProgram({ rootNames: project.fileNames, options: { ...project.options, noEmit: true }, host, oldProgram: program });
  return ts.getPreEmitDiagnostics(program).length === 0;
}
if (test && !compiles(undefined)) throw new Error('the unmutated tree does not type-check (tsconfig.mutation.json)');

for (const m of mutants) {
  if (only && !only.has(m.id)) continue;
  const a = offset(m.location.start), b = offset(m.location.end);
  const desc = `${m.id} ${file}:${m.location.start.line + 1}:${m.location.start.column} ${m.mutatorName} ${JSON.stringify(m.replacement.slice(0, 70))}`;
  if (m.status === 'Ignored') { console.log(`ignored  ${desc} (${m.statusReason})`); continue; }
  if (!test) { console.log(desc); continue; }
  const mutated = src.slice(0, a) + m.replacement + src.slice(b);
  if (!compiles(mutated)) { console.log(`nocompile ${desc}`); continue; }
  writeFileSync(file, mutated);
  // A test that hangs on the mutant (a loop that never yields to the test's scripted clock) is cut off: in the
  // judge, StrykerJS's own timeout ends it (a timeout, detected).
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', test, '--bail'], { encoding: 'utf8', cwd: process.cwd(), timeout: HANG_MS, killSignal: 'SIGKILL' });
  writeFileSync(file, src);
  console.log(`${r.error?.code === 'ETIMEDOUT' ? 'timeout ' : r.status === 0 ? 'SURVIVED' : 'killed  '} ${desc}`);
}
writeFileSync(file, src);
