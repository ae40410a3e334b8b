// What a report is, independent of how it is rendered: sections of text,
// charts and tables, the theory checks, and the runs every number came from.
// Builders (reports/<name>/) produce one; render/ turns it into PNG, Markdown,
// HTML, CSV and JSON.

export type ReportName = 'latency' | 'capacity' | 'reliability';
export const REPORT_NAMES: readonly ReportName[] = ['latency', 'capacity', 'reliability'];

export interface Point {
  readonly x: number | string;
  readonly y: number;
  /** Confidence interval or spread of y, drawn as an error bar. */
  readonly lo?: number;
  readonly hi?: number;
}

export interface Series {
  readonly label: string;
  readonly points: readonly Point[];
  /** A prediction (theory) rather than a simulated result: drawn dashed, without markers. */
  readonly theory?: boolean;
  /** Stacked bar charts: which stack the series belongs to. */
  readonly stack?: string;
  /** Palette index (default: the series' position), so related series share a colour. */
  readonly color?: number;
  /** Drawn dashed (e.g. a median beside its p99). */
  readonly dashed?: boolean;
}

export interface Axis {
  readonly label: string;
  readonly scale: 'linear' | 'log' | 'category';
  /** Tick labels: plain numbers (default) or byte sizes (1 kB, 1 MB, …). */
  readonly ticks?: 'bytes';
  readonly min?: number;
  readonly max?: number;
}

export interface ChartSpec {
  /** File name stem (`<id>.png`). */
  readonly id: string;
  readonly title: string;
  /** Which scenario, seeds and parameters produced it; printed under the title inside the image too. */
  readonly caption: string;
  readonly kind: 'line' | 'bar';
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly Series[];
  readonly stacked?: boolean;
  /** Shaded x ranges (e.g. a restore window). */
  readonly bands?: readonly { readonly from: number; readonly to: number; readonly label: string }[];
}

export type Cell = string | number | null;

export interface TableSpec {
  /** File name stem (`<id>.csv`). */
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly columns: readonly { readonly key: string; readonly label: string }[];
  readonly rows: readonly Readonly<Record<string, Cell>>[];
}

/** A model checked against theory: simulated, predicted, their difference, and the tolerance it must meet. */
export interface TheoryCheck {
  readonly name: string;
  /** The quantity compared, with its unit. */
  readonly quantity: string;
  readonly simulated: number;
  readonly predicted: number;
  /** (simulated − predicted) / predicted. */
  readonly difference: number;
  /** What "agrees" means here, in words (e.g. "within 3 standard errors (±4.1 %)"). */
  readonly tolerance: string;
  readonly pass: boolean;
  /** Where the simulated figure came from (runs, seeds). */
  readonly source: string;
}

export interface Section {
  readonly title: string;
  /** Paragraphs of Markdown (inline code, bold and links only). */
  readonly text: readonly string[];
  readonly charts: readonly ChartSpec[];
  readonly tables: readonly TableSpec[];
}

/** One simulation run (or Monte Carlo batch) a report used: enough to reproduce it. */
export interface RunRecord {
  /** The scenario file name (`scenarios/<id>.json` beside the report), or the Monte Carlo configuration. */
  readonly id: string;
  readonly seed: number;
  readonly verdict: string;
  /** The run's fingerprint ("" for Monte Carlo batches, whose trials are many short engine runs). */
  readonly traceHash: string;
  readonly events: number;
  readonly simTimeUs: number;
  /** A verdict other than "pass" the report set out to show (default: pass). */
  readonly expected?: string;
}

export interface Report {
  readonly name: ReportName;
  readonly title: string;
  readonly intro: readonly string[];
  readonly sections: readonly Section[];
  readonly checks: readonly TheoryCheck[];
  /** Each scenario simulated, by id (written as scenarios/<id>.json). */
  readonly scenarios: Readonly<Record<string, unknown>>;
  readonly runs: readonly RunRecord[];
  /** How to repeat a run, printed above the run list. */
  readonly runsNote: string;
  /** Parameters of the report as a whole (quick or full, seeds, …). */
  readonly parameters: Readonly<Record<string, unknown>>;
}
