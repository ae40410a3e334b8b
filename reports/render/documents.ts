// A Report as files: Markdown (report.md, charts beside it), a self-contained
// HTML page (charts embedded as data URIs), CSV per table and data.json with
// every number. Inline Markdown in the report's text is limited to `code`,
// **bold** and [links](url), which the HTML renderer converts itself.
import type { Cell, ChartSpec, Report, RunRecord, TableSpec, TheoryCheck } from '../model/report.js';
import { percent, sig } from '../model/format.js';

export interface Provenance {
  /** The command that regenerates the report. */
  readonly command: string;
  /** Machine and Node version, and wall time, as measured by the CLI. */
  readonly machine: string;
  readonly wallSeconds: number;
  /** CPU time of the whole command, every worker thread included. */
  readonly cpuSeconds: number;
}

/** "… · 63 s wall, 98 s CPU for this command" */
export function speedText(p: Provenance): string {
  return `${p.wallSeconds.toFixed(0)} s wall, ${p.cpuSeconds.toFixed(0)} s CPU for this command`;
}

/** A run's verdict, and whether the report set out to show it. */
function verdictText(r: RunRecord): string {
  if (r.expected === undefined) return r.verdict;
  if (r.verdict !== r.expected) return `${r.verdict} (expected ${r.expected})`;
  return r.verdict === '—' ? r.verdict : `${r.verdict} (expected)`;
}

export function cellText(value: Cell): string {
  if (value === null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : sig(value, 4);
  return value;
}

export function csv(table: TableSpec): string {
  const quote = (v: Cell) => {
    const s = v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [table.columns.map((c) => quote(c.label)).join(','), ...table.rows.map((r) => table.columns.map((c) => quote(r[c.key] ?? null)).join(','))];
  return `${lines.join('\n')}\n`;
}

/** A theory check as a table row (report.md, report.html and the index share it). */
export const checkRow = (c: TheoryCheck): string[] => [c.name, c.quantity, sig(c.simulated, 4), sig(c.predicted, 4), `${c.difference >= 0 ? '+' : ''}${percent(c.difference, 2)}`, c.tolerance, c.pass ? 'PASS' : '**FAIL**', c.source];
export const CHECK_HEAD = ['check', 'quantity', 'simulated', 'predicted', 'difference', 'tolerance', 'result', 'source'];

/** The one Markdown table builder: a `|` inside a cell is escaped (else GitHub splits the cell). */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${head.map(esc).join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function markdown(report: Report, provenance: Provenance): string {
  const out: string[] = [`# ${report.title}`, '', `Regenerate: \`${provenance.command}\` · ${provenance.machine} · ${speedText(provenance)}.`, ''];
  for (const p of report.intro) out.push(p, '');
  out.push('## Theory checks', '', mdTable(CHECK_HEAD, report.checks.map(checkRow)), '');
  for (const section of report.sections) {
    out.push(`## ${section.title}`, '');
    for (const p of section.text) out.push(p, '');
    for (const chart of section.charts) out.push(`![${chart.title}](${chart.id}.png)`, '', `*${chart.caption}*`, '');
    for (const table of section.tables) {
      out.push(`**${table.title}** ([${table.id}.csv](${table.id}.csv))`, '', mdTable(table.columns.map((c) => c.label), table.rows.map((r) => table.columns.map((c) => cellText(r[c.key] ?? null)))), '', `*${table.caption}*`, '');
    }
  }
  out.push('## Runs', '', report.runsNote, '');
  out.push(mdTable(['scenario', 'seed', 'verdict', 'events', 'simulated time (s)', 'traceHash'], report.runs.map((r) => [r.id, String(r.seed), verdictText(r), r.events.toLocaleString('en-US'), sig(r.simTimeUs / 1e6, 4), r.traceHash])), '');
  out.push('## Parameters', '', '```json', JSON.stringify(report.parameters, null, 2), '```', '');
  return out.join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The report's inline Markdown (code, bold, links) as HTML. */
export function inline(s: string): string {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

/** The one HTML table builder (`raw`: cells are HTML already). */
export function htmlTable(head: readonly string[], rows: readonly (readonly string[])[], raw = false): string {
  const cell = (s: string) => (raw ? s : escapeHtml(s));
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;font-size:12.5px;margin:.5em 0;display:block;overflow-x:auto}th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}
th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #ddd}figcaption,.caption{font-size:12.5px;color:#555;font-style:italic}
code{background:#f4f4f4;padding:0 3px}.pass{color:#0a7a2f;font-weight:bold}.fail{color:#b00020;font-weight:bold}`;

export function html(report: Report, provenance: Provenance, charts: ReadonlyMap<string, Uint8Array>): string {
  const out: string[] = [`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title><style>${STYLE}</style></head><body>`];
  out.push(`<h1>${escapeHtml(report.title)}</h1>`, `<p>Regenerate: <code>${escapeHtml(provenance.command)}</code> · ${escapeHtml(provenance.machine)} · ${speedText(provenance)}.</p>`);
  for (const p of report.intro) out.push(`<p>${inline(p)}</p>`);
  out.push('<h2>Theory checks</h2>', checksHtml(report.checks));
  for (const section of report.sections) {
    out.push(`<h2>${escapeHtml(section.title)}</h2>`);
    for (const p of section.text) out.push(`<p>${inline(p)}</p>`);
    for (const chart of section.charts) out.push(figure(chart, charts.get(chart.id)));
    for (const table of section.tables) {
      out.push(`<h3>${escapeHtml(table.title)}</h3>`, htmlTable(table.columns.map((c) => c.label), table.rows.map((r) => table.columns.map((c) => cellText(r[c.key] ?? null)))), `<p class="caption">${inline(table.caption)} · data: ${escapeHtml(table.id)}.csv</p>`);
    }
  }
  out.push('<h2>Runs</h2>', `<p>${inline(report.runsNote)}</p>`);
  out.push(htmlTable(['scenario', 'seed', 'verdict', 'events', 'simulated time (s)', 'traceHash'], report.runs.map((r) => [r.id, String(r.seed), verdictText(r), r.events.toLocaleString('en-US'), sig(r.simTimeUs / 1e6, 4), r.traceHash])));
  out.push('<h2>Parameters</h2>', `<pre>${escapeHtml(JSON.stringify(report.parameters, null, 2))}</pre>`, '</body></html>');
  return out.join('\n');
}

/** Theory checks as an HTML table, PASS and FAIL coloured; `report` names each check's report (the index). */
export function checksHtml(checks: readonly TheoryCheck[], report?: (c: TheoryCheck) => string): string {
  const head = report === undefined ? CHECK_HEAD : ['report', ...CHECK_HEAD];
  const rows = checks.map((c) => {
    const row = checkRow(c).map((x, i) => (i === 6 ? `<span class="${c.pass ? 'pass' : 'fail'}">${c.pass ? 'PASS' : 'FAIL'}</span>` : escapeHtml(x)));
    return report === undefined ? row : [escapeHtml(report(c)), ...row];
  });
  return htmlTable(head, rows, true);
}

function figure(chart: ChartSpec, png: Uint8Array | undefined): string {
  const src = png === undefined ? '' : `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  return `<figure><img alt="${escapeHtml(chart.title)}" src="${src}"><figcaption>${inline(chart.caption)}</figcaption></figure>`;
}

/** Every number of the report, and the provenance. */
export function dataJson(report: Report, provenance: Provenance): string {
  return `${JSON.stringify({ report: report.name, provenance, parameters: report.parameters, checks: report.checks, sections: report.sections, runs: report.runs }, null, 1)}\n`;
}
