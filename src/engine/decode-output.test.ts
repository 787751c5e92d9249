// Output decoding never throws and always says when bytes were not UTF-8.
import { describe, expect, it } from 'vitest';
import { decodeOutput, decodeWithin, fitUtf8, outputAsText } from './decode-output.js';

describe('when the output is valid UTF-8', () => {
  it('should return ASCII exactly, control characters and NUL included, within a size too', () => {
    const ascii = Buffer.from(Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).join('').repeat(3));
    expect(decodeOutput(ascii, 'utf8')).toEqual({ text: ascii.toString('utf8'), invalidUtf8: false });
    expect(decodeWithin(ascii, 'utf8', 200)).toEqual({ text: ascii.toString('utf8').slice(0, 200), invalidUtf8: false, truncated: true, size: 200 });
  });

  it('should return it as text', () => {
    expect(decodeOutput(Buffer.from('héllo ✓\n'), 'utf8')).toEqual({ text: 'héllo ✓\n', invalidUtf8: false });
  });

  it('should keep a leading byte-order mark', () => {
    expect(decodeOutput(Buffer.from('\uFEFFx'), 'utf8').text).toBe('\uFEFFx');
  });
});

describe('when the output has invalid bytes', () => {
  const bytes = Buffer.from([0x61, 0xff, 0xfe, 0x62, 0xc3]);

  it('should replace them and flag it in utf8 mode', () => {
    expect(decodeOutput(bytes, 'utf8')).toEqual({ text: 'a\uFFFD\uFFFDb\uFFFD', invalidUtf8: true });
  });

  it('should return the raw bytes in base64 mode', () => {
    const decoded = decodeOutput(bytes, 'base64');
    expect(Buffer.from(decoded.text, 'base64')).toEqual(bytes);
    expect(decoded.invalidUtf8).toBe(true);
  });

  it('should still give comparable text', () => {
    expect(outputAsText(bytes)).toBe('a\uFFFD\uFFFDb\uFFFD');
  });
});

describe('when the output must fit in a size', () => {
  it('should keep all of it when it fits, with its size', () => {
    expect(decodeWithin(Buffer.from('héllo'), 'utf8', 100)).toEqual({ text: 'héllo', invalidUtf8: false, truncated: false, size: 6 });
  });

  it('should cut before a multi-byte character rather than through it', () => {
    // 'a' + 'é' (2 bytes) + '✓' (3 bytes): 6 bytes; 4 would end inside '✓'.
    expect(decodeWithin(Buffer.from('aé✓'), 'utf8', 4)).toEqual({ text: 'aé', invalidUtf8: false, truncated: true, size: 3 });
    expect(decodeWithin(Buffer.from('🚀x'), 'utf8', 3)).toEqual({ text: '', invalidUtf8: false, truncated: true, size: 0 });
  });

  it('should never let replacement characters grow the text past the size', () => {
    const bytes = Buffer.alloc(10, 0xff);
    const decoded = decodeWithin(bytes, 'utf8', 10);
    expect(decoded).toMatchObject({ invalidUtf8: true, truncated: true });
    expect(Buffer.byteLength(decoded.text)).toBe(decoded.size);
    expect(decoded.size).toBeLessThanOrEqual(10);
    expect(decoded.text).toBe('\uFFFD'.repeat(3));
  });

  it('should cut base64 on whole 3-byte groups so the text still decodes to the start of the bytes', () => {
    const bytes = Buffer.from('abcdefghij');
    const decoded = decodeWithin(bytes, 'base64', 9);
    expect(decoded).toMatchObject({ truncated: true, size: 8 });
    expect(Buffer.from(decoded.text, 'base64').toString()).toBe('abcdef');
  });

  it('should judge validity on all of the bytes, not only the kept start', () => {
    expect(decodeWithin(Buffer.from([0x61, 0x62, 0xff]), 'utf8', 2)).toEqual({ text: 'ab', invalidUtf8: true, truncated: true, size: 2 });
  });
});

describe('when text must fit in a number of UTF-8 bytes', () => {
  it('should stop before a character that does not fit, surrogate pairs included', () => {
    expect(fitUtf8('ab✓', 4)).toEqual({ text: 'ab', size: 2 });
    expect(fitUtf8('a🚀', 4)).toEqual({ text: 'a', size: 1 });
    expect(fitUtf8('a🚀', 5)).toEqual({ text: 'a🚀', size: 5 });
  });
});
