// The benchmark's progress lines and closing summary, as a reader sees them on stderr.
import { describe, expect, it } from 'vitest';
import { formatDuration, formatFinished, formatStarting, formatSummary } from './bench-progress.js';

describe('when formatting benchmark progress', () => {
  it('should say which scenario runs and how far along the run is', () => {
    expect(formatStarting(0, 7, 'sandbox-overhead')).toBe('bench [1/7] sandbox-overhead …');
  });

  it('should say how a scenario ended: its time and rows, or its error', () => {
    expect(formatFinished(2, 7, { name: 'compile-cache', durationMs: 12_340, rows: [{}, {}], error: null })).toBe('bench [3/7] compile-cache done in 12.3 s (2 rows)');
    expect(formatFinished(6, 7, { name: 'http-api', durationMs: 400, rows: [], error: 'port in use' })).toBe('bench [7/7] http-api failed after 400 ms: port in use');
  });

  it('should write durations a reader takes in at a glance', () => {
    expect(formatDuration(850.4)).toBe('850 ms');
    expect(formatDuration(1_250)).toBe('1.3 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
  });
});

describe('when formatting the summary', () => {
  it('should list every scenario in aligned columns and count the failures', () => {
    const summary = formatSummary([
      { name: 'cgroup-attach', durationMs: 3_200, rows: [{}, {}, {}, {}], error: null },
      { name: 'http-api', durationMs: 900, rows: [], error: 'listen EADDRINUSE\n    at Server.listen' },
    ]);
    expect(summary.split('\n')).toEqual([
      'scenario       result                                      time    rows',
      '-------------  ------------------------------------------  ------  ----',
      'cgroup-attach  ok                                          3.2 s      4',
      'http-api       FAILED: listen EADDRINUSE at Server.listen  900 ms     0',
      '',
      '1 of 2 scenarios failed (4.1 s)',
    ]);
  });

  it('should say so when every scenario passed, and cut a long error to one short line', () => {
    const long = formatSummary([{ name: 'a', durationMs: 10, rows: [], error: 'x'.repeat(500) }]);
    expect(long.split('\n')[2]!.length).toBeLessThan(120);
    expect(formatSummary([{ name: 'a', durationMs: 10, rows: [{}], error: null }])).toMatch(/all 1 scenarios passed in 10 ms$/);
  });
});
