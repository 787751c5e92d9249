// The wrong_answer diff shows the first differing line on both sides, judged like the engine, cut to a terminal's width.
import { describe, expect, it } from 'vitest';
import { formatOutputDiff } from './format-output-diff.js';

describe('when the output differs from the expected output', () => {
  it('should show the first differing line, expected then actual, quoted', () => {
    expect(formatOutputDiff('1\n2\n3\n', '1\n5\n3\n', 'trimmed')).toEqual(['  line 2 expected: "2"', '  line 2 actual:   "5"']);
  });

  it('should say when the output ends before the expected line', () => {
    expect(formatOutputDiff('1\n2\n', '1\n', 'trimmed')).toEqual(['  line 2 expected: "2"', '  line 2 actual:   (no such line: the output ends before it)']);
    expect(formatOutputDiff('1\n', '1\nextra\n', 'trimmed')).toEqual(['  line 2 expected: (no such line: the output ends before it)', '  line 2 actual:   "extra"']);
  });

  it('should cut long lines to a window around the first difference, marking the cuts', () => {
    const expected = `${'a'.repeat(100)}X${'b'.repeat(100)}`;
    const actual = `${'a'.repeat(100)}Y${'b'.repeat(100)}`;
    const [want, got] = formatOutputDiff(expected, actual, 'trimmed');
    expect(want).toBe(`  line 1 expected: …"${'a'.repeat(20)}X${'b'.repeat(39)}"…`);
    expect(got).toBe(`  line 1 actual:   …"${'a'.repeat(20)}Y${'b'.repeat(39)}"…`);
  });

  it('should never split a character when cutting', () => {
    const [want] = formatOutputDiff(`${'é'.repeat(30)}😀${'é'.repeat(80)}`, `${'é'.repeat(30)}x`, 'trimmed');
    expect(want).toBe(`  line 1 expected: …"${'é'.repeat(20)}😀${'é'.repeat(39)}"…`);
  });

  it('should ignore trailing whitespace and blank lines in trimmed mode, as the judge does', () => {
    expect(formatOutputDiff('1\n2\n', '1  \r\n2\n\n\n', 'trimmed')).toEqual([]);
  });

  it('should show invisible differences in exact mode', () => {
    expect(formatOutputDiff('1\n2\n', '1\r\n2\n', 'exact')).toEqual(['  line 1 expected: "1"', '  line 1 actual:   "1\\r"']);
  });
});
