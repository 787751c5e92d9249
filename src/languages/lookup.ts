// Finds catalogue entries by id, alias or file name.
import { extname } from 'node:path';
import { AppError, ENGINE_ERRORS } from '../errors/index.js';
import type { LanguageDefinition } from './language.js';

/** The entry whose id or alias is `name` (case-insensitive), or undefined. */
export function findLanguage<T extends LanguageDefinition>(languages: readonly T[], name: string): T | undefined {
  const wanted = name.trim().toLowerCase();
  return languages.find((language) => language.id === wanted || language.aliases.includes(wanted));
}

/** The entry whose id or alias is `name`; an unknown name is the client's mistake, refused with the list of known ids. */
export function requireLanguage<T extends LanguageDefinition>(languages: readonly T[], name: string): T {
  const language = findLanguage(languages, name);
  if (language) return language;
  const known = languages.map((entry) => entry.id).join(', ');
  throw new AppError(ENGINE_ERRORS.unknownLanguage, `unknown language "${name}"; known languages: ${known}`, { details: { language: name } });
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
