// Tests the NUL escaping that lets PostgreSQL text columns hold any JavaScript string.
import { describe, expect, it } from 'vitest';
import { escapeNul, unescapeNul } from './nul-escape.js';

describe('escapeNul', () => {
  describe('when the text has no NUL and no escape character', () => {
    it('should return it unchanged', () => {
      const text = 'héllo — 你好 🚀\t\r\n';
      expect(escapeNul(text)).toBe(text);
      expect(unescapeNul(text)).toBe(text);
    });
  });

  describe('when the text has NULs and escape characters', () => {
    it.each(['\u0000', 'a\u0000b', '\uFDD0', '\uFDD00', '\uFDD0\u0000\uFDD0\uFDD0', '\u0000\u0000', '0\uFDD0\u00000'])('should round-trip %j without a NUL stored', (text) => {
      const stored = escapeNul(text);
      expect(stored).not.toContain('\u0000');
      expect(unescapeNul(stored)).toBe(text);
    });
  });

  describe('when a stored text was cut inside a sequence', () => {
    it('should keep the lone escape character instead of failing', () => {
      expect(unescapeNul('ab\uFDD0')).toBe('ab\uFDD0');
      expect(unescapeNul('\uFDD0x')).toBe('\uFDD0x');
    });
  });
});
