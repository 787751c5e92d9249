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
import { actAs, claimedAnonymousIdentity } from '../../auth/index.js';

const CompileBody = Type.Object(
  {
    language: Type.String({ minLength: 1, maxLength: 64, examples: ['python'] }),
    code: Type.String({ examples: ["print('Hello World')"] }),
    stdin: Type.Optional(Type.String()),
    roomId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    userId: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'The end user a service key acts for; in anonymous mode `anon:<ip>:<userId>`; a user token\'s identity always wins' }))),
    username: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'Display name of that end user (service keys, anonymous mode)' }))),
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
 * Who runs a `/compile` request. A service key's `userId`/`username` name the end user it acts for (see `actAs`); in
 * anonymous mode they tell users behind one address apart (`anon:<ip>:<userId>`, shown as `username`); any other
 * token's identity wins over what the body claims. The response and history both name exactly this identity.
 */
export function compileUser(identity: Identity, claimed: { userId?: string | null | undefined; username?: string | null | undefined }): Identity {
  const service = (identity.actor ?? identity).role === 'service';
  if (service && claimed.userId) return actAs(identity, { userId: claimed.userId, displayName: claimed.username });
  return claimedAnonymousIdentity(identity, claimed.userId, claimed.username);
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
      const user = compileUser(identityOf(request), body);
      if (body.correlationId) traceRequest(request, { correlationId: body.correlationId });
      const input = compatInput({ code: body.code, language: body.language, stdin: body.stdin, roomId: body.roomId, correlationId: body.correlationId }, user, service);
      const run = () => runWhenAdmitted(service, input, config.scheduler.maxWaitMs);
      // Requests of one user in one room take turns here, as they would have for the seed's room lock.
      const { submission, duplicate } = input.roomId ? await line.run(`${user.userId}\u0000${input.roomId}`, run) : await run();
      traceRequest(request, { executionId: submission.id, correlationId: submission.correlationId });
      const finished = isTerminal(submission.status);
      // A repeated correlationId answers with the earlier run, so it names whoever that run was attributed to.
      const named = duplicate ? submission.user : user;
      reply.status(finished ? 200 : 202);
      return replyJson(reply, {
        success: succeeded(submission),
        executionId: submission.id,
        correlationId: submission.correlationId,
        userId: named.userId,
        username: named.displayName,
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
