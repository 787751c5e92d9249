// Renders benchmark results as a short Markdown report: the target figures first, then one table per scenario.
import type { BenchRow, ScenarioResult, TargetFigure } from './types.js';
import { round } from './stats.js';

/** Header lines describing the host, the targets table, then one section per scenario. */
export function renderMarkdown(results: readonly ScenarioResult[], host: Record<string, string | number>): string {
  const lines = ['# Runlane benchmark', '', Object.entries(host).map(([key, value]) => `${key}: ${value}`).join(' · '), ''];
  const targets = results.flatMap((result) => result.targets);
  if (targets.length > 0) lines.push('## Targets (same-run figures, min / median / max over repeats)', '', ...renderTable(targets.map(targetRow)), '');
  for (const result of results) {
    lines.push(`## ${result.name}`, '');
    if (result.description) lines.push(result.description, '');
    if (result.error) lines.push(`**failed:** ${result.error}`, '');
    else lines.push(...renderTable(result.rows), '');
  }
  return lines.join('\n');
}

function targetRow(target: TargetFigure): BenchRow {
  const unit = target.unit === '×' ? '×' : ` ${target.unit}`;
  return {
    figure: target.figure,
    variant: target.variant,
    median: `${round(target.median)}${unit}`,
    'min – max': `${round(target.min)} – ${round(target.max)}`,
    repeats: target.repeats,
    goal: target.goal,
    met: target.met === null ? '' : target.met ? 'yes' : 'NO',
  };
}

function renderTable(rows: readonly BenchRow[]): string[] {
  if (rows.length === 0) return ['(no rows)'];
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: BenchRow[string] | undefined) => (value === null || value === undefined ? '' : typeof value === 'number' ? String(round(value)) : value.replaceAll('|', '\\|'));
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${columns.map((column) => cell(row[column])).join(' | ')} |`)];
}
