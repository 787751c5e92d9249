// The benchmark's SVG chart: box plots and lines drawn from the figures, valid text a browser opens.
import { describe, expect, it } from 'vitest';
import { distributionOf, renderSvg, type BenchChart } from './bench-chart.js';

const charts: BenchChart[] = [
  {
    kind: 'distribution',
    title: 'C hello <per run>',
    unit: 'ms',
    series: [
      { label: 'bare', stats: distributionOf([4, 5, 6, 7, 30]) },
      { label: 'resident & co', stats: distributionOf([5, 6, 7, 8, 9]) },
    ],
  },
  {
    kind: 'lines',
    title: 'throughput',
    xLabel: 'concurrency',
    yLabel: 'runs/s',
    series: [
      { label: 'bare', points: [{ x: 1, min: 90, median: 100, max: 110 }, { x: 2, min: 170, median: 180, max: 200 }, { x: 4, min: 160, median: 175, max: 190 }] },
      { label: 'bwrap', points: [{ x: 1, min: 20, median: 25, max: 30 }, { x: 2, min: 40, median: 45, max: 50 }, { x: 4, min: 40, median: 44, max: 48 }] },
    ],
  },
];

describe('when computing a distribution', () => {
  it('should give nearest-rank percentiles, and zeros rather than NaN for no samples', () => {
    expect(distributionOf([3, 1, 2, 4])).toEqual({ n: 4, min: 1, p25: 1, median: 2, p75: 3, p90: 4, p99: 4, max: 4 });
    expect(distributionOf([])).toEqual({ n: 0, min: 0, p25: 0, median: 0, p75: 0, p90: 0, p99: 0, max: 0 });
  });
});

describe('when rendering the chart', () => {
  const svg = renderSvg('Runlane benchmark', 'host & date', charts);

  it('should draw one box per variant and one line per series with a point per concurrency level', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect [^>]*fill-opacity="0.25"/g)).toHaveLength(2);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(2 + 6);
    expect(svg).toContain('median 6 · p99 30 · max 30 ms (n 5)');
  });

  it('should escape text and never write NaN or Infinity into coordinates', () => {
    expect(svg).toContain('C hello &lt;per run&gt;');
    expect(svg).toContain('resident &amp; co');
    expect(svg).toContain('host &amp; date');
    expect(svg).not.toMatch(/NaN|Infinity/);
    const empty = renderSvg('t', 's', [{ kind: 'distribution', title: 'none', unit: 'ms', series: [{ label: 'x', stats: distributionOf([]) }] }, { kind: 'lines', title: 'l', xLabel: 'c', yLabel: 'y', series: [] }]);
    expect(empty).not.toMatch(/NaN|Infinity/);
  });

  it('should balance its elements (well-formed enough for a browser)', () => {
    const opened = (svg.match(/<(svg|text)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|text)>/g) ?? []).length;
    expect(opened).toBe(closed);
    for (const tag of svg.match(/<(line|rect|circle|polyline)\b[^>]*>/g) ?? []) expect(tag.endsWith('/>')).toBe(true);
  });
});
