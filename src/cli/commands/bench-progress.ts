// Human-readable lines of a benchmark run: progress while it runs, a summary table at the end (both for stderr).

/** What the summary needs of one scenario's outcome (bench/lib/types.ts `ScenarioResult` has these fields). */
export interface ScenarioOutcome {
  name: string;
  durationMs: number;
  rows: readonly unknown[];
  error: string | null;
}

/** Longest error text a summary row shows; the whole message is in the report. */
const MAX_ERROR_CHARS = 80;

/** `1.2 s`, `850 ms`, `2 min 05 s`: what a reader takes in at a glance. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** The line printed when a scenario starts: which one, and how far along the run is. */
export function formatStarting(index: number, total: number, name: string): string {
  return `bench [${index + 1}/${total}] ${name} …`;
}

/** The line printed when a scenario ends. */
export function formatFinished(index: number, total: number, outcome: ScenarioOutcome): string {
  const took = formatDuration(outcome.durationMs);
  if (outcome.error !== null) return `bench [${index + 1}/${total}] ${outcome.name} failed after ${took}: ${outcome.error}`;
  return `bench [${index + 1}/${total}] ${outcome.name} done in ${took} (${outcome.rows.length} ${outcome.rows.length === 1 ? 'row' : 'rows'})`;
}

/** A plain-text table of every scenario (name, result, time, rows) and a closing count of failures. */
export function formatSummary(outcomes: readonly ScenarioOutcome[]): string {
  const header = ['scenario', 'result', 'time', 'rows'];
  const body = outcomes.map((outcome) => [
    outcome.name,
    outcome.error === null ? 'ok' : `FAILED: ${cut(outcome.error)}`,
    formatDuration(outcome.durationMs),
    String(outcome.rows.length),
  ]);
  // Text columns are left-aligned and the row count right-aligned, so the columns line up in a terminal.
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const failed = outcomes.filter((outcome) => outcome.error !== null).length;
  const total = outcomes.reduce((sum, outcome) => sum + outcome.durationMs, 0);
  const closing = failed === 0 ? `all ${outcomes.length} scenarios passed in ${formatDuration(total)}` : `${failed} of ${outcomes.length} scenarios failed (${formatDuration(total)})`;
  return [line(header), line(header.map((_, column) => '-'.repeat(widths[column]!))), ...body.map(line), '', closing].join('\n');
}

function cut(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_ERROR_CHARS ? `${oneLine.slice(0, MAX_ERROR_CHARS - 1)}…` : oneLine;
}
