// The short diff `runlane run` prints under a wrong_answer verdict: the first differing line, expected and actual, cut to fit a terminal.
import type { CompareMode } from '../domain/submission.js';

/** Characters of a line shown around the first differing character. */
const WINDOW = 60;
/** Characters kept before the first differing character, so the reader sees what led up to it. */
const LEAD = 20;

/**
 * Two indented lines naming the first line where `actual` differs from `expected`, each side quoted (so spaces and
 * `\r` show) and cut to a window around the first differing character; empty when the outputs do not differ.
 * Lines are compared as the judge does: in `trimmed` mode trailing whitespace and trailing blank lines do not count.
 */
export function formatOutputDiff(expected: string, actual: string, mode: CompareMode): string[] {
  const expectedLines = toLines(expected, mode);
  const actualLines = toLines(actual, mode);
  const count = Math.max(expectedLines.length, actualLines.length);
  for (let index = 0; index < count; index++) {
    const want = expectedLines[index];
    const got = actualLines[index];
    if (want === got) continue;
    // Code points, not UTF-16 units, so a cut never splits a character.
    const start = windowStart([...(want ?? '')], [...(got ?? '')]);
    const line = index + 1;
    return [`  line ${line} expected: ${show(want, start)}`, `  line ${line} actual:   ${show(got, start)}`];
  }
  return [];
}

function toLines(text: string, mode: CompareMode): string[] {
  const lines = text.split('\n');
  if (mode === 'exact') return lines;
  const trimmed = lines.map((line) => line.replace(/[ \t\r\f\v]+$/, ''));
  while (trimmed.length > 0 && trimmed.at(-1) === '') trimmed.pop();
  return trimmed;
}

/** Where the shown window starts: a little before the first differing character, so both sides show the difference. */
function windowStart(want: string[], got: string[]): number {
  let first = 0;
  while (first < want.length && first < got.length && want[first] === got[first]) first++;
  return Math.max(0, first - LEAD);
}

function show(line: string | undefined, start: number): string {
  if (line === undefined) return '(no such line: the output ends before it)';
  const characters = [...line];
  const cut = characters.slice(start, start + WINDOW).join('');
  return `${start > 0 ? '…' : ''}${JSON.stringify(cut)}${start + WINDOW < characters.length ? '…' : ''}`;
}
