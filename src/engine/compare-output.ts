// Compares a program's output with the expected output: trailing whitespace ignored, or byte-exact on request.
import type { CompareMode } from '../domain/submission.js';

export interface Comparison {
  equal: boolean;
  /** 1-based line of the first difference, when not equal. */
  firstDifferentLine: number | null;
}

/**
 * `trimmed`: trailing spaces, tabs and `\r` of every line are ignored, and so are trailing empty lines,
 * so a missing final newline or Windows line endings never fail an answer. `exact`: the strings must be identical.
 */
export function compareOutput(actual: string, expected: string, mode: CompareMode): Comparison {
  const actualLines = mode === 'exact' ? actual.split('\n') : normalizedLines(actual);
  const expectedLines = mode === 'exact' ? expected.split('\n') : normalizedLines(expected);
  const length = Math.max(actualLines.length, expectedLines.length);
  for (let index = 0; index < length; index++) {
    if (actualLines[index] !== expectedLines[index]) return { equal: false, firstDifferentLine: index + 1 };
  }
  return { equal: true, firstDifferentLine: null };
}

function normalizedLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.replace(/[ \t\r\f\v]+$/, ''));
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}
