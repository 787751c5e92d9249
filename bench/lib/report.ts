// Renders benchmark results as a short Markdown report (one table per scenario).
import type { BenchRow, ScenarioResult } from './types.js';
import { round } from './stats.js';

/** Header lines describing the host, then one section per scenario. */
export function renderMarkdown(results: readonly ScenarioResult[], host: Record<string, string | number>): string {
  const lines = ['# Runlane benchmark', '', Object.entries(host).map(([key, value]) => `${key}: ${value}`).join(' · '), ''];
  for (const result of results) {
    lines.push(`## ${result.name}`, '');
    if (result.description) lines.push(result.description, '');
    if (result.error) lines.push(`**failed:** ${result.error}`, '');
    else lines.push(...renderTable(result.rows), '');
  }
  return lines.join('\n');
}

function renderTable(rows: readonly BenchRow[]): string[] {
  if (rows.length === 0) return ['(no rows)'];
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: BenchRow[string] | undefined) => (value === null || value === undefined ? '' : typeof value === 'number' ? String(round(value)) : value.replaceAll('|', '\\|'));
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${columns.map((column) => cell(row[column])).join(' | ')} |`)];
}
