// GET /api/v1/admin/dead-letters and POST /api/v1/admin/dead-letters/:id/retry: executions the service failed for good, and their retry (admins only).
import type { FastifyRequest } from 'fastify';
import { ERROR_RESPONSES, SubmissionIdParams } from '../../contract/rest/common.js';
import { DeadLettersJson, DeadLettersQuery } from '../../contract/rest/dead-letters.js';
import { SubmissionJson } from '../../contract/rest/submission-response.js';
import { AppError, AUTH_ERRORS } from '../../errors/index.js';
import { toSubmissionJson } from '../mappers/submission-json.js';
import { identityOf, traceRequest, type HttpApp, type HttpAppDeps } from '../types.js';

/** Default page size of the dead-letter list. */
const DEFAULT_LIMIT = 50;

/** Dead letters show other users' code and results and re-run them: only admins may see or retry them. */
function assertAdmin(request: FastifyRequest): void {
  if (identityOf(request).role !== 'admin') throw new AppError(AUTH_ERRORS.forbidden, 'only admins may list or retry dead letters');
}

/** Registers the dead-letter list and its retry. */
export function registerAdminDeadLetterRoutes(app: HttpApp, { service }: HttpAppDeps): void {
  app.get(
    '/api/v1/admin/dead-letters',
    {
      schema: {
        tags: ['admin'],
        summary: 'Executions the service failed for good, newest first (admin)',
        description: 'Failed with `internal_error` because their runs kept being interrupted (`scheduler.maxAttempts` claims) or the service faulted; a user program\'s failure is never listed.',
        querystring: DeadLettersQuery,
        response: { 200: DeadLettersJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      assertAdmin(request);
      const before = request.query.before === undefined ? undefined : new Date(request.query.before);
      const letters = await service.deadLetters(request.query.limit ?? DEFAULT_LIMIT, before);
      return {
        count: letters.length,
        items: letters.map((letter) => ({
          submission: toSubmissionJson(letter.submission),
          attempts: letter.attempts,
          deadLetteredAt: letter.deadLetteredAt.toISOString(),
          retries: letter.retries,
        })),
      };
    },
  );

  app.post(
    '/api/v1/admin/dead-letters/:id/retry',
    {
      schema: {
        tags: ['admin'],
        summary: 'Queue a dead letter again, as a new attempt cycle under the same id (admin)',
        params: SubmissionIdParams,
        response: { 202: SubmissionJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      assertAdmin(request);
      traceRequest(request, { executionId: request.params.id });
      const submission = await service.retryDeadLetter(request.params.id);
      return reply.code(202).send(toSubmissionJson(submission));
    },
  );
}
