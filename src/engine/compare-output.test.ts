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

describe('when the output is raw bytes', () => {
  it('should compare them line by line like the text', () => {
    expect(compareOutput(Buffer.from('a  \r\nb\n\n'), 'a\nb', 'trimmed').equal).toBe(true);
    expect(compareOutput(Buffer.from('1\n2\n5\n'), '1\n2\n4', 'trimmed')).toEqual({ equal: false, firstDifferentLine: 3 });
  });

  it('should never take bytes that are not UTF-8 for the replacement character', () => {
    expect(compareOutput(Buffer.from([0xff]), '\uFFFD', 'exact').equal).toBe(false);
  });

  it('should stop at the first difference of a huge output', () => {
    const flood = Buffer.alloc(16 * 1024 * 1024, 0x0a);
    flood.write('nope', 0);
    expect(compareOutput(flood, 'yes', 'trimmed')).toEqual({ equal: false, firstDifferentLine: 1 });
    expect(compareOutput(flood, 'yes', 'exact')).toEqual({ equal: false, firstDifferentLine: 1 });
  });

  it('should accept an answer followed by megabytes of blank lines in trimmed mode only', () => {
    const padded = Buffer.concat([Buffer.from('42'), Buffer.alloc(8 * 1024 * 1024, 0x0a)]);
    expect(compareOutput(padded, '42', 'trimmed').equal).toBe(true);
    expect(compareOutput(padded, '42', 'exact')).toEqual({ equal: false, firstDifferentLine: 2 });
  });
});

describe('when checked against the line-splitting definition', () => {
  // The definition the byte-wise comparison must match: split on \n, trim each line's end, drop trailing empty lines.
  function reference(actual: string, expected: string, mode: 'exact' | 'trimmed') {
    const normalized = (text: string) => {
      const lines = text.split('\n').map((line) => line.replace(/[ \t\r\f\v]+$/, ''));
      while (lines.length > 0 && lines.at(-1) === '') lines.pop();
      return lines;
    };
    const a = mode === 'exact' ? actual.split('\n') : normalized(actual);
    const e = mode === 'exact' ? expected.split('\n') : normalized(expected);
    for (let index = 0; index < Math.max(a.length, e.length); index++) if (a[index] !== e[index]) return { equal: false, firstDifferentLine: index + 1 };
    return { equal: true, firstDifferentLine: null };
  }

  it('should give the same answer and line for every short text', () => {
    const pieces = ['a', 'b', ' ', '\t', '\r', '\n', '\n\n', 'é'];
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const text = () => Array.from({ length: Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
    for (let round = 0; round < 5_000; round++) {
      const actual = text();
      const expected = random() < 0.3 ? actual + text() : text();
      for (const mode of ['exact', 'trimmed'] as const) expect(compareOutput(Buffer.from(actual), expected, mode), JSON.stringify({ actual, expected, mode })).toEqual(reference(actual, expected, mode));
    }
  });
});
