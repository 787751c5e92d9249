// Decides how a submit call is answered: 202 with the queue place, or 200 with the finished submission.
import { isTerminal } from '../../domain/lifecycle.js';
import { AppError, HTTP_ERRORS } from '../../errors/index.js';
import type { SubmissionService } from '../../submissions/submission-service.js';
import type { SubmitOutcome } from '../../submissions/types.js';
import { toAcceptedJson, toSubmissionJson } from '../mappers/submission-json.js';

/** Status code and body of a submit answer. */
export type SubmitReply =
  | { statusCode: 200; body: ReturnType<typeof toSubmissionJson> }
  | { statusCode: 202; body: ReturnType<typeof toAcceptedJson> };

/**
 * `?wait` as milliseconds: absent, `false` or `0` → no wait; `true` → the server maximum; a number → that many ms.
 * A wait above the maximum is refused rather than shortened, so the client learns the real bound.
 */
export function parseWait(raw: string | undefined, maxWaitMs: number): number {
  if (raw === undefined || raw === 'false') return 0;
  if (raw === 'true') return maxWaitMs;
  const waitMs = Number(raw);
  if (!Number.isSafeInteger(waitMs) || waitMs < 0) {
    throw new AppError(HTTP_ERRORS.validation, 'invalid request: querystring.wait: expected true, false or milliseconds', { details: { field: 'querystring.wait' } });
  }
  if (waitMs > maxWaitMs) {
    throw new AppError(HTTP_ERRORS.validation, `invalid request: querystring.wait: ${waitMs} ms is above the maximum of ${maxWaitMs} ms`, {
      details: { field: 'querystring.wait', maximum: maxWaitMs },
    });
  }
  return waitMs;
}

/**
 * A finished submission is returned whole (200) when the client waited for it or repeated a correlationId;
 * anything still queued or running is a 202 with where it stands now.
 */
export async function settleSubmission(service: SubmissionService, outcome: SubmitOutcome, waitMs: number): Promise<SubmitReply> {
  let submission = outcome.submission;
  let place = { position: outcome.position, roomPosition: outcome.roomPosition };
  if (!isTerminal(submission.status) && waitMs > 0) {
    submission = (await service.waitFor(submission.id, waitMs)) ?? submission;
    if (!isTerminal(submission.status)) {
      const current = await service.get(submission.id);
      if (current) {
        submission = current.submission;
        place = { position: current.position, roomPosition: current.roomPosition };
      }
    }
  }
  if (isTerminal(submission.status) && (waitMs > 0 || outcome.duplicate)) return { statusCode: 200, body: toSubmissionJson(submission) };
  return { statusCode: 202, body: toAcceptedJson(submission, place) };
}
