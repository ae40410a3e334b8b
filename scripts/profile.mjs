#!/usr/bin/env node
// `npm run profile [-- <scenario files…>] [--seeds N] [--full]`: where the
// whole stack's CPU goes. Runs the scenarios (default: every shipped one, as
// the CI gate does) on the compiled dist/, `--quick` unless --full, seeds
// 1…N, in this process under V8's sampling profiler, after one untimed round
// (so the JIT is warm, as in an exploration's worker), and prints self time by
// area (V8's microtask queue, the garbage collector, Node's nextTick, each
// folder of src/ and sim/), then the functions and the source lines that take
// most. For reading, not for CI: a sample is statistical, and the profiler
// slows the run a little.
//
// Functions and lines are named in the compiled JavaScript (dist/), whose
// line numbers are not the sources'. A line's number is in its function's own
// file, except where V8 inlined another file's code into it: that code's
// samples carry its own line number under the caller's name (the engine's
// `after` shows lines of dist/sim/engine/event-queue.js).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;

function usage(problem) {
  console.error(`npm run profile: ${problem}`);
  console.error('usage: npm run profile [-- <scenario.json …>] [--seeds N] [--full]');
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { seeds: { type: 'string', default: '2' }, full: { type: 'boolean', default: false }, top: { type: 'string', default: '15' } } });
} catch (e) {
  usage(e.message);
}
const seeds = Number(parsed.values.seeds);
const top = Number(parsed.values.top);
if (!Number.isInteger(seeds) || seeds < 1) usage(`--seeds: not a whole number ≥ 1: ${parsed.values.seeds}`);
if (!Number.isInteger(top) || top < 1) usage(`--top: not a whole number ≥ 1: ${parsed.values.top}`);
const files = parsed.positionals.length > 0 ? parsed.positionals : readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort().map((f) => join('scenarios', f));

if (spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
const { run } = await import(join(root, 'dist/lib/run.js'));
const { parseScenarioText } = await import(join(root, 'dist/sim/scenario/load.js'));

const scenarios = files.map((file) => {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    usage(`${file}: cannot read it (${e.code ?? e.message})`);
  }
  const r = parseScenarioText(file, text);
  if (!r.ok) {
    const p = r.problems[0];
    usage(`${file}${p.path ? ` (${p.path})` : ''}: ${p.message}`);
  }
  return JSON.parse(text);
});
const quick = !parsed.values.full;

for (const s of scenarios) await run(s, { seed: 1, quick }); // warm-up, untimed
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const cpu0 = process.cpuUsage();
let events = 0;
for (let seed = 1; seed <= seeds; seed++) for (const s of scenarios) events += (await run(s, { seed, quick })).events;
const cpu = process.cpuUsage(cpu0);
const { profile } = await session.post('Profiler.stop');
session.disconnect();

const cpuS = (cpu.user + cpu.system) / 1e6;
console.log(`${files.length} scenario(s) × ${seeds} seed(s)${quick ? ' --quick' : ''}: ${events.toLocaleString('en-US')} events in ${cpuS.toFixed(1)} s of CPU under the profiler (${(events / cpuS / 1e6).toFixed(2)} M events per CPU-second)`);

// Time per node: each sample's delta goes to the node it landed in.
const timeOf = new Map();
profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
// The profiler's own start (its inspector call, which walks every compiled function) lands in
// the first samples as native `dispatch`: left out of every share.
const isStart = (node) => node.callFrame.functionName === 'dispatch' && node.callFrame.url === '';
let total = 0;
let startUs = 0;
for (const node of profile.nodes) {
  if (isStart(node)) startUs += timeOf.get(node.id) ?? 0;
  else total += timeOf.get(node.id) ?? 0;
}

const V8 = { '(garbage collector)': 'V8: garbage collector', runMicrotasks: "V8: microtask queue (promise reactions, awaits' continuations)", '(program)': 'V8: compiling and other native work', '(idle)': 'idle' };
function area(frame) {
  if (V8[frame.functionName]) return V8[frame.functionName];
  const at = frame.url.indexOf('/dist/');
  if (at >= 0) return frame.url.slice(at + 6).split('/').slice(0, 2).join('/');
  if (frame.url.startsWith('node:internal/process/task_queues')) return 'Node: process.nextTick and its queue';
  if (frame.url.startsWith('node:')) return `Node: ${frame.url.slice(5)}`;
  return frame.url === '' ? `native: ${frame.functionName || '(anonymous)'}` : frame.url.split('/node_modules/').pop();
}
// Lines are the compiled JavaScript's (dist/): esbuild strips types without keeping line numbers.
const where = (frame) => (frame.url.includes('/dist/') ? frame.url.slice(frame.url.indexOf('/dist/') + 1) : frame.url || '(native)');

const byArea = new Map();
const byFunction = new Map();
const byLine = new Map();
let lineTicks = 0;
let samples = 0;
for (const node of profile.nodes) {
  if (isStart(node)) continue;
  samples += node.hitCount ?? 0;
  const t = timeOf.get(node.id) ?? 0;
  const f = node.callFrame;
  const a = area(f);
  byArea.set(a, (byArea.get(a) ?? 0) + t);
  const name = `${f.functionName || '(anonymous)'}  ${where(f)}:${f.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + t);
  for (const p of node.positionTicks ?? []) {
    const key = `line ${p.line} in ${f.functionName || '(anonymous)'}  (${where(f)})`;
    byLine.set(key, (byLine.get(key) ?? 0) + p.ticks);
    lineTicks += p.ticks;
  }
}
const pct = (x, of) => `${((100 * x) / of).toFixed(1).padStart(5)} %`;
const print = (title, map, of, n) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(v, of)}  ${k}`);
};
console.log(`(the profiler's start: ${(startUs / 1000).toFixed(0)} ms, left out below)`);
print('self time by area', byArea, total, 25);
print(`self time by function (top ${top})`, byFunction, total, top);
print(`samples by source line (top ${top}; share of all samples)`, byLine, samples, top);
if (lineTicks === 0) console.log('  (no line positions in this profile)');
