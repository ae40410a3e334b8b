// replay: the same run as `run` (same traceHash), its trace as JSON lines and
// as a Chrome/Perfetto timeline that loads (every slice on a named track, no
// negative duration, no overlap within a track), filters, and the events
// around a violation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TraceRecord } from '../sim/engine/trace.js';
import { assignLanes } from '../sim/replay/lanes.js';
import { type ChromeTrace, toChromeTrace } from '../sim/replay/perfetto.js';
import { touches } from '../sim/replay/records.js';
import { replay } from '../sim/replay/replay.js';
import { explore } from '../sim/explore/explore.js';
import { AS_WRITTEN } from '../sim/scenario/prepare/variant.js';
import { replayCommand } from '../sim/scenario/prepare/replay-command.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { scenario } from './helpers.js';
import { xorsimHere } from './in-process-cli.js';

const BIN = new URL('../bin/xorsim.mjs', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;
const ENV = { ...process.env };
delete ENV.FORCE_COLOR;
const xorsim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: ENV });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const lossy = scenario({
  primaries: { count: 3, blocks: 64 },
  network: { model: 'lossy', latency: '100us', jitter: '40us', loss: '3%', duplicate: '2%', reorder: '2%', reorderDelay: '1ms' },
  workload: { duration: '120ms', iodepth: 4, thinkTime: '500us', readFraction: 0.3 },
  faults: { schedule: [{ at: '50ms', do: 'partition', between: ['p2', 'parity'], for: '20ms' }] },
});
const hdd = scenario({ primaries: { count: 2, blocks: 64 }, disk: { model: 'hdd', drives: 2 }, workload: { duration: '100ms', iodepth: 2, thinkTime: '2ms' } });

/** Structural checks a trace viewer relies on; returns the slices per category. */
function checkChromeTrace(trace: ChromeTrace): Map<string, number> {
  const text = JSON.stringify(trace);
  const parsed = JSON.parse(text) as ChromeTrace;
  assert.ok(Array.isArray(parsed.traceEvents));
  const processes = new Set<number>();
  const threads = new Set<string>();
  for (const e of parsed.traceEvents) {
    if (e.ph !== 'M') continue;
    if (e.name === 'process_name') processes.add(e.pid);
    if (e.name === 'thread_name') threads.add(`${e.pid}:${e.tid}`);
    assert.type(e.args?.['name'] ?? e.args?.['sort_index'], e.name.endsWith('_name') ? 'string' : 'number');
  }
  const perCat = new Map<string, number>();
  const lastEnd = new Map<string, number>();
  const slices = parsed.traceEvents.filter((e) => e.ph === 'X').sort((a, b) => a.ts! - b.ts!);
  for (const e of parsed.traceEvents) {
    if (e.ph === 'M') continue;
    assert.ok(e.ph === 'X' || e.ph === 'i' || e.ph === 's' || e.ph === 't' || e.ph === 'f', `phase ${e.ph}`);
    assert.ok(processes.has(e.pid) && threads.has(`${e.pid}:${e.tid}`), `${e.name} at ${e.ts} has no named track`);
    assert.ok(Number.isSafeInteger(e.ts) && e.ts! >= 0, `ts ${e.ts}`);
    assert.type(e.name, 'string');
  }
  for (const e of slices) {
    assert.ok(Number.isSafeInteger(e.dur) && e.dur! >= 0, `${e.name}: dur ${e.dur}`);
    const track = `${e.pid}:${e.tid}`;
    assert.ok((lastEnd.get(track) ?? 0) <= e.ts!, `${e.name} at ${e.ts} overlaps the previous slice of its track`);
    lastEnd.set(track, e.ts! + e.dur!);
    perCat.set(e.cat!, (perCat.get(e.cat!) ?? 0) + 1);
  }
  return perCat;
}

const names = (trace: ChromeTrace, what: 'process_name' | 'thread_name') =>
  trace.traceEvents.filter((e) => e.ph === 'M' && e.name === what).map((e) => String(e.args!['name']));

/** One replay per scenario and seed, shared by the tests below. */
const replays = new Map<string, ReturnType<typeof replay>>();
const replayOf = (s: typeof lossy, seed: number) => {
  const key = `${s.name}/${s.network.model}/${s.disk.model}/${seed}`;
  if (!replays.has(key)) replays.set(key, replay(s, { seed, file: 'x' }));
  return replays.get(key)!;
};

test('same seed via run, replay, explore with 1 and with 2 workers: identical traceHash; replay\'s records are run --trace\'s lines', async () => {
  const lines: string[] = [];
  const direct = [(await runScenario(lossy, { seed: 1, file: 'x', traceSink: (l) => lines.push(l) })).traceHash, (await runScenario(lossy, { seed: 2, file: 'x' })).traceHash];
  const replayed = await Promise.all([1, 2].map(async (seed) => (await replayOf(lossy, seed)).report.traceHash));
  const explored = async (workers: number) => (await explore([{ file: 'x', scenario: lossy }], { from: 1, seeds: 2, workers, variant: AS_WRITTEN, recheck: 0 })).scenarios[0]!.runs.map((r) => r.traceHash);
  const one = await explored(1);
  const two = await explored(2);
  assert.equal(replayed, direct);
  assert.equal(one, direct);
  assert.equal(two, direct);
  assert.is(new Set(direct).size, 2);
  const { records } = await replayOf(lossy, 1);
  assert.ok(records.length > 1000, `${records.length} records`);
  assert.equal(records.map((r) => JSON.stringify(r)), lines);
});

test('replay is the same run on ideal and HDD arrays too', async () => {
  for (const s of [scenario({ primaries: { count: 2, blocks: 64 }, workload: { duration: '50ms' } }), hdd]) {
    const ran = await runScenario(s, { seed: 1, file: 'x' });
    const again = await replayOf(s, 1);
    assert.is(again.report.traceHash, ran.traceHash);
    assert.is(again.report.events, ran.events);
  }
});

test('timeline: every slice on a named track, durations ≥ 0, no overlap; one slice per host op and per message', async () => {
  const { report, records } = await replayOf(lossy, 1);
  assert.is(report.verdict, 'pass');
  const trace = toChromeTrace(records, lossy, { seed: 1 });
  const perCat = checkChromeTrace(trace);
  assert.is(perCat.get('host'), report.hostOps.acked + report.hostOps.failed);
  // Every message ends delivered or dropped, each copy of a duplicate too.
  const count = (kind: string) => records.filter((r) => r.kind === kind).length;
  assert.ok(count('net.drop') > 0 && count('net.duplicate') > 0, 'the lossy network dropped and duplicated');
  assert.is(perCat.get('net'), count('net.deliver') + count('net.drop'));
  assert.is(count('net.deliver') + count('net.drop'), report.network.messages + count('net.duplicate'));
  assert.is(perCat.get('disk'), count('disk.read') + count('disk.write'));
  assert.is(perCat.get('journal'), count('log.append') + count('log.trim'));
  assert.equal(names(trace, 'process_name').slice(0, 5), ['p1', 'p2', 'p3', 'parity', 'network']);
  const threads = names(trace, 'thread_name');
  for (const t of ['host', 'disk', 'journal', 'p1 → parity', 'parity → p2']) assert.ok(threads.includes(t), t);
  // The scheduled partition shows as a fault instant (named as the schedule names it) and as links going down.
  const partition = records.find((r) => r.kind === 'fault')!;
  assert.ok(trace.traceEvents.some((e) => e.ph === 'i' && e.cat === 'fault' && e.name === 'partition' && e.ts === partition.t));
  assert.is(trace.traceEvents.filter((e) => e.ph === 'i' && e.name === 'link down').length, 2);
  // A delivered message spans exactly its send and delivery.
  const deliver = records.find((r) => r.kind === 'net.deliver' && r['block'] !== -1)!;
  const s = trace.traceEvents.find((e) => e.ph === 'X' && e.cat === 'net' && e.ts! + e.dur! === deliver.t && e.args!['sentAt'] === deliver['sentAt'])!;
  assert.is(s.ts, deliver['sentAt']);
});

test('records name message types, sequence numbers and drop reasons (notes the traceHash leaves out)', async () => {
  const { report, records } = await replayOf(lossy, 1);
  const deltas = records.filter((r) => r.kind === 'net.send' && r['type'] === 'delta');
  assert.ok(deltas.length > 100 && deltas.every((r) => typeof r['seq'] === 'number' && (r['seq'] as number) >= 1));
  assert.ok(records.some((r) => r.kind === 'net.deliver' && r['type'] === 'delta-ack' && typeof r['seq'] === 'number'));
  const drops = records.filter((r) => r.kind === 'net.drop');
  assert.ok(drops.length > 0 && drops.every((r) => ['loss', 'partitioned-at-send', 'partitioned-in-flight', 'no-listener', 'malformed'].includes(String(r['reason']))), JSON.stringify(drops[0]));
  assert.ok(drops.some((r) => r['reason'] === 'loss') && drops.some((r) => String(r['reason']).startsWith('partitioned')));
  // The same run without a sink: the notes change nothing the hash sees.
  assert.is((await runScenario(lossy, { seed: 1, file: 'x' })).traceHash, report.traceHash);
  // The violation report's recent events carry them too.
  const literal = await runScenario({ ...scenario({ primaries: { count: 3, blocks: 8 }, workload: { duration: '200ms', iodepth: 4 } }), protocol: 'literal' }, { seed: 1, file: 'x' });
  assert.ok(literal.violations[0]!.recent.some((line) => / net\.send .* type=delta$/.test(line)), literal.violations[0]!.recent.join('\n'));
});

test('timeline: flow arrows follow each host write through its delta, parity\'s write and the ack back', async () => {
  const { report, records } = await replayOf(lossy, 1);
  const trace = toChromeTrace(records, lossy, {});
  const flows = new Map<number, ChromeTrace['traceEvents']>();
  for (const e of trace.traceEvents) if (e.ph === 's' || e.ph === 't' || e.ph === 'f') flows.set(e.id!, [...(flows.get(e.id!) ?? []), e]);
  const writes = records.filter((r) => r.kind === 'host.op' && r['write'] === 1 && r['ok'] === 1).length;
  assert.ok(flows.size > 0.9 * writes, `${flows.size} arrows for ${writes} writes`);
  const slices = trace.traceEvents.filter((e) => e.ph === 'X');
  let full = 0;
  for (const [, points] of flows) {
    assert.is(points[0]!.ph, 's');
    assert.ok(points.filter((p) => p.ph === 's').length === 1 && points.filter((p) => p.ph === 'f').length <= 1);
    for (const p of points) assert.ok(slices.some((s) => s.pid === p.pid && s.tid === p.tid && s.ts! <= p.ts! && p.ts! <= s.ts! + s.dur!), `flow point at ${p.ts} outside any slice of its track`);
    const names = points.filter((p) => p.ph === 't').map((p) => slices.find((s) => s.pid === p.pid && s.tid === p.tid && s.ts === p.ts)?.name ?? '');
    if (points.length === 5 && /^delta \d+ #\d+$/.test(names[0]!) && /^write \d+$/.test(names[1]!) && /^delta-ack \d+ #\d+$/.test(names[2]!)) full++;
  }
  assert.ok(full > 0.8 * flows.size, `${full} of ${flows.size} arrows go host → delta → parity write → ack → host`);
  assert.is(report.verdict, 'pass');
});

test('timeline of HDD arrays: a track per drive, slices over each drive\'s service', async () => {
  const { records } = await replayOf(hdd, 1);
  const trace = toChromeTrace(records, hdd, {});
  const perCat = checkChromeTrace(trace);
  assert.ok(names(trace, 'thread_name').includes('d1'));
  assert.is(perCat.get('drive'), records.filter((r) => /^hdd\.(read|write|destage)$/.test(r.kind)).length);
  const slice = trace.traceEvents.find((e) => e.ph === 'X' && e.cat === 'drive')!;
  assert.is(slice.dur, slice.args!['serviceUs']);
});

test('record kinds the timeline does not know become instants on their actor\'s track', () => {
  const r: TraceRecord = { t: 5, kind: 'scrub.mismatch', actor: 'p2', block: 7 };
  const trace = toChromeTrace([r], scenario(), {});
  checkChromeTrace(trace);
  const e = trace.traceEvents.find((x) => x.ph === 'i')!;
  assert.is(e.name, 'scrub.mismatch');
  assert.is(e.args!['block'], 7);
  assert.is(trace.traceEvents.find((x) => x.name === 'process_name' && x.pid === e.pid)!.args!['name'], 'p2');
});

test('filters: --array keeps what touches the array (its host, I/O, messages), --block one block', async () => {
  const all = (await replayOf(lossy, 1)).records;
  const p2 = (await replay(lossy, { seed: 1, file: 'x', filter: { array: 'p2' } })).records;
  assert.equal(p2, all.filter((r) => touches(r, 'p2')));
  for (const kind of ['host.op', 'disk.write', 'net.send', 'net.deliver', 'log.append']) assert.ok(p2.some((r) => r.kind === kind), kind);
  assert.ok(p2.every((r) => r.actor !== 'p1' || r['to'] === 'p2'));
  const b = (await replay(lossy, { seed: 1, file: 'x', filter: { block: 9, array: 'parity' } })).records;
  assert.ok(b.length > 5);
  assert.equal(b, all.filter((r) => r['block'] === 9 && touches(r, 'parity')));
});

test('a violation: the trace holds every event of the broken block, beyond the run\'s ring of 12', async () => {
  const hot = scenario({ protocol: 'literal', primaries: { count: 3, blocks: 8 } });
  const { report, records } = await replay(hot, { seed: 1, file: 'x' });
  assert.is(report.verdict, 'correctness');
  const v = report.violations[0]!;
  const about = records.filter((x) => x['block'] === v.block);
  assert.ok(about.length > 40, `${about.length} records about block ${v.block}`);
  assert.is(about.at(-1)!.kind, 'check.parity');
  assert.is(about.at(-1)!['ok'], 0);
});

test('CLI: run and replay agree on the traceHash; --perfetto and --jsonl written; a failing replay prints 40 events and what to do next', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-replay-'));
  const run = JSON.parse((await xorsimHere('run', 'test/fixtures/tiny.json', '--seed', '5', '--json')).stdout);
  const r = await xorsimHere('replay', 'test/fixtures/tiny.json', '--seed', '5', '--json', '--perfetto', join(dir, 't.json'), '--jsonl', join(dir, 't.jsonl'));
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).traceHash, run.traceHash);
  checkChromeTrace(JSON.parse(readFileSync(join(dir, 't.json'), 'utf8')));
  assert.ok(readFileSync(join(dir, 't.jsonl'), 'utf8').split('\n').length > 100);

  const fail = xorsim('replay', 'test/fixtures/hot-literal.json', '--seed', '1');
  assert.is(fail.code, 1);
  const events = /last events touching block (\d+):\n((?: {6}t=.*\n)+)/.exec(fail.stdout);
  assert.ok(events !== null, fail.stdout);
  const lines = events[2]!.trim().split('\n');
  assert.is(lines.length, 40);
  assert.ok(lines.every((l) => l.includes(`block=${events[1]}`)));
  assert.match(lines.at(-1)!, /check\.parity checker block=\d+ ok=0$/);
  assert.match(fail.stdout, /replay: npx xorsim replay test\/fixtures\/hot-literal\.json --seed 1 --protocol literal\n/);
  assert.match(fail.stdout, /timeline: npx xorsim replay test\/fixtures\/hot-literal\.json --seed 1 --protocol literal --perfetto hot-literal-seed1\.perfetto\.json/);
  assert.match(fail.stdout, /shrink: +npx xorsim shrink test\/fixtures\/hot-literal\.json --seed 1 --protocol literal --out hot-literal-seed1\.shrunk\.json/);
});

test('CLI: a bad filter is one line naming the flag, exit 2, nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-replay-'));
  for (const [args, message] of [
    [['--array', 'p9'], /^xorsim: --array: no array named "p9" \(arrays: p1, p2, parity\)$/],
    [['--block', '64'], /^xorsim: --block: 64 is beyond the arrays \(blocks 0…63\)$/],
    [['--block', 'x'], /^xorsim: --block: expected a non-negative integer, got "x"$/],
  ] as const) {
    const r = await xorsimHere('replay', 'test/fixtures/tiny.json', '--seed', '1', '--perfetto', join(dir, 'p.json'), ...args);
    assert.is(r.code, 2);
    assert.match(r.stderr.trim(), message);
    assert.is(r.stdout, '');
  }
  assert.equal(readdirSync(dir), []);
});

test('replay commands paste into a shell as they are: odd file names quoted', async () => {
  assert.is(replayCommand('scenarios/quickstart.json', 1, 'literal'), 'npx xorsim replay scenarios/quickstart.json --seed 1 --protocol literal');
  assert.is(replayCommand('my runs/x.json', 3, 'hardened'), "npx xorsim replay 'my runs/x.json' --seed 3 --protocol hardened");
  assert.is(replayCommand("it's $HOME.json", 3, 'hardened'), "npx xorsim replay 'it'\\''s $HOME.json' --seed 3 --protocol hardened");
  const cmd = replayCommand("it's $HOME.json", 3, 'hardened');
  const sh = spawnSync('sh', ['-c', `printf %s ${cmd.slice('npx xorsim replay '.length, cmd.indexOf(' --seed'))}`], { encoding: 'utf8' });
  assert.is(sh.stdout, "it's $HOME.json");
});

test('lanes: as many as the most slices in progress at once, and no two slices of a lane overlap', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ ts: fc.nat(1000), dur: fc.nat(200) }), { maxLength: 60 }), (intervals) => {
      const { lanes, count } = assignLanes(intervals);
      // Slices in progress when each starts (itself included): the fewest lanes possible.
      const depth = intervals.map((a, i) => 1 + intervals.filter((o, j) => j !== i && o.ts <= a.ts && a.ts < o.ts + o.dur).length);
      if (count !== Math.max(0, ...depth)) return false;
      for (let i = 0; i < intervals.length; i++) {
        for (let j = i + 1; j < intervals.length; j++) {
          const [a, b] = [intervals[i]!, intervals[j]!];
          if (lanes[i] === lanes[j] && a.ts < b.ts + b.dur && b.ts < a.ts + a.dur) return false;
        }
      }
      return true;
    }),
  );
});
test.run();
