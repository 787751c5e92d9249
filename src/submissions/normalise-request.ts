// The one normaliser: any transport's fields become a resolved request (canonical language id, defaults, every rule checked once).
import type { ResourceLimits } from '../domain/limits.js';
import type { OutputEncoding } from '../domain/result.js';
import type { CompareMode, ExecutionRequest, SourceFile } from '../domain/submission.js';
import { AppError, HTTP_ERRORS } from '../errors/index.js';
import type { LanguageDefinition, LanguageStatus } from '../languages/language.js';
import { findLanguage, requireLanguage, sourceFileName } from '../languages/lookup.js';
import { checkFiles, checkLimits, checkSizes, checkToolchain, type RequestCaps } from './request-checks.js';

/**
 * What a transport hands over, under the names every transport shares; only `language` is required. An ExecutionRequest
 * is a draft too, so a request built earlier passes through unchanged.
 */
export interface RequestDraft {
  /** Id or alias, any case (`Python`, `py`, `c++`). */
  language: string;
  version?: string | null | undefined;
  /** One file named after the language's default (`main.py`); not together with `files`. */
  source?: string | undefined;
  files?: readonly SourceFile[] | undefined;
  /** @defaultValue the first file */
  entry?: string | null | undefined;
  /** @defaultValue '' */
  stdin?: string | undefined;
  /** @defaultValue [] */
  args?: readonly string[] | undefined;
  /** @defaultValue [] (one run with `stdin`) */
  testCases?: readonly { stdin?: string | undefined; expectedOutput?: string | null | undefined }[] | undefined;
  /** @defaultValue {} (the configured run defaults) */
  limits?: Partial<ResourceLimits> | undefined;
  /** @defaultValue 'trimmed' */
  compareMode?: CompareMode | undefined;
  /** @defaultValue 'utf8' */
  outputEncoding?: OutputEncoding | undefined;
}

/** A request that passed every rule: its language is the catalogue id and its entry is named. The engine trusts it. */
export interface ResolvedRequest extends ExecutionRequest {
  version: string | null;
  entry: string;
}

/** What normalising needs to know about this node: its languages and the configured caps and maxima. */
export interface NormaliseContext {
  languages: readonly LanguageStatus[];
  limits: RequestCaps;
}

/**
 * The draft with every default applied and a known alias replaced by its id; nothing is checked but the shape, so a
 * transport can build its service input without knowing the rules.
 */
export function requestFromDraft(draft: RequestDraft, languages: readonly LanguageDefinition[]): ExecutionRequest {
  const stdin = draft.stdin ?? '';
  return {
    language: findLanguage(languages, draft.language)?.id ?? draft.language,
    version: draft.version ?? null,
    files: filesOf(draft, languages),
    entry: draft.entry ?? null,
    stdin,
    args: [...(draft.args ?? [])],
    testCases: (draft.testCases ?? []).map((testCase) => ({ stdin: testCase.stdin ?? '', expectedOutput: testCase.expectedOutput ?? null })),
    limits: { ...draft.limits },
    compareMode: draft.compareMode ?? 'trimmed',
    outputEncoding: draft.outputEncoding ?? 'utf8',
  };
}

/** Applies the defaults, resolves the language and checks every rule; throws the AppError telling the client what to fix. */
export function normaliseRequest(draft: RequestDraft, context: NormaliseContext): ResolvedRequest {
  const request = requestFromDraft(draft, context.languages);
  checkSizes(request, context.limits);
  const language = requireLanguage(context.languages, request.language);
  checkToolchain(language, request.version);
  const entry = request.entry ?? request.files[0]!.name;
  checkFiles(request, language, entry);
  checkLimits(request.limits, context.limits.max);
  return { ...request, language: language.id, version: request.version ?? null, entry };
}

/** `source` becomes the language's default file; sending both `source` and `files` is ambiguous and refused. */
function filesOf(draft: RequestDraft, languages: readonly LanguageDefinition[]): SourceFile[] {
  if (draft.source !== undefined && draft.files !== undefined) {
    throw new AppError(HTTP_ERRORS.validation, 'invalid request: send either `source` or `files`, not both', { details: { field: 'body.files' } });
  }
  if (draft.source !== undefined) return [{ name: sourceFileName(languages, draft.language), content: draft.source }];
  return (draft.files ?? []).map((file) => ({ name: file.name, content: file.content }));
}
