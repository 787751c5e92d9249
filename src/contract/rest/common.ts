// Schemas shared by several routes: error body, path parameters, users, queue entries and snapshots.
import { Type, type TSchema } from '@sinclair/typebox';

/** `T | null`, which both the validator and the serializer understand. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** ISO 8601 timestamp in UTC. */
export const Timestamp = Type.String({ description: 'ISO 8601 timestamp (UTC)', examples: ['2026-01-29T10:25:21.000Z'] });

export const ErrorBody = Type.Object(
  {
    /** Present (false) only on the seed-compatible routes, whose clients test it. */
    success: Type.Optional(Type.Literal(false)),
    error: Type.Object({
      code: Type.String({ description: 'Stable code from docs/errors.md', examples: ['RUNLANE_ERR_HTTP_VALIDATION'] }),
      message: Type.String(),
      details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  },
  { description: 'Every error: a stable code, a readable message, and structured details when useful' },
);

/** Error responses every route can give. */
export const ERROR_RESPONSES = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

const idString = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

export const SubmissionIdParams = Type.Object({ id: idString('Submission id') });
export const RoomParams = Type.Object({ roomId: idString('Room id') });
export const UserParams = Type.Object({ userId: idString('User id') });

export const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20, description: 'Most entries, newest first' })),
});

export const RoomStatsQuery = Type.Object({
  timeRange: Type.Optional(Type.Integer({ minimum: 1, default: 3_600_000, description: 'Window ending now, ms (default one hour)' })),
});

export const PublicUser = Type.Object(
  {
    userId: Type.String(),
    displayName: Type.String(),
    avatar: Nullable(Type.String()),
  },
  { description: 'Who submitted, from the verified token' },
);

export const QueueEntryJson = Type.Object({
  id: Type.String(),
  correlationId: Type.String(),
  roomId: Nullable(Type.String()),
  user: PublicUser,
  language: Type.String(),
  priority: Type.Union([Type.Literal('run'), Type.Literal('submit')], { description: '`submit` (graded) runs before `run`' }),
  priorityBoostedBy: Nullable(Type.Union([Type.Literal('teacher'), Type.Literal('admin')], { description: 'The submitter\'s role that moved it ahead of its kind; null when none did' })),
  queuePosition: Nullable(Type.Integer({ description: '1-based place in this node\'s dispatch order; null once running' })),
  roomPosition: Nullable(Type.Integer({ description: '1-based place among the room\'s queued executions' })),
  position: Nullable(Type.Integer({ description: 'Old name of `queuePosition`, kept for existing clients' })),
  enqueuedAt: Timestamp,
  startedAt: Nullable(Timestamp),
});

export const QueueSnapshotJson = Type.Object({
  roomId: Nullable(Type.String()),
  queueLength: Type.Integer(),
  activeCount: Type.Integer(),
  maxConcurrent: Type.Integer(),
  oldestQueuedAgeMs: Type.Integer({ description: 'Age of the oldest queued execution, ms; 0 when none' }),
  active: Type.Array(QueueEntryJson),
  queued: Type.Array(QueueEntryJson),
});
