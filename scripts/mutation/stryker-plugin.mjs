// StrykerJS plugins for `npm run mutation` (docs/MUTATION.md):
//
//  - test runner `xorsim`: judges each mutant in-process with xorsim's own
//    exploration (scripts/mutation/judge.ts: shipped scenarios at --quick and
//    generated worlds, fixed seeds), the runs that reach the mutant only,
//    cheapest first, stopping at the first kill; then, for a mutant of
//    src/protocol (or of a src/primary or src/parity file with unit tests) that no run caught, the cheap unit
//    tests of that code in a child process. A mutant in code that runs when a
//    module loads is judged in a fresh child process (it cannot be switched on
//    in a loaded module).
//  - ignorer `xorsim-excluded`: mutants the judge must not count — code only
//    the `literal` variant runs, and the planted-bug seam (`seam.<decision>`,
//    src/protocol/planted-bugs.ts, and what only a planted bug runs), which
//    `xorsim selftest` judges.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginKind, commonTokens, declareClassPlugin, declareValuePlugin, tokens } from '@stryker-mutator/api/plugin';
import { DryRunStatus, MutantRunStatus, TestStatus } from '@stryker-mutator/api/test-runner';

/**
 * The unit tests run for a mutant no run caught, by the file it is in (each a few seconds at most):
 * src/protocol's, whose code the simulator's oracle shares; the outbox's, whose timing and
 * bookkeeping no check of a run can see; the builder's, the leaver's and the scrubber's, whose retries and rarely
 * reached verdicts few judged worlds reach; the restorer's, whose back-off, superseded sessions and
 * rarely reached loss paths no judged run tells apart; the repairer's, whose back-off, owed
 * recomputations and missing copies few judged worlds reach; the restoration's, whose header
 * writes and refusals few judged worlds reach; and those of the rest of src/primary (mender, copies,
 * membership, lost blocks and loss notices, recovery and the restore session), whose orderings,
 * probes and rare branches no check of a run can see (docs/MUTATION.md).
 */
export const UNIT_TESTS = [
  { files: /[/\\]src[/\\]protocol[/\\]/, tests: ['protocol', 'xor', 'checksum', 'peer-checks', 'retransmit-timer', 'rpc'] },
  { files: /[/\\]src[/\\]primary[/\\]outbox\.ts$/, tests: ['outbox', 'outbox-ack'] },
  { files: /[/\\]src[/\\]parity[/\\]restorer\.ts$/, tests: ['restorer'] },
  { files: /[/\\]src[/\\]parity[/\\]repairer\.ts$/, tests: ['repairer'] },
  { files: /[/\\]src[/\\]parity[/\\]builder\.ts$/, tests: ['builder'] },
  { files: /[/\\]src[/\\]parity[/\\]leaver\.ts$/, tests: ['leaver'] },
  { files: /[/\\]src[/\\]parity[/\\]deltas\.ts$/, tests: ['deltas'] },
  { files: /[/\\]src[/\\]parity[/\\]joiner\.ts$/, tests: ['joiner'] },
  { files: /[/\\]src[/\\]parity[/\\]losses\.ts$/, tests: ['losses'] },
  { files: /[/\\]src[/\\]parity[/\\]scrubber\.ts$/, tests: ['scrubber', 'scrub-finish'] },
  { files: /[/\\]src[/\\]parity[/\\]parity-log\.ts$/, tests: ['parity-log'] },
  { files: /[/\\]src[/\\]parity[/\\]group\.ts$/, tests: ['group'] },
  { files: /[/\\]src[/\\]parity[/\\]group-changes\.ts$/, tests: ['group-changes'] },
  { files: /[/\\]src[/\\]primary[/\\]restoration\.ts$/, tests: ['restoration'] },
  { files: /[/\\]src[/\\]primary[/\\]mender\.ts$/, tests: ['mender'] },
  { files: /[/\\]src[/\\]primary[/\\]copies\.ts$/, tests: ['copies', 'join-copy-after-repair'] },
  { files: /[/\\]src[/\\]primary[/\\]membership\.ts$/, tests: ['membership', 'membership-rejoin'] },
  { files: /[/\\]src[/\\]primary[/\\](lost-blocks|loss-notices)\.ts$/, tests: ['lost-blocks'] },
  { files: /[/\\]src[/\\]primary[/\\](recovery|restore-session|restore-state)\.ts$/, tests: ['recovery'] },
  { files: /[/\\]src[/\\]primary[/\\]primary-controller\.ts$/, tests: ['primary-controller'] },
  { files: /[/\\]src[/\\]parity[/\\]parity-controller\.ts$/, tests: ['parity-controller'] },
];
const unitId = (tests) => `unit:${tests.join(',')}`;
const STATIC_ID = 'static:judge-cli';
/** A run may pass through the mutant this many times what the unmutated run did (plus the floor) before it counts as endless. */
const HIT_LIMIT_FACTOR = 50;
const HIT_LIMIT_FLOOR = 100_000;
/** Runs this many times slower than unmutated, in CPU time (plus the grace), count as a timeout. */
const SLOW_FACTOR = 5;
const SLOW_GRACE_MS = 10_000;

/** What the dry run measured, in the sandbox: the runs' order and which mutants each reached. */
const REACH_FILE = () => join(process.cwd(), '.xorsim-judge-reach.json');

const ns = () => (globalThis.__stryker__ ??= {});

class XorsimTestRunner {
  static inject = tokens(commonTokens.logger);
  #log;
  #judge;
  /** Tests in the order mutants are judged (cheapest first, from the dry run). */
  #tests = [];
  /** test id → mutant ids its run reached. */
  #reach = new Map();
  /** Mutant ids reached while modules load. */
  #static = new Set();
  /** test id → its unmutated wall time (ms, instrumented). */
  #times = new Map();

  constructor(log) {
    this.#log = log;
  }

  capabilities() {
    // A mutant in module-load code needs fresh modules: mutantRun judges it in a child process.
    return { reloadEnvironment: false };
  }

  async init() {
    const { register } = await import('tsx/esm/api');
    register();
    // process.cwd() is Stryker's sandbox: the mutated src/ with the project's sim/.
    this.#judge = await import(pathToFileURL(join(process.cwd(), 'scripts/mutation/judge.ts')).href);
    this.#tests = this.#judge.judgeTests(process.cwd());
    // Stryker starts fresh workers after the dry run (and every maxTestRunnerReuse
    // mutants, and after a timeout): they read what the dry run measured.
    if (existsSync(REACH_FILE())) this.#load(JSON.parse(readFileSync(REACH_FILE(), 'utf8')));
  }

  #load(saved) {
    const order = new Map(saved.order.map((id, i) => [id, i]));
    this.#tests.sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
    this.#reach = new Map(Object.entries(saved.reach).map(([t, hits]) => [t, new Map(Object.entries(hits))]));
    this.#static = new Set(saved.static);
    this.#times = new Map(Object.entries(saved.times ?? {}));
  }

  async dryRun() {
    const s = ns();
    s.activeMutant = undefined;
    const cov = (s.mutantCoverage ??= { static: {}, perTest: {} });
    for (const id of Object.keys(cov.static)) this.#static.add(id);
    const results = [];
    const times = new Map();
    for (const t of this.#tests) {
      s.currentTestId = t.id;
      const o = await this.#judge.runJudgeTest(t);
      s.currentTestId = undefined;
      times.set(t.id, o.cpuMs);
      if (o.kind !== 'pass') {
        results.push({ id: t.id, name: t.id, status: TestStatus.Failed, failureMessage: `unmutated run failed: ${o.message}; replay: ${t.replay}`, timeSpentMs: o.cpuMs });
        continue;
      }
      results.push({ id: t.id, name: t.id, status: TestStatus.Success, timeSpentMs: o.cpuMs });
    }
    for (const id of Object.keys(cov.static)) this.#static.add(id);
    for (const [test, hits] of Object.entries(cov.perTest)) this.#reach.set(test, new Map(Object.entries(hits)));
    // Counters keep counting during mutant runs: empty them (the helper holds this object).
    for (const k of Object.keys(cov.static)) delete cov.static[k];
    for (const k of Object.keys(cov.perTest)) delete cov.perTest[k];
    this.#tests.sort((a, b) => times.get(a.id) - times.get(b.id));
    this.#times = times;
    writeFileSync(REACH_FILE(), JSON.stringify({ times: Object.fromEntries(times), order: this.#tests.map((t) => t.id), static: [...this.#static], reach: Object.fromEntries([...this.#reach].map(([t, hits]) => [t, Object.fromEntries(hits)])) }));
    this.#log.info(`xorsim judge: ${this.#tests.length} runs, ${[...times.values()].reduce((a, b) => a + b, 0)} ms unmutated (instrumented); ${this.#static.size} mutant(s) in module-load code`);
    for (const { tests } of UNIT_TESTS) results.push({ id: unitId(tests), name: unitId(tests), status: TestStatus.Success, timeSpentMs: 0 });
    results.push({ id: STATIC_ID, name: STATIC_ID, status: TestStatus.Success, timeSpentMs: 0 });
    return { status: DryRunStatus.Complete, tests: results };
  }

  async mutantRun({ activeMutant }) {
    if (this.#reach.size === 0) throw new Error(`xorsim judge: no reach measured (${REACH_FILE()} missing): the dry run must come first`);
    const id = activeMutant.id;
    const started = Date.now();
    const cpuStarted = process.cpuUsage();
    const unit = UNIT_TESTS.find((u) => u.files.test(activeMutant.fileName))?.tests;
    if (this.#static.has(id)) {
      const r = await childJudge(id);
      if (r.kind === 'kill') return killed(STATIC_ID, r.message, started);
      if (r.kind === 'timeout') return { status: MutantRunStatus.Timeout, reason: r.message };
      if (r.kind === 'sim-crash') note(id, activeMutant, `sim-crash only: ${r.message}`);
    } else {
      const s = ns();
      let ran = 0;
      let expectedMs = 0;
      const simCrashes = [];
      try {
        s.activeMutant = id;
        for (const t of this.#tests) {
          const hits = this.#reach.get(t.id)?.get(id);
          if (hits === undefined) continue;
          ran++;
          // An endless loop shows as far more passes through the mutant than the unmutated run made:
          // the instrumented code then throws, and the judge calls that a timeout (as Stryker's perTest mode does).
          s.hitCount = 0;
          s.hitLimit = HIT_LIMIT_FACTOR * hits + HIT_LIMIT_FLOOR;
          const o = await this.#judge.runJudgeTest(t);
          expectedMs += this.#times.get(t.id) ?? 0;
          if (o.kind === 'kill') return killed(t.id, o.message, started, ran);
          if (o.kind === 'timeout') return { status: MutantRunStatus.Timeout, reason: o.message };
          if (o.kind === 'sim-crash') simCrashes.push(o.message);
          // Far slower than the same runs unmutated (an event storm that does end): a timeout, as Stryker would call it.
          // In CPU time, as the unmutated runs were measured: a neighbour's load slows the wall clock, not this.
          const used = process.cpuUsage(cpuStarted);
          const spent = Math.round((used.user + used.system) / 1000);
          if (this.#times.size > 0 && spent > SLOW_FACTOR * expectedMs + SLOW_GRACE_MS) return { status: MutantRunStatus.Timeout, reason: `${ran} run(s) took ${spent} ms of CPU, unmutated ${Math.round(expectedMs)} ms` };
        }
      } finally {
        s.activeMutant = undefined;
        s.hitCount = undefined;
        s.hitLimit = undefined;
      }
      if (simCrashes.length > 0) note(id, activeMutant, `sim-crash only (${simCrashes.length}): ${simCrashes[0]}`);
      if (ran === 0 && unit === undefined) note(id, activeMutant, 'reached by no run');
    }
    if (unit !== undefined) {
      const u = await unitTests(id, unit);
      if (u.failed) return killed(unitId(unit), u.output, started, 1);
    }
    return { status: MutantRunStatus.Survived, nrOfTests: 1, duration: Date.now() - started };
  }
}

function killed(test, message, started, nrOfTests = 1) {
  return { status: MutantRunStatus.Killed, killedBy: [test], failureMessage: message, nrOfTests, duration: Date.now() - started };
}

function note(id, mutant, text) {
  const file = process.env.XORSIM_MUTATION_NOTES;
  if (file) appendFileSync(file, `${JSON.stringify({ id, file: mutant.fileName, line: mutant.location?.start?.line + 1, mutator: mutant.mutatorName, replacement: mutant.replacement, note: text })}\n`);
}

/** Runs a node child in the sandbox with the mutant switched on from the start; its output and exit code. */
function child(id, args) {
  return new Promise((resolve) => {
    const env = { ...process.env, __STRYKER_ACTIVE_MUTANT__: id, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const c = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: process.cwd(), env });
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    c.stderr.setEncoding('utf8').on('data', (d) => (out += d));
    c.on('close', (code) => resolve({ code, out }));
  });
}

async function childJudge(id) {
  const { code, out } = await child(id, ['scripts/mutation/judge-cli.ts']);
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (line !== undefined) return JSON.parse(line);
  // The child died before it could judge: a crash while modules load is the product's if src/ threw it.
  return /[/\\]src[/\\]/.test(out.split('\n').find((l) => l.includes(' at ')) ?? '') ? { kind: 'kill', message: `load crash (exit ${code}): ${out.slice(0, 400)}` } : { kind: 'sim-crash', message: `exit ${code}: ${out.slice(0, 400)}` };
}

/**
 * A file of an installed package, found as Node finds a package from the sandbox: in its node_modules or a
 * parent directory's. StrykerJS links the project's node_modules into the sandbox only when it is a directory;
 * in a git worktree whose node_modules is itself a link there is none, and a path relative to the sandbox
 * failed every unit test run — which counted as a kill.
 */
function installed(path) {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', path);
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) throw new Error(`xorsim judge: ${path} is not installed above ${process.cwd()}`);
  }
}

async function unitTests(id, tests) {
  const { code, out } = await child(id, [installed('uvu/bin.js'), 'test', `^(${tests.join('|')})\\.test\\.ts$`, '--bail']);
  const failing = out.split('\n').filter((l) => /FAIL|✘|Error/.test(l)).slice(0, 3).join(' | ');
  return { failed: code !== 0, output: `unit tests failed (exit ${code}): ${failing.slice(0, 400)}` };
}

// ——— the ignorer ———

// A term of a condition that is true only in a world the judge does not count:
// the literal variant (`!hardened`, `variant === 'literal'`), or a planted bug
// (a `seam.<decision>` other than its honest value). `excludedWhen(test, true)`:
// is the condition true only there? `excludedWhen(test, false)`: is it false
// only there?
function nameOf(n) {
  if (n.type === 'Identifier') return n.name;
  if ((n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') && !n.computed) {
    return n.property.type === 'PrivateName' ? n.property.id.name : n.property.name;
  }
  return undefined;
}
const isHardened = (n) => nameOf(n) === 'hardened';
/** The seam's yes-or-no decisions and their honest values, read from the seam's own file (its `HONEST`). */
const HONEST = honestDecisions(readFileSync(new URL('../../src/protocol/planted-bugs.ts', import.meta.url), 'utf8'));
export function honestDecisions(text) {
  const body = text.slice(text.indexOf('export const HONEST'));
  const decisions = new Map();
  for (const m of body.slice(0, body.indexOf('\n};')).matchAll(/^ {2}(\w+): (true|false),$/gm)) decisions.set(m[1], m[2] === 'true');
  return decisions;
}
/** `assert(…)` (src/util/assert.ts). */
const isAssert = (n) => n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'assert';

/** `seam.<decision>` (`d.seam.dedups`, `this.#seam.delta`): a decision a planted bug may change. */
export function isSeam(n) {
  return (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') && !n.computed && nameOf(n.object) === 'seam';
}
function variantIs(n, value) {
  if (n.type !== 'BinaryExpression' || !['===', '!=='].includes(n.operator)) return undefined;
  const [id, lit] = n.right.type === 'StringLiteral' ? [n.left, n.right] : [n.right, n.left];
  if (lit.type !== 'StringLiteral' || nameOf(id) !== 'variant') return undefined;
  return (lit.value === value) === (n.operator === '===');
}
export function excludedWhen(n, when) {
  if (n.type === 'ParenthesizedExpression' || n.type === 'TSNonNullExpression') return excludedWhen(n.expression, when);
  if (n.type === 'UnaryExpression' && n.operator === '!') return excludedWhen(n.argument, !when);
  if (n.type === 'LogicalExpression') {
    // a && b true: both true; false: either may be. a || b false: both false; true: either may be.
    if (n.operator === '&&' && when) return excludedWhen(n.left, true) || excludedWhen(n.right, true);
    if (n.operator === '||' && !when) return excludedWhen(n.left, false) || excludedWhen(n.right, false);
    return false;
  }
  if (isHardened(n)) return !when; // hardened false: literal
  if (isSeam(n) && HONEST.has(nameOf(n))) return when !== HONEST.get(nameOf(n));
  const literal = variantIs(n, 'literal');
  if (literal !== undefined) return literal === when;
  const hardened = variantIs(n, 'hardened');
  if (hardened !== undefined) return hardened !== when;
  return false;
}
const alwaysReturns = (s) => s.type === 'ReturnStatement' || s.type === 'ThrowStatement' || (s.type === 'BlockStatement' && s.body.length > 0 && alwaysReturns(s.body.at(-1)));

export function excludedReason(path) {
  const n = path.node;
  const parent = path.parent;
  if (isSeam(n)) return 'xorsim: planted-bug seam (judged by xorsim selftest)';
  // An assertion is a check, not behaviour: weakened or removed, no correct run can fail it (and
  // strengthened, any run that reaches it does). The lint makes sure the controllers have them.
  // The statement too: StrykerJS removes a call (`assert(…);` → `;`) at its ExpressionStatement.
  if (isAssert(n) || (n.type === 'ExpressionStatement' && isAssert(n.expression)) || (parent?.type === 'CallExpression' && isAssert(parent) && path.listKey === 'arguments')) return "xorsim: an assertion (a controller's check on its own state)";
  const only = (test, when) => (excludedWhen(test, when) ? `xorsim: runs only when \`${test.start !== undefined ? 'its condition' : 'a condition'}\` is ${when} — literal variant or a planted bug` : undefined);
  if (parent === undefined || parent === null) return undefined;
  if ((parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') && path.key === 'consequent') return only(parent.test, true);
  if ((parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') && path.key === 'alternate') return only(parent.test, false);
  if (parent.type === 'LogicalExpression' && path.key === 'right') return only(parent.left, parent.operator === '&&');
  if (path.listKey === 'body' || path.listKey === 'consequent') {
    // After `if (hardened) return;` only literal goes on.
    const siblings = path.container;
    for (let i = 0; i < path.key; i++) {
      const s = siblings[i];
      if (s.type === 'IfStatement' && s.alternate == null && alwaysReturns(s.consequent) && excludedWhen(s.test, false)) return 'xorsim: after an early return that only literal (or a planted bug) passes';
    }
  }
  return undefined;
}

export const strykerPlugins = [
  declareClassPlugin(PluginKind.TestRunner, 'xorsim', XorsimTestRunner),
  declareValuePlugin(PluginKind.Ignore, 'xorsim-excluded', { shouldIgnore: excludedReason }),
];
