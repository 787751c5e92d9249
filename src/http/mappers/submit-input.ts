// Turns a submission body into the service's SubmitInput; identity always comes from authentication, never the body.
import type { Identity } from '../../domain/identity.js';
import type { ExecutionRequest, SourceFile } from '../../domain/submission.js';
import { AppError, HTTP_ERRORS } from '../../errors/index.js';
import type { LanguageStatus } from '../../languages/language.js';
import { sourceFileName } from '../../languages/lookup.js';
import type { SubmitInput } from '../../submissions/types.js';
import type { SubmissionBodyType } from '../schemas/submission-request.js';

/** The engine's request from a native submission body. */
export function toExecutionRequest(body: SubmissionBodyType, languages: readonly LanguageStatus[]): ExecutionRequest {
  return {
    language: body.language,
    version: body.version ?? null,
    files: toFiles(body, languages),
    entry: body.entry ?? null,
    stdin: body.stdin ?? '',
    args: body.args ?? [],
    testCases: (body.testCases ?? []).map((testCase) => ({ stdin: testCase.stdin ?? '', expectedOutput: testCase.expectedOutput ?? null })),
    limits: { ...body.limits },
    compareMode: body.compareMode ?? 'trimmed',
    outputEncoding: body.outputEncoding ?? 'utf8',
  };
}

/** The full SubmitInput of a native body for the authenticated user. */
export function toSubmitInput(body: SubmissionBodyType, user: Identity, languages: readonly LanguageStatus[]): SubmitInput {
  return {
    request: toExecutionRequest(body, languages),
    user,
    roomId: body.roomId ?? null,
    priorityKind: body.priority ?? 'run',
    correlationId: body.correlationId ?? null,
    title: body.title ?? null,
  };
}

/** `source` becomes the language's default file; sending both `source` and `files` is ambiguous and refused. */
function toFiles(body: SubmissionBodyType, languages: readonly LanguageStatus[]): SourceFile[] {
  if (body.source !== undefined && body.files !== undefined) {
    throw new AppError(HTTP_ERRORS.validation, 'invalid request: send either `source` or `files`, not both', { details: { field: 'body.files' } });
  }
  if (body.source !== undefined) return [{ name: sourceFileName(languages, body.language), content: body.source }];
  return (body.files ?? []).map((file) => ({ name: file.name, content: file.content }));
}

