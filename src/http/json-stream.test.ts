import { describe, expect, it } from 'vitest';
import { jsonChunks, stringChars } from './json-stream.js';

const text = (value: unknown, chunkChars?: number) => Buffer.concat([...jsonChunks(value, chunkChars)]).toString('utf8');

describe('jsonChunks', () => {
  it.each([
    ['a nested object', { a: 1, b: [true, null, 'x'], c: { d: 'é"\\\n\u0001' } }],
    ['fields JSON leaves out', { kept: 1, gone: undefined, fn: () => 1, list: [undefined, () => 1, 2] }],
    ['dates', { at: new Date(0), list: [new Date(86_400_000)] }],
    ['top-level scalars', 42],
    ['an empty object and array', { o: {}, a: [] }],
    ['numbers JSON cannot hold', { nan: Number.NaN, inf: Number.POSITIVE_INFINITY }],
  ])('should write exactly what JSON.stringify writes for %s', (_name, value) => {
    expect(text(value, 4)).toBe(JSON.stringify(value));
  });

  it('should cut a long string into chunks of about the given size and keep every character, escapes included', () => {
    const long = 'ab"c\\\n\u0000é€'.repeat(5_000);
    const chunks = [...jsonChunks({ stdout: long }, 1_000)];
    expect(chunks.length).toBeGreaterThan(40);
    expect(Math.max(...chunks.map((chunk) => chunk.toString('utf8').length))).toBeLessThan(2 * 1_000 + 16);
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toEqual({ stdout: long });
  });

  it('should never cut between the two halves of a surrogate pair', () => {
    // An emoji at every odd offset: some slice boundary falls inside one for any chunk size.
    const long = 'x' + '😀'.repeat(3_000);
    for (const size of [7, 8, 1_001]) expect(text({ s: long }, size), `chunk ${size}`).toBe(JSON.stringify({ s: long }));
  });
});

describe('stringChars', () => {
  it('should count the characters of every string, nested, and stop at the bound', () => {
    expect(stringChars({ a: 'abc', b: ['de', { c: 'f' }], n: 5 }, 1_000)).toBe(6);
    expect(stringChars(['x'.repeat(10), 'y'.repeat(10), 'z'.repeat(10)], 15)).toBe(20);
  });
});
