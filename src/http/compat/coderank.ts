// Seed 000 (CodeRank): POST /execute (202 + polling), GET /submission/:id, GET /stats.
import { Type } from '@sinclair/typebox';
import { ERROR_RESPONSES, Nullable, SubmissionIdParams, Timestamp } from '../../contract/rest/common.js';
import { StatusJson, VerdictJson } from '../../contract/rest/submission-response.js';
import { identityOf, traceRequest, type HttpApp, type HttpAppDeps } from '../types.js';
import { combinedOutput, compatInput, executionTimeMs } from './compat-common.js';
import { verdictNote } from './verdict-note.js';
import { getVisibleSubmission } from '../read-access.js';
import { replyJson } from '../json-stream.js';

const ExecuteBody = Type.Object(
  {
    code: Type.String({ examples: ["print('hello')"] }),
    language: Type.String({ minLength: 1, maxLength: 64, examples: ['python'] }),
    input: Type.Optional(Type.String({ description: 'stdin' })),
    title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  },
  { additionalProperties: true },
);

const ExecuteAccepted = Type.Object({
  success: Type.Literal(true),
  data: Type.Object({ submissionId: Type.String(), status: Type.Literal('queued'), message: Type.String() }),
});

const SubmissionStatusJson = Type.Object({
  submissionId: Type.String(),
  status: StatusJson,
  verdict: Nullable(VerdictJson),
  output: Type.String({ description: 'stdout then stderr (compiler messages for a compilation error), then a line saying why a run did not succeed ("Execution timeout" for a time limit)' }),
  error: Nullable(Type.String({ description: 'Why the run did not succeed, e.g. "Execution timeout"; null while it runs or once it succeeded' })),
  stdout: Type.String(),
  stderr: Type.String(),
  executionTime: Type.Integer({ description: 'ms' }),
  exitCode: Nullable(Type.Integer()),
  language: Type.String(),
  title: Nullable(Type.String()),
  createdAt: Timestamp,
  completedAt: Nullable(Timestamp),
});

const StatsBody = Type.Object({
  success: Type.Literal(true),
  data: Type.Object({ activeExecutions: Type.Integer(), queuedExecutions: Type.Integer(), totalInProgress: Type.Integer() }),
});

/** Registers seed 000's `POST /execute`, `GET /submission/:id` and `GET /stats`. */
export function registerCodeRankRoutes(app: HttpApp, { service }: HttpAppDeps): void {
  app.post(
    '/execute',
    {
      config: { compat: true, submits: true },
      schema: {
        tags: ['compat'],
        summary: 'Queue code (seed 000); poll GET /submission/:id',
        body: ExecuteBody,
        response: { 202: ExecuteAccepted, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { code, language, input, title } = request.body;
      const outcome = await service.submit(compatInput({ code, language, stdin: input, title }, identityOf(request), service));
      traceRequest(request, { executionId: outcome.submission.id, correlationId: outcome.submission.correlationId });
      return reply.status(202).send({ success: true, data: { submissionId: outcome.submission.id, status: 'queued', message: 'Code execution queued' } });
    },
  );

  app.get(
    '/submission/:id',
    {
      config: { compat: true },
      schema: {
        tags: ['compat'],
        summary: 'Status and, once finished, output of a queued execution (seed 000)',
        params: SubmissionIdParams,
        response: { 200: SubmissionStatusJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { submission } = await getVisibleSubmission(service, request.params.id, identityOf(request));
      return replyJson(reply, {
        submissionId: submission.id,
        status: submission.status,
        verdict: submission.verdict,
        output: combinedOutput(submission, 'coderank'),
        error: verdictNote(submission, 'coderank'),
        stdout: submission.result?.stdout ?? '',
        stderr: submission.result?.stderr ?? '',
        executionTime: executionTimeMs(submission),
        exitCode: submission.result?.exitCode ?? null,
        language: submission.request.language,
        title: submission.title,
        createdAt: submission.createdAt.toISOString(),
        completedAt: submission.finishedAt?.toISOString() ?? null,
      });
    },
  );

  app.get(
    '/stats',
    {
      config: { compat: true },
      schema: {
        tags: ['compat'],
        summary: 'Executions running and queued (seed 000)',
        response: { 200: StatsBody, ...ERROR_RESPONSES },
      },
    },
    async () => {
      const stats = await service.stats();
      return { success: true as const, data: { activeExecutions: stats.active, queuedExecutions: stats.queued, totalInProgress: stats.totalInProgress } };
    },
  );
}
