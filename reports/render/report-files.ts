// The files of a report directory, and the index of `report all`.
import { renderChart } from './chart-png.js';
import { CHECK_HEAD, type Provenance, checkRow, checksHtml, csv, dataJson, html, inline, markdown, mdTable, speedText } from './documents.js';
import type { Report } from '../model/report.js';

export async function reportFiles(report: Report, provenance: Provenance): Promise<Map<string, Uint8Array | string>> {
  const files = new Map<string, Uint8Array | string>();
  const charts = new Map<string, Uint8Array>();
  for (const section of report.sections) {
    for (const chart of section.charts) {
      if (charts.has(chart.id)) throw new Error(`${report.name}: two charts named ${chart.id}`);
      const png = await renderChart(chart);
      charts.set(chart.id, png);
      files.set(`${chart.id}.png`, png);
    }
    for (const table of section.tables) {
      if (files.has(`${table.id}.csv`)) throw new Error(`${report.name}: two tables named ${table.id}`);
      files.set(`${table.id}.csv`, csv(table));
    }
  }
  files.set('theory-checks.csv', csv({ id: 'theory-checks', title: '', caption: '', columns: ['name', 'quantity', 'simulated', 'predicted', 'difference', 'tolerance', 'pass', 'source'].map((key) => ({ key, label: key })), rows: report.checks.map((c) => ({ ...c, pass: c.pass ? 'PASS' : 'FAIL' })) }));
  files.set('report.md', markdown(report, provenance));
  files.set('report.html', html(report, provenance, charts));
  files.set('data.json', dataJson(report, provenance));
  for (const [id, scenario] of Object.entries(report.scenarios)) files.set(`scenarios/${id}.json`, `${JSON.stringify(scenario, null, 2)}\n`);
  return files;
}

/** index.md and index.html: each report, and every theory check in one table. */
export function indexFiles(reports: readonly Report[], provenance: Provenance): [string, string][] {
  const checks = reports.flatMap((r) => r.checks.map((c) => ({ report: r.name, ...c })));
  const reportOf = new Map(checks.map((c) => [c as object, c.report]));
  const failed = checks.filter((c) => !c.pass).length;
  const md = [
    '# xorsim reports',
    '',
    `Regenerate: \`${provenance.command}\` · ${provenance.machine} · ${speedText(provenance)}.`,
    '',
    ...reports.map((r) => `- [${r.title}](${r.name}/report.md) ([HTML](${r.name}/report.html)): ${r.sections.map((s) => s.title).join('; ')}`),
    '',
    `## Theory checks: ${checks.length - failed} of ${checks.length} agree`,
    '',
    mdTable(['report', ...CHECK_HEAD], checks.map((c) => [c.report, ...checkRow(c)])),
    '',
  ].join('\n');
  const page = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>xorsim reports</title>',
    '<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px}.pass{color:#0a7a2f;font-weight:bold}.fail{color:#b00020;font-weight:bold}</style></head><body>',
    '<h1>xorsim reports</h1>',
    `<p>Regenerate: ${inline(`\`${provenance.command}\``)} · ${inline(provenance.machine)} · ${speedText(provenance)}.</p><ul>`,
    ...reports.map((r) => `<li><a href="${r.name}/report.html">${inline(r.title)}</a>: ${inline(r.sections.map((s) => s.title).join('; '))}</li>`),
    `</ul><h2>Theory checks: ${checks.length - failed} of ${checks.length} agree</h2>`,
    checksHtml(checks, (c) => reportOf.get(c) ?? ''),
    '</body></html>',
  ].join('\n');
  return [
    ['index.md', md],
    ['index.html', page],
  ];
}
