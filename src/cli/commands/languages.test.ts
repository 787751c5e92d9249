// `runlane languages` prints a header and one aligned row per language with its aliases.
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../languages/catalogue.js';
import type { LanguageStatus } from '../../languages/language.js';
import { formatLanguages } from './languages.js';

const python: LanguageStatus = { ...CATALOGUE.find((language) => language.id === 'python')!, installed: true, version: '3.11.2', unavailableReason: null };
const rust: LanguageStatus = { ...CATALOGUE.find((language) => language.id === 'rust')!, installed: false, version: null, unavailableReason: 'rustc not found' };

describe('when formatting the language list', () => {
  it('should start with a header row whose columns line up with the rows', () => {
    const lines = formatLanguages([python, rust]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ALIASES\s+VERSION$/);
    for (const column of ['NAME', 'ALIASES', 'VERSION']) {
      const start = lines[0]!.indexOf(column);
      expect(lines[1]![start - 1]).toBe(' ');
      expect(lines[1]![start]).not.toBe(' ');
    }
  });

  it("should list each language's aliases and its version or why it is missing", () => {
    const [, pythonRow, rustRow] = formatLanguages([python, rust]).split('\n');
    expect(pythonRow).toMatch(new RegExp(`^python\\s+${python.displayName}\\s+python3, py, py3\\s+3\\.11\\.2$`));
    expect(rustRow).toMatch(/^rust\s+.+\s+rs, rustc\s+not installed \(rustc not found\)$/);
  });

  it('should mark a language without aliases with a dash', () => {
    const [, row] = formatLanguages([{ ...python, aliases: [] }]).split('\n');
    expect(row).toMatch(/^python\s+\S+.*\s+-\s+3\.11\.2$/);
  });
});
