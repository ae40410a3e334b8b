// `xorsim report`: a tiny build of all three reports on two worker threads
// produces every file, well formed; its theory checks agree; the runs it names
// repeat exactly from the scenario files it writes; each theory check can
// fail; and bad input exits 2 with one line and writes nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../cli/main.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioValue } from '../sim/scenario/load.js';
import { indexFiles, reportFiles } from '../reports/render/report-files.js';
import { renderChart } from '../reports/render/chart-png.js';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { buildReports } from '../cli/run-reports.js';
import type { Mg1Result } from '../reports/latency/mg1.js';
import { mg1Check } from '../reports/latency/load-sections.js';
import { REPORT_NAMES, type Report } from '../reports/model/report.js';
import { PLANNERS } from '../reports/plans.js';
import { type Config, type ReliabilityContext, groupModel } from '../reports/reliability/reliability-context.js';
import { reliabilityChecks } from '../reports/reliability/reliability-sections.js';
import { formulaMttdlYears } from '../reports/reliability/monte-carlo.js';
import { type CapacityContext, capacityParams } from '../reports/capacity/capacity-context.js';
import { repairChecks } from '../reports/capacity/capacity-sections.js';
import type { RunPointResult } from '../reports/jobs/run-point.js';
import { roundSig } from '../reports/model/format.js';
import { chiSquareQuantile, exponentialMeanInterval, normalQuantile } from '../reports/stats/confidence.js';

const provenance = { command: 'npx xorsim report all (test)', machine: 'test', wallSeconds: 0, cpuSeconds: 0 };
let reports: Report[] = [];

test('a tiny build of every report on 2 workers: every section, chart, table and theory check; every check agrees, every run as expected', async () => {
  reports = await buildReports(['latency', 'capacity', 'reliability'], { quick: true, seeds: 1, tiny: true }, 2, false);
  assert.equal(reports.map((r) => r.name), ['latency', 'capacity', 'reliability']);
  const charts = (r: Report) => r.sections.flatMap((s) => s.charts.map((c) => c.id));
  assert.equal(charts(reports[0]!), ['write-latency-vs-load', 'read-latency-vs-load', 'iops-vs-load', 'latency-cdf', 'write-breakdown', 'ack-policy', 'network-loss', 'restore-timeline', 'mg1-wait']);
  assert.equal(charts(reports[1]!), ['capacity', 'parity-saturation', 'saturation-utilisation', 'restore-duration', 'rebuild-duration', 'bytes-per-write']);
  assert.equal(charts(reports[2]!), ['mttdl-drive', 'mttdl-array', 'mttdl-read-errors', 'bytes-lost-per-year']);
  for (const r of reports) {
    assert.ok(r.checks.length > 0, `${r.name} has theory checks`);
    for (const c of r.checks) assert.ok(c.pass, `${r.name}: ${c.name}: simulated ${c.simulated}, predicted ${c.predicted}, ${c.tolerance}`);
    for (const run of r.runs) assert.is(run.verdict, run.expected ?? 'pass', `${r.name}: ${run.id} seed ${run.seed}`);
    for (const s of r.sections) for (const c of s.charts) for (const series of c.series) for (const p of series.points) assert.ok(Number.isFinite(p.y), `${r.name}/${c.id}/${series.label}: y = ${p.y}`);
  }
  assert.ok(reports[1]!.runs.some((r) => r.id.endsWith('-rt5ms') && r.verdict === 'pass'), 'a restore with the 5 ms initial timeout and 1 MiB blocks finishes: the timer adapts');
});

test('capacity --real-scale: the shipped real-scale scenario (here at 1/1024) adds a restore at real size beside the small arrays\' prediction', async () => {
  const text = JSON.parse(readFileSync(new URL('../scenarios/large/real-scale.json', import.meta.url), 'utf8'));
  const small = { ...text, primaries: { ...text.primaries, blocks: 2 ** 14 }, workload: { ...text.workload, duration: '84s' }, faults: { schedule: [{ ...text.faults.schedule[0], at: '3.5s' }] }, settle: '90s' };
  const [capacity] = await buildReports(['capacity'], { quick: true, seeds: 1, tiny: true, realScale: small }, 2, false);
  const section = capacity!.sections.find((s) => s.title === 'Restore at real size');
  assert.ok(section !== undefined, 'the section is there');
  const row = section.tables[0]!.rows[0]!;
  assert.is(row['verdict'], 'pass');
  assert.is(row['under_host_load'], 'yes');
  assert.ok(typeof row['restore_h'] === 'number' && row['restore_h'] > 0, `restore_h ${row['restore_h']}`);
  assert.ok(typeof row['small_arrays_predict_h'] === 'number', 'compared with the small arrays');
  assert.match(section.text[0]!, /16 GiB \(16,384 blocks of 1 MiB\)/);
  assert.ok(capacity!.runs.some((r) => r.id === 'real-scale' && r.verdict === 'pass'));
  assert.is((capacity!.scenarios['real-scale'] as Record<string, unknown> | undefined)?.['$schema'], undefined, 'written beside the report without the shipped file\'s $schema path');
  const plain = PLANNERS.capacity({ quick: true, seeds: 1, tiny: true });
  assert.is(PLANNERS.capacity({ quick: true, seeds: 1, tiny: true, realScale: small }).jobs.length, plain.jobs.length + 1, 'one run, one seed');
});

test('the quick and full plans are well formed: every scenario validates, every job names its module', () => {
  for (const quick of [true, false]) {
    for (const name of REPORT_NAMES) {
      const plan = PLANNERS[name]({ quick, seeds: 3 });
      assert.ok(plan.jobs.length > 0, `${name}${quick ? ' --quick' : ''}`);
      for (const { job, cost } of plan.jobs) {
        assert.match(job.module, /^file:\/\/.*\/reports\/.*\.ts$/);
        assert.ok(cost > 0 && Number.isFinite(cost), `${name}: cost ${cost}`);
      }
    }
  }
});

test('write breakdown: the components add up to the write latency', () => {
  const table = reports[0]!.sections.flatMap((s) => s.tables).find((t) => t.id === 'write-breakdown')!;
  for (const row of table.rows) {
    const parts = table.columns.filter((c) => c.key !== 'writes' && c.key !== 'total_ms').map((c) => row[c.key] as number);
    for (const p of parts) assert.ok(p >= -0.002, `${row['writes']}: a component of ${p} ms`);
    assert.ok(Math.abs(parts.reduce((s, x) => s + x, 0) - (row['total_ms'] as number)) < 0.01, `${row['writes']}`);
    assert.ok((row['total_ms'] as number) > 1, 'a write on drives takes milliseconds');
  }
});

test('files: PNG charts, report.md and a self-contained report.html naming them, well-formed CSV and JSON, valid scenario files', async () => {
  for (const report of reports) {
    const files = await reportFiles(report, provenance);
    const charts = report.sections.flatMap((s) => s.charts);
    const tables = report.sections.flatMap((s) => s.tables);
    const md = files.get('report.md') as string;
    const html = files.get('report.html') as string;
    for (const c of charts) {
      const png = files.get(`${c.id}.png`) as Uint8Array;
      assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${c.id}.png is a PNG`);
      assert.ok(png.length > 10_000 && png.length < 300_000, `${c.id}.png: ${png.length} bytes`);
      assert.ok(md.includes(`](${c.id}.png)`), `report.md shows ${c.id}.png`);
    }
    assert.is(html.match(/src="data:image\/png;base64,[A-Za-z0-9+/=]+"/g)?.length, charts.length, 'every chart embedded');
    assert.not.match(html, /src="(?!data:)/, 'nothing loaded from elsewhere');
    for (const t of [...tables.map((x) => x.id), 'theory-checks']) {
      const lines = (files.get(`${t}.csv`) as string).trimEnd().split('\n');
      assert.ok(lines.length >= 2, `${t}.csv has rows`);
      const width = splitCsv(lines[0]!).length;
      for (const line of lines) assert.is(splitCsv(line).length, width, `${t}.csv: ${line}`);
      for (const line of lines.slice(1)) assert.not.ok(splitCsv(line).includes('NaN'), `${t}.csv: a NaN cell: ${line}`);
    }
    const data = JSON.parse(files.get('data.json') as string);
    assert.is(data.report, report.name);
    assert.is(data.checks.length, report.checks.length);
    for (const [name, text] of files) {
      if (!name.startsWith('scenarios/')) continue;
      const parsed = parseScenarioValue(name, JSON.parse(text as string));
      assert.ok(parsed.ok, `${name} validates`);
    }
    assert.is([...files.keys()].filter((n) => n.startsWith('scenarios/')).length, Object.keys(report.scenarios).length);
  }
});

test('a run the report names repeats exactly from its scenario file (worker thread vs this thread)', async () => {
  const latency = reports[0]!;
  const run = latency.runs.find((r) => r.id === 'load-n2-50')!;
  const parsed = parseScenarioValue('load-n2-50.json', JSON.parse(JSON.stringify(latency.scenarios['load-n2-50'])));
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  const again = await runScenario(parsed.scenario, { seed: run.seed, file: 'load-n2-50.json' });
  assert.is(again.traceHash, run.traceHash);
  assert.is(again.events, run.events);
});

test('data files hold plain numbers at any magnitude (no grouping commas, which once made MTTDLs ≥ 10 000 years NaN)', () => {
  assert.is(roundSig(14_391.2, 4), 14_391);
  assert.is(roundSig(0.0123456, 3), 0.0123);
  assert.is(roundSig(2.5e9, 4), 2_500_000_000);
});

test('theory checks can fail: M/G/1 far from Pollaczek–Khinchine', () => {
  const base: Mg1Result = { rho: 0.5, seed: 1, requests: 1000, lambdaPerSec: 40, meanServiceUs: 12_500, serviceCv2: 0.1, measuredRho: 0.5, waitUs: 6_600, waitStandardErrorUs: 100, pkWaitUs: 6_570, events: 2000 };
  assert.ok(mg1Check([base])[0]!.pass);
  assert.not.ok(mg1Check([{ ...base, waitUs: 7_300 }])[0]!.pass, '11 % off with a 1.5 % standard error');
});

test('theory checks can fail: Monte Carlo MTTDL off the formula', () => {
  const model = groupModel(4, 100, 'drive', false);
  const config: Config = { id: 'x', primaries: 4, restoreMBs: 100, unit: 'drive', ure: false, model };
  const ctx = (factor: number): ReliabilityContext => ({
    params: { quick: true, seeds: [1], trialsPerSeed: 400, primaryCounts: [4], restoreMBs: [100] },
    configs: [config],
    of: () => [{ trials: 400, seed: 1, sumFirstLossYears: 400 * formulaMttdlYears(model) * factor, sumCycleYears: 400 * formulaMttdlYears(model) * factor, bytesDoubleFailure: 0, bytesLatent: 0, firstLossByDoubleFailure: 400, failures: 0, restores: 0, events: 0 }],
  });
  assert.ok(reliabilityChecks(ctx(1.05))[0]!.pass);
  assert.not.ok(reliabilityChecks(ctx(1.4))[0]!.pass);
  assert.not.ok(reliabilityChecks(ctx(0.7))[0]!.pass);
});

test('theory checks can fail: a restore slower than capacity ÷ link bandwidth', () => {
  const point = { what: 'restore' as const, capacity: 2 ** 28, bandwidthMBs: 125, durationS: 5, hostRate: 0 };
  const predicted = (256 * (2 ** 20 + 40)) / 125e6; // about: 256 blocks of 1 MiB and a header
  const ctx = (seconds: number): CapacityContext => ({
    params: { ...capacityParams({ quick: true, seeds: 1, tiny: true }) },
    of: () => [{ seed: 1, verdict: 'pass', loadUs: 5e6, network: { messages: 0, modeledBytes: 0 }, arrays: [], repairs: [{ array: 'p2', parity: false, failedUs: 1e6, replacedUs: 1.1e6, doneUs: 1.1e6 + seconds * 1e6, utilization: null }] } as unknown as RunPointResult],
    satId: () => '',
    repairId: () => 'r',
    repairs: new Map([['r', point]]),
    shortTimerId: 'c',
  });
  assert.ok(repairChecks(ctx(predicted * 1.01))[0]!.pass);
  assert.not.ok(repairChecks(ctx(predicted * 1.1))[0]!.pass, '10 % slow');
  assert.not.ok(repairChecks(ctx(predicted * 0.9))[0]!.pass, 'faster than the link allows');
});

test('index.md: the theory-check table escapes | (GitHub split "|difference| ≤ …" into extra cells) and matches report.md', () => {
  const check = { name: 'M/G/1 mean wait | one drive', quantity: 'ms', simulated: 2.8, predicted: 2.81, difference: -0.004, tolerance: '|difference| ≤ 2 %', pass: true, source: 'runs' };
  const report = { name: 'latency', title: 'Latency', intro: [], sections: [], checks: [check], runs: [], runsNote: '', parameters: {}, scenarios: {} } as unknown as Report;
  const [[, md], [, page]] = indexFiles([report], provenance) as [[string, string], [string, string]];
  const rows = md.split('\n').filter((l) => l.startsWith('| '));
  const cells = (row: string) => row.split(/(?<!\\)\|/).length;
  assert.is(rows.length, 3);
  assert.ok(rows.every((r) => cells(r) === cells(rows[0]!)), rows.join('\n'));
  assert.ok(rows[2]!.includes('\\|difference\\| ≤ 2 %') && rows[2]!.includes('M/G/1 mean wait \\| one drive'));
  assert.match(page, /<td>\|difference\| ≤ 2 %<\/td>/);
});

test('a prediction the simulation meets exactly still shows beside it (mg1-wait.png: the P–K line hid under the simulated one)', async () => {
  const points = [0.3, 0.5, 0.7, 0.85].map((x) => ({ x, y: 1 / (1 - x) }));
  const base = { id: 'c', title: 't', caption: 'c', kind: 'line' as const, x: { label: 'x', scale: 'linear' as const, min: 0, max: 1 }, y: { label: 'y', scale: 'log' as const } };
  const simulated = { label: 'simulated', points };
  const pixels = async (series: { label: string; points: typeof points; theory?: boolean }[]) => {
    const image = await loadImage(Buffer.from(await renderChart({ ...base, series })));
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    return ctx.getImageData(0, 0, image.width, image.height).data;
  };
  const alone = await pixels([simulated]);
  const both = await pixels([simulated, { label: 'theory', theory: true, points }]);
  // Inside the plot area (below the legend, above the x axis), pixels the prediction changed.
  let changed = 0;
  for (let y = 110; y < 460; y++) {
    for (let x = 70; x < 880; x++) {
      const i = (y * 900 + x) * 4;
      if (Math.abs(alone[i]! - both[i]!) + Math.abs(alone[i + 1]! - both[i + 1]!) + Math.abs(alone[i + 2]! - both[i + 2]!) > 90) changed++;
    }
  }
  assert.ok(changed > 300, `the prediction changed ${changed} pixels of the plot`);
});

test('confidence intervals: normal and χ² quantiles, exponential mean interval', () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(chiSquareQuantile(0.975, 20) - 34.1696) / 34.1696 < 2e-3);
  assert.ok(Math.abs(chiSquareQuantile(0.025, 20) - 9.5908) / 9.5908 < 2e-3);
  const i = exponentialMeanInterval(1000, 100);
  assert.ok(i.lo < 10 && i.hi > 10 && Math.abs(i.estimate - 10) < 1e-12);
  // 2T ÷ χ²(0.975; 200) = 2000 ÷ 241.058, 2T ÷ χ²(0.025; 200) = 2000 ÷ 162.728
  assert.ok(Math.abs(i.lo - 8.2967) < 0.01 && Math.abs(i.hi - 12.2904) < 0.01, `[${i.lo}, ${i.hi}]`);
});

async function command(...args: string[]): Promise<{ code: number; errors: string[] }> {
  const errors: string[] = [];
  const error = console.error;
  console.error = (line: string) => void errors.push(String(line));
  try {
    return { code: await main(args), errors };
  } finally {
    console.error = error;
  }
}

test('bad input: one line naming the problem, exit 2, nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-report-'));
  const out = join(dir, 'out');
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const cases: [string[], RegExp][] = [
    [['report', 'latncy', '--out', out], /^xorsim: report: unknown report "latncy" \(expected latency, capacity, reliability or all\)$/],
    [['report', 'all', '--seeds', '0', '--out', out], /^xorsim: --seeds: expected a whole number from 1 to 100, got "0"$/],
    [['report', 'all', '--seeds', 'many', '--out', out], /^xorsim: --seeds: expected a whole number from 1 to 100, got "many"$/],
    [['report', 'all', '--workers', '-1', '--out', out], /^xorsim: --workers: expected a whole number from 1 to 256/],
    [['report', 'capacity', '--quick', '--out', file], /^xorsim: --out .*a-file: exists and is not a directory$/],
    [['report', 'all', '--qiuck', '--out', out], /^xorsim: unknown flag --qiuck \(did you mean --quick\?\)$/],
    [['report', 'latency', '--real-scale', '--out', out], /^xorsim: report: --real-scale belongs to the capacity report \(report capacity or report all\)$/],
  ];
  for (const [args, message] of cases) {
    const r = await command(...args);
    assert.is(r.code, 2, args.join(' '));
    assert.is(r.errors.length, 1, `${args.join(' ')}: ${r.errors.join(' | ')}`);
    assert.match(r.errors[0]!, message);
  }
  assert.not.ok(existsSync(out), 'nothing written');
});

test('bad input end to end: the real command exits 2 with one line on stderr and no stack', () => {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [new URL('../bin/xorsim.mjs', import.meta.url).pathname, 'report', 'nonsense'], { encoding: 'utf8', env });
  assert.is(r.status, 2);
  assert.is(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n'), ['xorsim: report: unknown report "nonsense" (expected latency, capacity, reliability or all)']);
});

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

test.run();
