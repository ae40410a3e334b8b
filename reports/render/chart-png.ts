// Charts to PNG: chart.js rendered server-side on @napi-rs/canvas (prebuilt,
// installs from npm alone). No animation, no responsiveness, pixel ratio 1:
// the image depends only on the chart's data.
//
// Every chart carries its caption (scenario, seeds, parameters) under the
// title, so an image copied out of the report still says where it came from.
// Predictions (theory series) are dashed, drawn over the simulated series with
// a cross at each point, so a prediction the simulation meets exactly still
// shows beside it (mg1-wait.png: the P–K line once hid under the simulated
// one); intervals are drawn as error bars; shaded bands mark x ranges such as
// a restore window.
import { createCanvas } from '@napi-rs/canvas';
import { type ChartConfiguration, type ChartDataset, Chart, type Plugin, registerables } from 'chart.js';
import type { ChartSpec, Point } from '../model/report.js';

Chart.register(...registerables);
Chart.defaults.font.family = 'DejaVu Sans, Helvetica, Arial, sans-serif';
Chart.defaults.color = '#222';

const WIDTH = 900;
const HEIGHT = 520;
// Okabe–Ito (its black replaced by Tol's wine: black is the predictions'): distinguishable with the common colour-vision deficiencies.
/** Predictions: black, which no simulated series uses. */
export const THEORY_COLOR = '#000000';
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#882255', '#999999'];

/** Caption lines of at most `width` characters, split at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

interface ErrorBarsData {
  readonly errorBars?: readonly (readonly [number, number] | null)[];
}

const errorBars: Plugin = {
  id: 'errorBars',
  afterDatasetsDraw(chart) {
    const ctx = chart.ctx;
    const y = chart.scales['y']!;
    chart.data.datasets.forEach((dataset, i) => {
      const bars = (dataset as ErrorBarsData).errorBars;
      if (bars === undefined || !chart.isDatasetVisible(i)) return;
      const meta = chart.getDatasetMeta(i);
      ctx.save();
      ctx.strokeStyle = String(dataset.borderColor ?? '#000');
      ctx.lineWidth = 1.5;
      bars.forEach((bar, j) => {
        const element = meta.data[j];
        if (bar === null || element === undefined) return;
        const x = element.x;
        const top = y.getPixelForValue(bar[1]);
        const bottom = y.getPixelForValue(bar[0]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - 5, top);
        ctx.lineTo(x + 5, top);
        ctx.moveTo(x - 5, bottom);
        ctx.lineTo(x + 5, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

function bandsPlugin(bands: NonNullable<ChartSpec['bands']>): Plugin {
  return {
    id: 'bands',
    beforeDatasetsDraw(chart) {
      const ctx = chart.ctx;
      const x = chart.scales['x']!;
      const area = chart.chartArea;
      ctx.save();
      for (const [i, band] of bands.entries()) {
        const left = Math.max(area.left, x.getPixelForValue(band.from));
        const right = Math.min(area.right, x.getPixelForValue(band.to));
        ctx.fillStyle = 'rgba(230, 159, 0, 0.18)';
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = '#8a5a00';
        ctx.font = '12px DejaVu Sans, sans-serif';
        ctx.fillText(band.label, left + 4, area.top + 14 + 15 * i); // one line each: narrow bands side by side stay legible
      }
      ctx.restore();
    },
  };
}

function dataset(spec: ChartSpec, index: number): ChartDataset {
  const s = spec.series[index]!;
  const color = s.theory ? THEORY_COLOR : PALETTE[(s.color ?? index) % PALETTE.length]!;
  const data = s.points.map((p: Point) => (spec.kind === 'bar' ? p.y : { x: p.x as number, y: p.y }));
  const bars = s.points.some((p) => p.lo !== undefined) ? s.points.map((p) => (p.lo === undefined || p.hi === undefined ? null : ([p.lo, p.hi] as const))) : undefined;
  const base = { label: s.label, data, borderColor: color, backgroundColor: color, ...(bars ? { errorBars: bars } : {}) };
  if (spec.kind === 'bar') return { ...base, ...(s.stack !== undefined ? { stack: s.stack } : {}) } as ChartDataset;
  // Black dashes over the simulated line: where the two coincide, the simulated colour shows in the gaps.
  if (s.theory) return { ...base, order: -1, borderWidth: 1.5, borderDash: [6, 6], pointStyle: 'crossRot', pointRadius: 8, pointBorderWidth: 2, showLine: true, tension: 0 } as ChartDataset;
  return {
    ...base,
    borderWidth: 2.5,
    borderDash: s.dashed ? [3, 3] : [],
    pointRadius: s.dashed ? 2.5 : 3.5,
    showLine: true,
    tension: 0,
  } as ChartDataset;
}

/** Decimal byte sizes for log axes: only powers of ten get a label, so ticks stay readable. */
function byteTick(v: number): string {
  const exponent = Math.log10(v);
  if (Math.abs(exponent - Math.round(exponent)) > 1e-9) return '';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  const e = Math.round(exponent);
  const u = Math.min(units.length - 1, Math.max(0, Math.floor(e / 3)));
  return `${10 ** (e - 3 * u)} ${units[u]}`;
}

function scale(axis: ChartSpec['x'], stacked: boolean) {
  const type = axis.scale === 'log' ? 'logarithmic' : axis.scale === 'category' ? 'category' : 'linear';
  return {
    type,
    stacked,
    title: { display: true, text: axis.label, font: { size: 13, weight: 'bold' as const } },
    ticks: { font: { size: 11 }, ...(axis.ticks === 'bytes' ? { callback: (value: number | string) => byteTick(Number(value)) } : {}) },
    grid: { color: '#e4e4e4' },
    ...(axis.min !== undefined ? { min: axis.min } : {}),
    ...(axis.max !== undefined ? { max: axis.max } : {}),
  };
}

/** Renders `spec` to PNG bytes. */
export async function renderChart(spec: ChartSpec): Promise<Uint8Array> {
  const canvas = createCanvas(WIDTH, HEIGHT);
  const stacked = spec.stacked === true;
  const categories = spec.kind === 'bar' ? [...new Set(spec.series.flatMap((s) => s.points.map((p) => String(p.x))))] : undefined;
  const config: ChartConfiguration = {
    type: spec.kind === 'bar' ? 'bar' : 'scatter',
    data: { ...(categories ? { labels: categories } : {}), datasets: spec.series.map((_, i) => dataset(spec, i)) },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: 1,
      layout: { padding: { left: 8, right: 16, top: 4, bottom: 4 } },
      scales: { x: scale(spec.x, stacked), y: scale(spec.y, stacked) } as never,
      plugins: {
        title: { display: true, text: spec.title, font: { size: 16, weight: 'bold' }, padding: { top: 6, bottom: 2 } },
        subtitle: { display: true, text: wrap(spec.caption, 135), font: { size: 10.5 }, color: '#444', padding: { bottom: 8 } },
        // In the order the series are given (a prediction is drawn last, on top, but listed where it stands).
        legend: { display: true, position: 'top', labels: { boxWidth: 18, font: { size: 11.5 }, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) } },
      },
    },
    plugins: [whiteBackground, errorBars, ...(spec.bands && spec.bands.length > 0 ? [bandsPlugin(spec.bands)] : [])],
  };
  // chart.js asks for a DOM canvas; @napi-rs/canvas implements the 2D context it draws with.
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], config);
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
