// Seed 003 (JustCoding #356): POST /compile, synchronous and attributed to the authenticated user.
import { Type } from '@sinclair/typebox';
import type { Identity } from '../../domain/identity.js';
import type { Submission } from '../../domain/submission.js';
import { isTerminal } from '../../domain/lifecycle.js';
import { ERROR_RESPONSES, Nullable, Timestamp } from '../../contract/rest/common.js';
import { StatusJson, VerdictJson } from '../../contract/rest/submission-response.js';
import { identityOf, traceRequest, type HttpApp, type HttpAppDeps } from '../types.js';
import { replyJson } from '../json-stream.js';
import { AdmissionLine } from './admission-line.js';
import { verdictNote } from './verdict-note.js';
import { combinedOutput, compatInput, executionTimeMs, runWhenAdmitted, succeeded } from './compat-common.js';
import { isAnonymous } from '../../auth/index.js';

const CompileBody = Type.Object(
  {
    language: Type.String({ minLength: 1, maxLength: 64, examples: ['python'] }),
    code: Type.String({ examples: ["print('Hello World')"] }),
    stdin: Type.Optional(Type.String()),
    roomId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    userId: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'Shown only in anonymous mode; a token\'s identity always wins' }))),
    username: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'Shown only in anonymous mode; a token\'s identity always wins' }))),
    correlationId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: true },
);

const CompileResult = Type.Object({
  success: Type.Boolean({ description: 'The program ran and was accepted' }),
  executionId: Type.String(),
  correlationId: Type.String(),
  userId: Type.String(),
  username: Type.String(),
  roomId: Nullable(Type.String()),
  output: Type.String(),
  language: Type.String(),
  executionTime: Type.Integer({ description: 'ms' }),
  timestamp: Timestamp,
  status: StatusJson,
  verdict: Nullable(VerdictJson),
  message: Type.Optional(Type.String({ description: 'Why a finished run did not succeed (e.g. "Time limit exceeded: …"), or where to read one that is still running' })),
});

/** `message` of a finished run that did not succeed; nothing for one that did. */
function noteOf(submission: Submission): { message?: string } {
  const note = verdictNote(submission, 'plain');
  return note === null ? {} : { message: note };
}

/**
 * Who the response names. With a token it is the token's user, whatever the body claims. In anonymous mode the
 * claimed userId/username are echoed for display, while scheduling and ownership stay with the `anon:<ip>` identity.
 */
export function attribution(identity: Identity, claimed: { userId?: string | null; username?: string | null }): { userId: string; username: string } {
  if (!isAnonymous(identity)) return { userId: identity.userId, username: identity.displayName };
  return { userId: claimed.userId || identity.userId, username: claimed.username || claimed.userId || identity.displayName };
}

/** Registers seed 003's synchronous `POST /compile`. */
export function registerJustCodingCompileRoute(app: HttpApp, { service, config }: HttpAppDeps): void {
  const line = new AdmissionLine();
  app.post(
    '/compile',
    {
      config: { compat: true, submits: true },
      schema: {
        tags: ['compat'],
        summary: 'Run code and answer with its output (seed 003)',
        description: 'Synchronous. Requests of one user in one room take turns; a busy room is waited for up to `scheduler.maxWaitMs`. If the run outlasts the wait, 202 with the executionId to look up.',
        body: CompileBody,
        response: { 200: CompileResult, 202: CompileResult, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const identity = identityOf(request);
      const shown = attribution(identity, body);
      // The display name may come from the body only for anonymous users, who cannot prove any identity anyway.
      const user = isAnonymous(identity) ? { ...identity, displayName: shown.username } : identity;
      if (body.correlationId) traceRequest(request, { correlationId: body.correlationId });
      const input = compatInput({ code: body.code, language: body.language, stdin: body.stdin, roomId: body.roomId, correlationId: body.correlationId }, user, service);
      const run = () => runWhenAdmitted(service, input, config.scheduler.maxWaitMs);
      // Requests of one user in one room take turns here, as they would have for the seed's room lock.
      const { submission, duplicate } = input.roomId ? await line.run(`${user.userId}\u0000${input.roomId}`, run) : await run();
      traceRequest(request, { executionId: submission.id, correlationId: submission.correlationId });
      const finished = isTerminal(submission.status);
      // A repeated correlationId answers with the earlier run, so it names whoever that run was attributed to.
      const named = duplicate ? { userId: submission.user.userId, username: submission.user.displayName } : shown;
      reply.status(finished ? 200 : 202);
      return replyJson(reply, {
        success: succeeded(submission),
        executionId: submission.id,
        correlationId: submission.correlationId,
        userId: named.userId,
        username: named.username,
        roomId: submission.roomId,
        output: combinedOutput(submission),
        language: submission.request.language,
        executionTime: executionTimeMs(submission),
        timestamp: (submission.finishedAt ?? new Date()).toISOString(),
        status: submission.status,
        verdict: submission.verdict,
        ...(finished ? noteOf(submission) : { message: `still ${submission.status}; read GET /api/execution/history/execution/${submission.id}` }),
      });
    },
  );
}
