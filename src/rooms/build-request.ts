// Turns an `execute-code` or interactive `start` payload into a request draft; the service's normaliser does the rest.
import type { ExecutionRequest } from '../domain/submission.js';
import type { LanguageStatus } from '../languages/language.js';
import { requestFromDraft } from '../submissions/normalise-request.js';
import type { ExecuteCode, InteractiveStart } from './client-payloads.js';

/** Builds a batch request; `input` (seed 001) and `stdin` (seed 003) are both accepted. */
export function buildExecutionRequest(payload: ExecuteCode, languages: readonly LanguageStatus[]): ExecutionRequest {
  return requestFromDraft({
    language: payload.language,
    source: payload.code,
    stdin: payload.input ?? payload.stdin,
    args: payload.args,
    limits: payload.limits,
    testCases: payload.testCases?.map((testCase) => ({ stdin: testCase.stdin ?? testCase.input, expectedOutput: testCase.expectedOutput })),
  }, languages);
}

/** Builds an interactive request: stdin is streamed, so the request itself carries none. */
export function buildInteractiveRequest(payload: InteractiveStart, languages: readonly LanguageStatus[]): ExecutionRequest {
  return requestFromDraft({ language: payload.language, source: payload.code, args: payload.args, limits: payload.limits }, languages);
}
