// The catalogue is well-formed data: unique names, known placeholders, and every required language present.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from './catalogue.js';
import { findLanguage, languageForFile } from './lookup.js';

const PLACEHOLDERS = new Set(['{entry}', '{entryStem}', '{sources}', '{memoryMb}', '{mainClass}']);

describe('when reading the catalogue', () => {
  it('should list every language the product promises', () => {
    const ids = CATALOGUE.map((language) => language.id);
    expect(ids).toEqual(expect.arrayContaining(['python', 'javascript', 'typescript', 'c', 'cpp', 'java', 'go', 'rust', 'ruby', 'bash']));
  });

  it('should never give two languages the same id or alias', () => {
    const names = CATALOGUE.flatMap((language) => [language.id, ...language.aliases]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('should use only known placeholders, with {sources} as a whole argument', () => {
    for (const language of CATALOGUE) {
      for (const arg of [...(language.compile ?? []), ...language.run]) {
        for (const placeholder of arg.match(/\{[^}]*\}/g) ?? []) expect(PLACEHOLDERS, `${language.id}: ${arg}`).toContain(placeholder);
        if (arg.includes('{sources}')) expect(arg).toBe('{sources}');
      }
    }
  });

  it('should give every language a source file with its own extension, a version pattern with one group and a hello world', () => {
    for (const language of CATALOGUE) {
      expect(language.extensions[0], language.id).toBe(language.sourceFile.slice(language.sourceFile.lastIndexOf('.')));
      expect(new RegExp(`${language.versionPattern}|`).exec('')!.length, language.id).toBe(2);
      expect(language.helloWorld).toContain('Hello, World!');
      expect(language.debianPackages.length).toBeGreaterThan(0);
    }
  });

  it('should declare what every compile writes, as a path, `*.ext` or `{sourceStem}.ext`', () => {
    for (const language of CATALOGUE.filter((entry) => entry.compile)) {
      expect(language.compileOutputs?.length, language.id).toBeGreaterThan(0);
      for (const pattern of language.compileOutputs!) expect(pattern, language.id).toMatch(/^(\*\.[a-z]+|\{sourceStem\}\.[a-z]+|[A-Za-z0-9_][A-Za-z0-9_./-]*)$/);
    }
  });

  it('should keep support files out of the names a client could send', () => {
    for (const file of CATALOGUE.flatMap((language) => language.supportFiles ?? [])) expect(file.path.startsWith('.runlane')).toBe(true);
  });
});

describe('when looking a language up', () => {
  it('should find it by id or alias, ignoring case', () => {
    expect(findLanguage(CATALOGUE, 'Python')?.id).toBe('python');
    expect(findLanguage(CATALOGUE, 'py')?.id).toBe('python');
    expect(findLanguage(CATALOGUE, 'c++')?.id).toBe('cpp');
    expect(findLanguage(CATALOGUE, 'cobol')).toBeUndefined();
  });

  it('should infer it from a file extension', () => {
    expect(languageForFile(CATALOGUE, 'examples/hello.py')?.id).toBe('python');
    expect(languageForFile(CATALOGUE, 'Main.java')?.id).toBe('java');
    expect(languageForFile(CATALOGUE, 'a.CPP')?.id).toBe('cpp');
    expect(languageForFile(CATALOGUE, 'README')).toBeUndefined();
    expect(languageForFile(CATALOGUE, 'notes.txt')).toBeUndefined();
  });
});

describe('when reading docs/languages.md', () => {
  it('should document every language of the catalogue', () => {
    const docs = readFileSync(new URL('../../docs/languages.md', import.meta.url), 'utf8');
    for (const language of CATALOGUE) expect(docs, language.id).toContain(`| \`${language.id}\` |`);
  });
});
