// Schemas of submissions as clients see them: the accepted (202) body, the full public submission, batch results.
import { Type, type Static } from '@sinclair/typebox';
import { SUBMISSION_STATUSES as STATUSES } from '../../domain/lifecycle.js';
import { VERDICTS } from '../../domain/verdict.js';
import { Nullable, PublicUser, Timestamp } from './common.js';

export const StatusJson = Type.Union(STATUSES.map((status) => Type.Literal(status)), { description: 'Lifecycle: queued → running → completed | failed | cancelled' });
export const VerdictJson = Type.Union(VERDICTS.map((verdict) => Type.Literal(verdict)), { description: 'Outcome of the program; only internal_error is the service\'s fault' });

const figures = {
  exitCode: Nullable(Type.Integer()),
  signal: Nullable(Type.String({ description: 'e.g. SIGKILL, SIGSEGV' })),
  cpuTimeMs: Type.Number({ description: 'CPU time of this stage\'s processes' }),
  wallTimeMs: Type.Number({ description: 'Wall time of this stage' }),
  memoryKb: Type.Number({ description: 'Peak memory of the stage' }),
};

export const StageJson = Type.Object({
  verdict: VerdictJson,
  stdout: Type.String(),
  stderr: Type.String(),
  ...figures,
  message: Nullable(Type.String()),
  invalidUtf8: Type.Boolean(),
  stdoutTruncated: Type.Boolean({
    description: 'stdout is cut short: to fit the submission output cap (`limits.maxSubmissionOutputBytes`), or to a list preview. The verdict saw all of it',
  }),
  stderrTruncated: Type.Boolean({ description: 'As `stdoutTruncated`, for stderr' }),
});

export const TestCaseJson = Type.Object({
  index: Type.Integer(),
  ...StageJson.properties,
  expectedOutput: Nullable(Type.String()),
});

export const SubmissionJson = Type.Object(
  {
    id: Type.String(),
    status: StatusJson,
    verdict: Nullable(VerdictJson),
    correlationId: Type.String(),
    roomId: Nullable(Type.String()),
    title: Nullable(Type.String()),
    priority: Type.Union([Type.Literal('run'), Type.Literal('submit')]),
    priorityBoostedBy: Nullable(Type.Union([Type.Literal('teacher'), Type.Literal('admin')], { description: 'The submitter\'s role that moved it ahead of its kind; null when none did' })),
    user: PublicUser,
    language: Type.String(),
    version: Nullable(Type.String({ description: 'Version of the toolchain that ran it (as detected at start-up); before it ran, the version asked for' })),
    queuePosition: Nullable(Type.Integer({ description: '1-based place in the node\'s dispatch order while queued' })),
    roomPosition: Nullable(Type.Integer({ description: '1-based place among the room\'s queued executions while queued' })),
    position: Nullable(Type.Integer({ description: 'Old name of `queuePosition`, kept for existing clients' })),
    stdout: Nullable(Type.String()),
    stderr: Nullable(Type.String()),
    exitCode: Nullable(Type.Integer()),
    signal: Nullable(Type.String()),
    cpuTimeMs: Nullable(Type.Number({ description: 'Largest CPU time over the runs (the compile\'s for a compilation error)' })),
    wallTimeMs: Nullable(Type.Number({ description: 'Largest wall time over the runs, the same stages as `cpuTimeMs`' })),
    memoryKb: Nullable(Type.Number({ description: 'Largest peak memory over the runs' })),
    message: Nullable(Type.String({ description: 'Detail of the verdict, or why the service could not run it' })),
    outputEncoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
    outputTruncated: Type.Boolean({
      description:
        'Some output is not in this answer: cut to the submission output cap, or (in history lists) to the preview. Read GET /api/v1/submissions/:id for everything that was kept',
    }),
    compile: Nullable(Type.Object({ ...StageJson.properties, cached: Type.Boolean({ description: 'Taken from the compile cache' }) })),
    testCases: Type.Array(TestCaseJson),
    createdAt: Timestamp,
    startedAt: Nullable(Timestamp),
    finishedAt: Nullable(Timestamp),
  },
  { description: 'A submission and, once finished, its result' },
);

export type SubmissionJsonType = Static<typeof SubmissionJson>;

export const AcceptedJson = Type.Object(
  {
    id: Type.String(),
    status: StatusJson,
    queuePosition: Nullable(Type.Integer({ description: '1-based place in the node\'s dispatch order' })),
    roomPosition: Nullable(Type.Integer({ description: '1-based place among the room\'s queued executions' })),
    position: Nullable(Type.Integer({ description: 'Old name of `queuePosition`, kept for existing clients' })),
    correlationId: Type.String(),
  },
  { description: 'Accepted, not finished yet: poll `GET /api/v1/submissions/:id` or submit with `?wait`' },
);

export type AcceptedJsonType = Static<typeof AcceptedJson>;

export const BatchItemJson = Type.Object({
  statusCode: Type.Integer({ description: 'What this item alone would have been answered with (202, 200, 4xx, 5xx)' }),
  // With `?wait`, an item that finished in time is the whole submission; the fields below are then those of SubmissionJson.
  ...Type.Partial(SubmissionJson).properties,
  id: Type.Optional(Type.String()),
  status: Type.Optional(StatusJson),
  queuePosition: Type.Optional(Nullable(Type.Integer())),
  roomPosition: Type.Optional(Nullable(Type.Integer())),
  position: Type.Optional(Nullable(Type.Integer({ description: 'Old name of `queuePosition`, kept for existing clients' }))),
  correlationId: Type.Optional(Type.String()),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Object({}, { additionalProperties: true })) })),
  retryAfter: Type.Optional(Type.Integer({ description: 'For a refused item: seconds after which it may be accepted (the `Retry-After` it would have had alone)' })),
});

export const BatchJson = Type.Object({ results: Type.Array(BatchItemJson, { description: 'One result per submitted item, in order' }) });
