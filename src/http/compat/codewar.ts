// Seed 004 (CodeWar): POST /run, synchronous, answering with output, execution time and job id.
import { Type } from '@sinclair/typebox';
import { isTerminal } from '../../domain/lifecycle.js';
import { ERROR_RESPONSES, Nullable } from '../../contract/rest/common.js';
import { StatusJson, VerdictJson } from '../../contract/rest/submission-response.js';
import { identityOf, traceRequest, type HttpApp, type HttpAppDeps } from '../types.js';
import { replyJson } from '../json-stream.js';
import { combinedOutput, compatInput, executionTimeMs, runWhenAdmitted } from './compat-common.js';

const RunBody = Type.Object(
  {
    code: Type.String({ examples: ['print(1)'] }),
    language: Type.String({ minLength: 1, maxLength: 64, examples: ['python', 'cpp'] }),
    input: Type.Optional(Type.String({ description: 'stdin' })),
  },
  { additionalProperties: true },
);

const RunResult = Type.Object({
  output: Type.String(),
  executionTime: Type.Integer({ description: 'ms' }),
  jobId: Type.String(),
  status: StatusJson,
  verdict: Nullable(VerdictJson),
});

/** Registers seed 004's synchronous `POST /run`. */
export function registerCodeWarRoutes(app: HttpApp, { service, config }: HttpAppDeps): void {
  app.post(
    '/run',
    {
      config: { compat: true, submits: true },
      schema: {
        tags: ['compat'],
        summary: 'Run code and answer with its output (seed 004)',
        description: 'Synchronous; 202 with the jobId when the run outlasts the wait (read it at GET /api/v1/submissions/:jobId).',
        body: RunBody,
        response: { 200: RunResult, 202: RunResult, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { code, language, input } = request.body;
      const { submission } = await runWhenAdmitted(service, compatInput({ code, language, stdin: input }, identityOf(request), service), config.scheduler.maxWaitMs);
      traceRequest(request, { executionId: submission.id, correlationId: submission.correlationId });
      reply.status(isTerminal(submission.status) ? 200 : 202);
      return replyJson(reply, {
        output: combinedOutput(submission),
        executionTime: executionTimeMs(submission),
        jobId: submission.id,
        status: submission.status,
        verdict: submission.verdict,
      });
    },
  );
}
