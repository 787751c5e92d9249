// The benchmark's SVG chart: latency distributions as box plots and throughput against concurrency as lines, plain SVG text.

/** Order statistics of one variant's samples (ms or any unit), enough to draw a box plot. */
export interface Distribution {
  n: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  p90: number;
  p99: number;
  max: number;
}

/** Per-run times of several variants side by side: one box per variant (whiskers min–p99, the max as a dot). */
export interface DistributionChart {
  kind: 'distribution';
  title: string;
  unit: string;
  series: { label: string; stats: Distribution }[];
}

/** A figure against a numeric x (concurrency), one line per variant through the medians, min–max of the repeats as bars. */
export interface LinesChart {
  kind: 'lines';
  title: string;
  xLabel: string;
  yLabel: string;
  series: { label: string; points: { x: number; min: number; median: number; max: number }[] }[];
}

export type BenchChart = DistributionChart | LinesChart;

/** Nearest-rank statistics of the samples; every field is 0 for no samples (an empty box rather than NaN in the SVG). */
export function distributionOf(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
  return { n: sorted.length, min: sorted[0] ?? 0, p25: at(25), median: at(50), p75: at(75), p90: at(90), p99: at(99), max: sorted.at(-1) ?? 0 };
}

const WIDTH = 920;
const PLOT_LEFT = 200;
const PLOT_RIGHT = 640;
const ROW = 30;
const LINES_HEIGHT = 220;
const COLORS = ['#555555', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** The whole chart: a heading, then each chart stacked vertically. */
export function renderSvg(title: string, subtitle: string, charts: readonly BenchChart[]): string {
  const parts: string[] = [];
  let y = 20;
  parts.push(text(10, y + 4, title, { size: 18, weight: 'bold' }), text(10, y + 24, subtitle, { size: 12, fill: '#555' }));
  y += 50;
  for (const chart of charts) {
    const drawn = chart.kind === 'distribution' ? distribution(chart, y) : lines(chart, y);
    parts.push(...drawn.parts);
    y = drawn.bottom + 30;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="sans-serif">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${y}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function distribution(chart: DistributionChart, top: number): { parts: string[]; bottom: number } {
  const parts = [text(10, top, chart.title, { size: 14, weight: 'bold' })];
  const plotTop = top + 14;
  const plotBottom = plotTop + Math.max(1, chart.series.length) * ROW;
  // The scale ends just past the largest p99, so one outlier does not squash every box; a max beyond it is drawn at the edge.
  const scaleMax = niceCeiling(Math.max(1e-9, ...chart.series.map((series) => series.stats.p99)) * 1.1);
  const x = (value: number) => PLOT_LEFT + (Math.min(value, scaleMax) / scaleMax) * (PLOT_RIGHT - PLOT_LEFT);
  parts.push(...xAxis(scaleMax, x, plotTop, plotBottom, chart.unit));
  chart.series.forEach((series, index) => {
    const { stats } = series;
    const mid = plotTop + index * ROW + ROW / 2;
    const color = COLORS[index % COLORS.length]!;
    parts.push(
      text(PLOT_LEFT - 8, mid + 4, series.label, { size: 12, anchor: 'end' }),
      `<line x1="${f(x(stats.min))}" y1="${f(mid)}" x2="${f(x(stats.p99))}" y2="${f(mid)}" stroke="${color}" stroke-width="1.5"/>`,
      `<line x1="${f(x(stats.min))}" y1="${f(mid - 6)}" x2="${f(x(stats.min))}" y2="${f(mid + 6)}" stroke="${color}"/>`,
      `<line x1="${f(x(stats.p99))}" y1="${f(mid - 6)}" x2="${f(x(stats.p99))}" y2="${f(mid + 6)}" stroke="${color}"/>`,
      `<rect x="${f(x(stats.p25))}" y="${f(mid - 9)}" width="${f(Math.max(1, x(stats.p75) - x(stats.p25)))}" height="18" fill="${color}" fill-opacity="0.25" stroke="${color}"/>`,
      `<line x1="${f(x(stats.median))}" y1="${f(mid - 9)}" x2="${f(x(stats.median))}" y2="${f(mid + 9)}" stroke="${color}" stroke-width="3"/>`,
      `<circle cx="${f(x(stats.max))}" cy="${f(mid)}" r="2.5" fill="${color}"/>`,
      text(PLOT_RIGHT + 10, mid + 4, `median ${num(stats.median)} · p99 ${num(stats.p99)} · max ${num(stats.max)} ${chart.unit} (n ${stats.n})`, { size: 11 }),
    );
  });
  parts.push(text(PLOT_LEFT, plotBottom + 32, `box: p25–p75, thick line: median, whiskers: min–p99, dot: max (at the edge when beyond the scale)`, { size: 10, fill: '#777' }));
  return { parts, bottom: plotBottom + 34 };
}

function lines(chart: LinesChart, top: number): { parts: string[]; bottom: number } {
  const parts = [text(10, top, chart.title, { size: 14, weight: 'bold' })];
  const plotTop = top + 20;
  const plotBottom = plotTop + LINES_HEIGHT;
  const xs = [...new Set(chart.series.flatMap((series) => series.points.map((point) => point.x)))].sort((a, b) => a - b);
  const yMax = niceCeiling(Math.max(1e-9, ...chart.series.flatMap((series) => series.points.map((point) => point.max))) * 1.05);
  // Concurrency levels double, so they are spread evenly by rank rather than by value.
  const x = (value: number) => PLOT_LEFT + (xs.length <= 1 ? 0.5 : xs.indexOf(value) / (xs.length - 1)) * (PLOT_RIGHT - PLOT_LEFT);
  const y = (value: number) => plotBottom - (value / yMax) * LINES_HEIGHT;
  for (const tick of ticks(yMax)) {
    parts.push(`<line x1="${PLOT_LEFT}" y1="${f(y(tick))}" x2="${PLOT_RIGHT}" y2="${f(y(tick))}" stroke="#e5e5e5"/>`, text(PLOT_LEFT - 6, y(tick) + 4, num(tick), { size: 10, anchor: 'end' }));
  }
  parts.push(
    `<line x1="${PLOT_LEFT}" y1="${plotBottom}" x2="${PLOT_RIGHT}" y2="${plotBottom}" stroke="#333"/>`,
    `<line x1="${PLOT_LEFT}" y1="${plotTop}" x2="${PLOT_LEFT}" y2="${plotBottom}" stroke="#333"/>`,
    text(PLOT_LEFT - 40, plotTop - 6, chart.yLabel, { size: 11, fill: '#555' }),
    text((PLOT_LEFT + PLOT_RIGHT) / 2, plotBottom + 32, chart.xLabel, { size: 11, anchor: 'middle', fill: '#555' }),
  );
  for (const value of xs) parts.push(text(x(value), plotBottom + 16, String(value), { size: 10, anchor: 'middle' }));
  chart.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length]!;
    const points = [...series.points].sort((a, b) => a.x - b.x);
    if (points.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((point) => `${f(x(point.x))},${f(y(point.median))}`).join(' ')}"/>`);
    for (const point of points) {
      parts.push(
        `<line x1="${f(x(point.x))}" y1="${f(y(point.min))}" x2="${f(x(point.x))}" y2="${f(y(point.max))}" stroke="${color}" stroke-width="1"/>`,
        `<circle cx="${f(x(point.x))}" cy="${f(y(point.median))}" r="3.5" fill="${color}"/>`,
      );
    }
    const legendY = plotTop + 10 + index * 18;
    const last = points.at(-1);
    parts.push(
      `<rect x="${PLOT_RIGHT + 14}" y="${legendY - 8}" width="12" height="4" fill="${color}"/>`,
      text(PLOT_RIGHT + 32, legendY - 2, `${series.label}${last ? ` (${num(last.median)} at ${last.x})` : ''}`, { size: 11 }),
    );
  });
  return { parts, bottom: plotBottom + 36 };
}

function xAxis(max: number, x: (value: number) => number, plotTop: number, plotBottom: number, unit: string): string[] {
  const parts = [`<line x1="${PLOT_LEFT}" y1="${plotBottom}" x2="${PLOT_RIGHT}" y2="${plotBottom}" stroke="#333"/>`];
  for (const tick of ticks(max)) {
    parts.push(
      `<line x1="${f(x(tick))}" y1="${plotTop}" x2="${f(x(tick))}" y2="${plotBottom}" stroke="#e5e5e5"/>`,
      text(x(tick), plotBottom + 14, `${num(tick)}${tick === 0 ? ` ${unit}` : ''}`, { size: 10, anchor: 'middle' }),
    );
  }
  return parts;
}

/** 0 and about five round steps up to `max`. */
function ticks(max: number): number[] {
  const step = niceStep(max / 5);
  const values: number[] = [];
  for (let value = 0; value <= max + step * 1e-9; value += step) values.push(Number(value.toPrecision(12)));
  return values;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

function niceCeiling(value: number): number {
  const step = niceStep(value / 5);
  return Math.ceil(value / step) * step;
}

function text(x: number, y: number, content: string, style: { size: number; weight?: string; anchor?: string; fill?: string }): string {
  const attributes = [`x="${f(x)}"`, `y="${f(y)}"`, `font-size="${style.size}"`];
  if (style.weight) attributes.push(`font-weight="${style.weight}"`);
  if (style.anchor) attributes.push(`text-anchor="${style.anchor}"`);
  if (style.fill) attributes.push(`fill="${style.fill}"`);
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** Coordinates with one decimal: enough for a screen, short in the file. */
function f(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}

/** Values as a reader takes them in: two decimals below 10, one below 100, none above. */
function num(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return String(Number(value.toFixed(digits)));
}
