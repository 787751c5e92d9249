// Finds catalogue entries by id, alias or file name.
import { extname } from 'node:path';
import type { LanguageDefinition } from './language.js';

/** The entry whose id or alias is `name` (case-insensitive), or undefined. */
export function findLanguage<T extends LanguageDefinition>(languages: readonly T[], name: string): T | undefined {
  const wanted = name.trim().toLowerCase();
  return languages.find((language) => language.id === wanted || language.aliases.includes(wanted));
}

/**
 * File name given to bare `source` code: the language's own (`main.py`, `Main.java`), or `main` for a language the
 * catalogue lacks (the service then rejects that language with its own error code).
 */
export function sourceFileName(languages: readonly LanguageDefinition[], name: string): string {
  return findLanguage(languages, name)?.sourceFile ?? 'main';
}

/** The entry that owns the file's extension (`hello.py` → python), or undefined. The first entry listing it wins. */
export function languageForFile<T extends LanguageDefinition>(languages: readonly T[], fileName: string): T | undefined {
  const extension = extname(fileName).toLowerCase();
  if (!extension) return undefined;
  return languages.find((language) => language.extensions.includes(extension));
}
