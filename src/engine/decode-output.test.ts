// Output decoding never throws and always says when bytes were not UTF-8.
import { describe, expect, it } from 'vitest';
import { decodeOutput, outputAsText } from './decode-output.js';

describe('when the output is valid UTF-8', () => {
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
