// Schemas of what clients send to submit code: the submission body, the batch body and the `wait` query.
import { Type, type Static } from '@sinclair/typebox';
import { requestedLimitsSchema } from '../limits.js';
import { Nullable } from './common.js';

/** Requested limits; unknown keys are refused so a typo never silently falls back to a default. */
export const LimitsBody = requestedLimitsSchema(
  'Per-run limits; each must be at most the server maximum (above it the submission is rejected, never clamped)',
);

export const SourceFileBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, description: 'Relative path, e.g. `main.py` or `lib/util.py`' }),
    content: Type.String(),
  },
  { additionalProperties: false },
);

export const TestCaseBody = Type.Object(
  {
    stdin: Type.Optional(Type.String({ default: '' })),
    expectedOutput: Type.Optional(Nullable(Type.String({ description: 'Compared with stdout; a mismatch is `wrong_answer`' }))),
  },
  { additionalProperties: false },
);

/** The end user a service key acts for; refused with 403 from any other credential. */
export const ActAsBody = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: 'Your id of the end user; stored as `svc:<keyId>:<userId>`' }),
    displayName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    avatar: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    role: Type.Optional(
      Type.Union([Type.Literal('user'), Type.Literal('teacher'), Type.Literal('admin')], { default: 'user', description: 'At most the key\'s `maxActAsRole`' }),
    ),
  },
  { additionalProperties: false },
);

export const SubmissionBody = Type.Object(
  {
    language: Type.String({ minLength: 1, maxLength: 64, description: 'Language id or alias from `GET /api/v1/languages`', examples: ['python'] }),
    version: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    source: Type.Optional(Type.String({ description: 'The program, as one file; use `files` for several' })),
    files: Type.Optional(Type.Array(SourceFileBody, { description: 'Source files; the entry point is `entry` or the first file' })),
    entry: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    stdin: Type.Optional(Type.String({ default: '' })),
    args: Type.Optional(Type.Array(Type.String(), { description: 'Command-line arguments' })),
    testCases: Type.Optional(Type.Array(TestCaseBody, { description: 'One run per case; compiled once' })),
    limits: Type.Optional(LimitsBody),
    roomId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    priority: Type.Optional(Type.Union([Type.Literal('run'), Type.Literal('submit')], { default: 'run', description: '`submit` (graded) runs before `run`' })),
    correlationId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'Your id for this request; repeating it returns the same submission' }))),
    title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    compareMode: Type.Optional(Type.Union([Type.Literal('trimmed'), Type.Literal('exact')], { default: 'trimmed' })),
    outputEncoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('base64')], { default: 'utf8' })),
    actAs: Type.Optional(ActAsBody),
  },
  { additionalProperties: false },
);

export type SubmissionBodyType = Static<typeof SubmissionBody>;

/** Up to 20 submissions; the cap is checked by the handler so it gets its own error code. */
export const BatchBody = Type.Object(
  { submissions: Type.Array(SubmissionBody, { minItems: 1, description: 'At most 20 submissions' }) },
  { additionalProperties: false },
);

export const SubmitQuery = Type.Object({
  wait: Type.Optional(
    Type.String({
      pattern: '^(true|false|[0-9]{1,9})$',
      description: '`true` waits up to the server maximum (`scheduler.maxWaitMs`), a number waits that many ms (at most the maximum)',
    }),
  ),
});
