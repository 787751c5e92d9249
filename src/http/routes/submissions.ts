// Routes of /api/v1/submissions: submit (with ?wait), batch, read (with ?wait), cancel.
import { isTerminal } from '../../domain/lifecycle.js';
import { AppError, HTTP_ERRORS, isAppError } from '../../errors/index.js';
import type { SubmitInput } from '../../submissions/types.js';
import { toSubmissionJson } from '../mappers/submission-json.js';
import { toSubmitInput } from '../mappers/submit-input.js';
import { ERROR_RESPONSES, SubmissionIdParams } from '../../contract/rest/common.js';
import { withPositionAlias } from '../../contract/seed-aliases.js';
import { BatchBody, SubmissionBody, SubmitQuery } from '../../contract/rest/submission-request.js';
import { AcceptedJson, BatchJson, SubmissionJson } from '../../contract/rest/submission-response.js';
import { identityOf, traceRequest, type HttpApp, type HttpAppDeps } from '../types.js';
import { parseWait, settleSubmission } from './submission-reply.js';
import { getVisibleSubmission } from '../read-access.js';
import { replyJson } from '../json-stream.js';

/** Judge0's batch cap, which clients of such services expect. */
export const MAX_BATCH = 20;

type BatchItem = { statusCode: number; error?: { code: string; message: string; details?: Record<string, unknown> } } & Record<string, unknown>;

/** Registers submit, batch, read and cancel. */
export function registerSubmissionRoutes(app: HttpApp, { service, config, metrics }: HttpAppDeps): void {
  app.post(
    '/api/v1/submissions',
    {
      config: { submits: true },
      schema: {
        tags: ['submissions'],
        summary: 'Submit code to run',
        description: 'Answers 202 with the queue position at once. With `?wait=true` or `?wait=<ms>` the finished submission is returned (200) if it finishes in time. Repeating a `correlationId` with the same request returns the earlier submission; with a different request it is refused with 409 `RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH`.',
        querystring: SubmitQuery,
        body: SubmissionBody,
        response: { 200: SubmissionJson, 202: AcceptedJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const waitMs = parseWait(request.query.wait, config.scheduler.maxWaitMs);
      const input = toSubmitInput(request.body, identityOf(request), service.languages());
      if (input.correlationId) traceRequest(request, { correlationId: input.correlationId });
      const outcome = await service.submit(input);
      traceRequest(request, { correlationId: outcome.submission.correlationId, executionId: outcome.submission.id });
      const answer = await settleSubmission(service, outcome, waitMs);
      reply.header('location', `/api/v1/submissions/${outcome.submission.id}`);
      reply.status(answer.statusCode);
      return replyJson(reply, answer.body);
    },
  );

  app.post(
    '/api/v1/submissions/batch',
    {
      config: { submits: true },
      schema: {
        tags: ['submissions'],
        summary: 'Submit up to 20 submissions at once',
        description:
          'Each item is admitted on its own; the result lists, in order, what each item alone would have been answered with. With `?wait=true` or `?wait=<ms>` (the same bounds as submitting one) the answer waits until every accepted item has finished or the wait ends: a finished item is the whole submission (`statusCode: 200`), one still queued or running its `202` body as it stands then.',
        querystring: SubmitQuery,
        body: BatchBody,
        response: { 200: BatchJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const waitMs = parseWait(request.query.wait, config.scheduler.maxWaitMs);
      const bodies = request.body.submissions;
      if (bodies.length > MAX_BATCH) {
        throw new AppError(HTTP_ERRORS.batchTooLarge, `the batch has ${bodies.length} submissions; at most ${MAX_BATCH} are allowed`, { details: { maximum: MAX_BATCH } });
      }
      const user = identityOf(request);
      const languages = service.languages();
      const results: BatchItem[] = new Array(bodies.length);
      const inputs: SubmitInput[] = [];
      const slots: number[] = [];
      bodies.forEach((body, index) => {
        try {
          inputs.push(toSubmitInput(body, user, languages));
          slots.push(index);
        } catch (error) {
          if (!isAppError(error)) throw error;
          results[index] = itemError(error);
        }
      });
      const outcomes = await service.submitBatch(inputs);
      // Every accepted item waits at once, so the whole batch is bounded by one wait, as a single submit is.
      await Promise.all(
        outcomes.map(async (outcome, position) => {
          const index = slots[position]!;
          if ('error' in outcome) {
            results[index] = itemError(outcome.error);
            return;
          }
          if (waitMs > 0) {
            const answer = await settleSubmission(service, outcome, waitMs);
            results[index] = { statusCode: answer.statusCode, ...answer.body };
            return;
          }
          const { submission } = outcome;
          const finished = outcome.duplicate && isTerminal(submission.status);
          results[index] = withPositionAlias({
            statusCode: finished ? 200 : 202,
            id: submission.id,
            status: submission.status,
            queuePosition: outcome.position,
            roomPosition: outcome.roomPosition,
            correlationId: submission.correlationId,
          });
        }),
      );
      for (const item of results) if (item.error) metrics.recordRejection(item.error.code);
      return replyJson(reply, { results });
    },
  );

  app.get(
    '/api/v1/submissions/:id',
    {
      schema: {
        tags: ['submissions'],
        summary: 'Read a submission and, once finished, its result',
        description: 'With `?wait=true` or `?wait=<ms>` (the same bounds as submitting) the answer waits until the submission is finished or the wait ends, then returns its state then.',
        params: SubmissionIdParams,
        querystring: SubmitQuery,
        response: { 200: SubmissionJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const waitMs = parseWait(request.query.wait, config.scheduler.maxWaitMs);
      const viewer = identityOf(request);
      // Visibility is checked before waiting, so a hidden id answers 404 at once like an unknown one.
      let found = await getVisibleSubmission(service, request.params.id, viewer);
      traceRequest(request, { executionId: found.submission.id, correlationId: found.submission.correlationId });
      if (waitMs > 0 && !isTerminal(found.submission.status)) {
        await service.waitFor(found.submission.id, waitMs);
        found = await getVisibleSubmission(service, request.params.id, viewer);
      }
      return replyJson(reply, toSubmissionJson(found.submission, found));
    },
  );

  app.delete(
    '/api/v1/submissions/:id',
    {
      schema: {
        tags: ['submissions'],
        summary: 'Cancel your own queued submission',
        description: 'Only the submitter may cancel, and only while it is queued (409 once running or finished). Someone else\'s room execution answers 403; someone else\'s private one 404, exactly like an unknown id.',
        params: SubmissionIdParams,
        response: { 200: SubmissionJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      traceRequest(request, { executionId: request.params.id });
      const cancelled = await service.cancel(request.params.id, identityOf(request));
      return toSubmissionJson(cancelled);
    },
  );
}

function itemError(error: AppError): BatchItem {
  // A batch answers 200 as a whole, so the Retry-After a refused item would have had travels with the item.
  return { statusCode: error.statusCode, ...error.toJSON(), ...(error.retryAfterSeconds === undefined ? {} : { retryAfter: Math.max(1, Math.ceil(error.retryAfterSeconds)) }) };
}
