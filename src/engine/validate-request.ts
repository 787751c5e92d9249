// Checks an execution request before anything runs: language, version, file names, entry, args and limits.
import { AppError, ENGINE_ERRORS } from '../errors/index.js';
import { LIMIT_KEYS, type ResourceLimits } from '../domain/limits.js';
import type { ExecutionRequest } from '../domain/submission.js';
import type { LanguageStatus } from '../languages/language.js';
import { findLanguage } from '../languages/lookup.js';
import { compileOutputClash } from '../languages/compile-outputs.js';

/** What validation resolved: the language entry and the entry file name. */
export interface ResolvedRequest {
  language: LanguageStatus;
  entry: string;
}

/**
 * Each part of a name starts with a letter, digit or `_`: never `-` (it would read as a compiler flag once expanded into
 * argv), never `.` (no `..`, no clash with `.runlane*` support files). ASCII only, so every toolchain accepts it.
 */
const NAME_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
const MAX_NAME_LENGTH = 255;
const MAX_DEPTH = 8;

/** Throws the AppError explaining the first problem found, or returns what the request resolves to. */
export function validateRequest(request: ExecutionRequest, languages: readonly LanguageStatus[], maxima: ResourceLimits): ResolvedRequest {
  const language = findLanguage(languages, request.language);
  if (!language) {
    const known = languages.map((entry) => entry.id).join(', ');
    throw new AppError(ENGINE_ERRORS.unknownLanguage, `unknown language "${request.language}"; known languages: ${known}`, { details: { language: request.language } });
  }
  if (!language.installed) {
    throw new AppError(ENGINE_ERRORS.languageUnavailable, `${language.displayName} is not available on this node: ${language.unavailableReason ?? 'not installed'}`, {
      details: { language: language.id },
    });
  }
  if (request.version && request.version !== '*' && !versionMatches(language.version!, request.version)) {
    throw new AppError(ENGINE_ERRORS.unknownVersion, `${language.displayName} ${request.version} is not installed; this node has ${language.version}`, {
      details: { language: language.id, installed: language.version },
    });
  }
  checkFiles(request);
  checkCompileOutputs(request, language);
  const entry = request.entry ?? request.files[0]!.name;
  if (!request.files.some((file) => file.name === entry)) {
    throw new AppError(ENGINE_ERRORS.unknownEntry, `entry "${entry}" is not one of the submitted files`, { details: { entry } });
  }
  if (request.args.some((arg) => arg.includes('\0'))) throw new AppError(ENGINE_ERRORS.badArgument, 'a program argument contains a NUL byte');
  checkLimits(request.limits, maxima);
  return { language, entry };
}

/** `3` and `3.11` match `3.11.2`; `3.1` does not. */
export function versionMatches(installed: string, requested: string): boolean {
  return installed === requested || installed.startsWith(`${requested}.`);
}

function checkFiles(request: ExecutionRequest): void {
  if (request.files.length === 0 || request.files.every((file) => file.content.trim() === '')) {
    throw new AppError(ENGINE_ERRORS.emptySource, 'the submission has no source code');
  }
  const names = new Set<string>();
  for (const { name } of request.files) {
    const problem = fileNameProblem(name);
    if (problem) throw new AppError(ENGINE_ERRORS.badFileName, `bad file name ${JSON.stringify(name)}: ${problem}`, { details: { name } });
    if (names.has(name)) throw new AppError(ENGINE_ERRORS.badFileName, `file "${name}" is sent twice`, { details: { name } });
    names.add(name);
  }
  // `lib` and `lib/util.py` cannot both exist: one would have to be a file and a folder at once.
  for (const name of names) {
    for (let slash = name.indexOf('/'); slash !== -1; slash = name.indexOf('/', slash + 1)) {
      const folder = name.slice(0, slash);
      if (names.has(folder)) throw new AppError(ENGINE_ERRORS.badFileName, `"${folder}" is sent as a file and used as a folder by "${name}"`, { details: { name: folder } });
    }
  }
}

/** A submitted file named like something the compile writes would clash with it in the run's work dir: refused up front. */
function checkCompileOutputs(request: ExecutionRequest, language: LanguageStatus): void {
  const names = request.files.map((file) => file.name);
  const sources = names.filter((name) => language.extensions.some((extension) => name.toLowerCase().endsWith(extension)));
  const clash = compileOutputClash(language, names, sources);
  if (!clash) return;
  throw new AppError(ENGINE_ERRORS.reservedFileName, `file "${clash.name}" has a name the ${language.displayName} compile writes itself (${clash.pattern}); rename it or leave it out`, {
    details: { name: clash.name, pattern: clash.pattern },
  });
}

/** Why a file name is refused, or null when it is fine. */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.startsWith('/')) return 'it is absolute';
  const segments = name.split('/');
  if (segments.includes('..')) return 'it contains ".."';
  if (segments.length > MAX_DEPTH) return `it is nested deeper than ${MAX_DEPTH} folders`;
  if (segments.some((segment) => !NAME_SEGMENT.test(segment))) {
    return 'each part must start with a letter, digit or "_" and use only letters, digits, "_", "-", "+" and "."';
  }
  return null;
}

function checkLimits(requested: Partial<ResourceLimits>, maxima: ResourceLimits): void {
  for (const key of LIMIT_KEYS) {
    const value = requested[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new AppError(ENGINE_ERRORS.limitOutOfRange, `limit ${key} must be a positive number (got ${value})`, { details: { key, requested: value } });
    }
    if (value > maxima[key]) {
      throw new AppError(ENGINE_ERRORS.limitOutOfRange, `limit ${key} (${value}) is above this node's maximum of ${maxima[key]}`, {
        details: { key, requested: value, maximum: maxima[key] },
      });
    }
  }
}
