// Turns an `execute-code` or interactive `start` payload into the service's ExecutionRequest.
import { executionRequest, type ExecutionRequest } from '../domain/submission.js';
import type { LanguageStatus } from '../languages/language.js';
import { findLanguage, sourceFileName } from '../languages/lookup.js';
import type { ExecuteCode, InteractiveStart } from './client-payloads.js';

/** Builds a batch request; `input` (seed 001) and `stdin` (seed 003) are both accepted. */
export function buildExecutionRequest(payload: ExecuteCode, languages: readonly LanguageStatus[]): ExecutionRequest {
  return {
    ...baseRequest(payload, languages),
    stdin: payload.input ?? payload.stdin ?? '',
    testCases: (payload.testCases ?? []).map((testCase) => ({
      stdin: testCase.stdin ?? testCase.input ?? '',
      expectedOutput: testCase.expectedOutput ?? null,
    })),
  };
}

/** Builds an interactive request: stdin is streamed, so the request itself carries none. */
export function buildInteractiveRequest(payload: InteractiveStart, languages: readonly LanguageStatus[]): ExecutionRequest {
  return { ...baseRequest(payload, languages), stdin: '', testCases: [] };
}

function baseRequest(payload: ExecuteCode | InteractiveStart, languages: readonly LanguageStatus[]): ExecutionRequest {
  // An unknown language is passed through so the service refuses it with the same error code as REST.
  const language = findLanguage(languages, payload.language);
  return executionRequest(language?.id ?? payload.language, [{ name: sourceFileName(languages, payload.language), content: payload.code }], {
    args: payload.args ?? [],
    limits: payload.limits ?? {},
  });
}
