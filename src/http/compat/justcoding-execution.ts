// Seed 003 (JustCoding #356): /api/execution history, stats and queue status routes, in the seed's response shapes.
import { Type } from '@sinclair/typebox';
import type { Identity } from '../../domain/identity.js';
import type { Submission } from '../../domain/submission.js';
import { toQueueEntryJson } from '../mappers/queue-json.js';
import { ERROR_RESPONSES, HistoryQuery, Nullable, QueueEntryJson, RoomParams, RoomStatsQuery, Timestamp, UserParams } from '../../contract/rest/common.js';
import { StatusJson, VerdictJson } from '../../contract/rest/submission-response.js';
import { DEFAULT_HISTORY_LIMIT, DEFAULT_STATS_RANGE_MS } from '../routes/history.js';
import { identityOf, type HttpApp, type HttpAppDeps } from '../types.js';
import { combinedOutput, executionTimeMs, outputTruncated, succeeded } from './compat-common.js';
import { assertMayReadUserHistory, getVisibleSubmission, visibleHistory, visibleSnapshot } from '../read-access.js';

const PREFIX = '/api/execution';

const HistoryEntry = Type.Object({
  executionId: Type.String(),
  correlationId: Type.String(),
  roomId: Nullable(Type.String()),
  userId: Type.String(),
  username: Type.String(),
  language: Type.String(),
  success: Type.Boolean(),
  status: StatusJson,
  verdict: Nullable(VerdictJson),
  output: Type.String(),
  truncated: Type.Boolean({ description: 'output is cut short: a preview in history lists (read one execution for all of it), or cut to the submission output cap' }),
  executionTime: Type.Integer({ description: 'ms' }),
  createdAt: Timestamp,
  completedAt: Nullable(Timestamp),
});

const ExecutionDetail = Type.Object({
  ...HistoryEntry.properties,
  code: Type.Optional(Type.String({ description: 'Only for the submitter, teachers and admins' })),
  stdin: Type.Optional(Type.String({ description: 'Only for the submitter, teachers and admins' })),
});

const History = (key: 'roomId' | 'userId') =>
  Type.Object({ success: Type.Literal(true), [key]: Type.String(), history: Type.Array(HistoryEntry), count: Type.Integer() });

const RoomStats = Type.Object({
  success: Type.Literal(true),
  roomId: Type.String(),
  timeRange: Type.Integer(),
  stats: Type.Object({
    totalExecutions: Type.Integer(),
    successfulExecutions: Type.Integer(),
    failedExecutions: Type.Integer(),
    avgExecutionTime: Type.Number(),
    totalExecutionTime: Type.Number(),
  }),
});

const QueueStatus = Type.Object({
  success: Type.Literal(true),
  roomId: Type.Optional(Type.String()),
  queueLength: Type.Integer(),
  oldestAge: Type.Integer({ description: 'ms the oldest queued execution has waited' }),
  activeExecutions: Type.Integer(),
  maxConcurrent: Type.Integer(),
  queued: Type.Array(QueueEntryJson),
  active: Type.Array(QueueEntryJson),
});

function historyEntry(submission: Submission) {
  return {
    executionId: submission.id,
    correlationId: submission.correlationId,
    roomId: submission.roomId,
    userId: submission.user.userId,
    username: submission.user.displayName,
    language: submission.request.language,
    success: succeeded(submission),
    status: submission.status,
    verdict: submission.verdict,
    output: combinedOutput(submission),
    truncated: outputTruncated(submission),
    executionTime: executionTimeMs(submission),
    createdAt: submission.createdAt.toISOString(),
    completedAt: submission.finishedAt?.toISOString() ?? null,
  };
}

/** Registers seed 003's `/api/execution/*` history, stats and queue routes. */
export function registerJustCodingExecutionRoutes(app: HttpApp, { service }: HttpAppDeps): void {
  const common = { config: { compat: true }, tags: ['compat'] } as const;

  app.get(
    `${PREFIX}/history/room/:roomId`,
    {
      config: common.config,
      schema: { tags: [...common.tags], summary: 'A room\'s executions, newest first (seed 003)', params: RoomParams, querystring: HistoryQuery, response: { 200: History('roomId'), ...ERROR_RESPONSES } },
    },
    async (request) => {
      const items = visibleHistory(identityOf(request), await service.roomHistory(request.params.roomId, request.query.limit ?? DEFAULT_HISTORY_LIMIT));
      return { success: true as const, roomId: request.params.roomId, history: items.map(historyEntry), count: items.length };
    },
  );

  app.get(
    `${PREFIX}/history/user/:userId`,
    {
      config: common.config,
      schema: { tags: [...common.tags], summary: 'A user\'s executions, newest first (seed 003)', params: UserParams, querystring: HistoryQuery, response: { 200: History('userId'), ...ERROR_RESPONSES } },
    },
    async (request) => {
      const viewer = identityOf(request);
      assertMayReadUserHistory(viewer, request.params.userId);
      const items = visibleHistory(viewer, await service.userHistory(request.params.userId, request.query.limit ?? DEFAULT_HISTORY_LIMIT));
      return { success: true as const, userId: request.params.userId, history: items.map(historyEntry), count: items.length };
    },
  );

  app.get(
    `${PREFIX}/history/execution/:execId`,
    {
      config: common.config,
      schema: {
        tags: [...common.tags],
        summary: 'One execution (seed 003)',
        params: Type.Object({ execId: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ success: Type.Literal(true), execution: ExecutionDetail }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { submission, complete } = await getVisibleSubmission(service, request.params.execId, identityOf(request));
      // Seeing that a room execution happened is shared with the room; its source stays with the author and staff.
      const source = complete ? { code: submission.request.files.map((file) => file.content).join('\n'), stdin: submission.request.stdin } : {};
      return { success: true as const, execution: { ...historyEntry(submission), ...source } };
    },
  );

  app.get(
    `${PREFIX}/stats/room/:roomId`,
    {
      config: common.config,
      schema: { tags: [...common.tags], summary: 'A room\'s execution statistics (seed 003)', params: RoomParams, querystring: RoomStatsQuery, response: { 200: RoomStats, ...ERROR_RESPONSES } },
    },
    async (request) => {
      const timeRange = request.query.timeRange ?? DEFAULT_STATS_RANGE_MS;
      const stats = await service.roomStats(request.params.roomId, timeRange);
      return {
        success: true as const,
        roomId: request.params.roomId,
        timeRange,
        stats: {
          totalExecutions: stats.total,
          successfulExecutions: stats.successful,
          failedExecutions: stats.failed,
          avgExecutionTime: Math.round(stats.avgExecutionTimeMs),
          totalExecutionTime: Math.round(stats.totalExecutionTimeMs),
        },
      };
    },
  );

  const queueStatus = async (viewer: Identity, roomId: string | null) => {
    const snapshot = visibleSnapshot(viewer, await service.snapshot(roomId));
    return {
      success: true as const,
      ...(roomId === null ? {} : { roomId }),
      queueLength: snapshot.queueLength,
      oldestAge: Math.max(0, Math.round(snapshot.oldestQueuedAgeMs)),
      activeExecutions: snapshot.activeCount,
      maxConcurrent: snapshot.maxConcurrent,
      queued: snapshot.queued.map(toQueueEntryJson),
      active: snapshot.active.map(toQueueEntryJson),
    };
  };

  app.get(
    `${PREFIX}/queue/status`,
    { config: common.config, schema: { tags: [...common.tags], summary: 'The node\'s queue (seed 003)', response: { 200: QueueStatus, ...ERROR_RESPONSES } } },
    (request) => queueStatus(identityOf(request), null),
  );

  app.get(
    `${PREFIX}/queue/status/:roomId`,
    {
      config: common.config,
      schema: { tags: [...common.tags], summary: 'A room\'s queue (seed 003)', params: RoomParams, response: { 200: QueueStatus, ...ERROR_RESPONSES } },
    },
    (request) => queueStatus(identityOf(request), request.params.roomId),
  );
}
