// Output comparison: trailing whitespace is forgiven in trimmed mode, nothing is in exact mode.
import { describe, expect, it } from 'vitest';
import { compareOutput } from './compare-output.js';

describe('when comparing in trimmed mode', () => {
  it('should accept a missing trailing newline', () => {
    expect(compareOutput('42', '42\n', 'trimmed').equal).toBe(true);
  });

  it('should ignore trailing spaces, tabs, CR and trailing blank lines', () => {
    expect(compareOutput('a  \r\nb\t\n\n\n', 'a\nb', 'trimmed').equal).toBe(true);
  });

  it('should not ignore leading whitespace or inner blank lines', () => {
    expect(compareOutput(' a', 'a', 'trimmed')).toEqual({ equal: false, firstDifferentLine: 1 });
    expect(compareOutput('a\n\nb', 'a\nb', 'trimmed')).toEqual({ equal: false, firstDifferentLine: 2 });
  });

  it('should point at the first different line', () => {
    expect(compareOutput('1\n2\n3\n', '1\n2\n4\n', 'trimmed')).toEqual({ equal: false, firstDifferentLine: 3 });
    expect(compareOutput('1\n2\n', '1\n2\n3\n', 'trimmed')).toEqual({ equal: false, firstDifferentLine: 3 });
  });

  it('should treat empty output as equal to an empty expectation', () => {
    expect(compareOutput('', '\n', 'trimmed').equal).toBe(true);
  });
});

describe('when comparing in exact mode', () => {
  it('should require identical text', () => {
    expect(compareOutput('42\n', '42\n', 'exact').equal).toBe(true);
    expect(compareOutput('42', '42\n', 'exact')).toEqual({ equal: false, firstDifferentLine: 2 });
    expect(compareOutput('42 \n', '42\n', 'exact').equal).toBe(false);
  });
});
