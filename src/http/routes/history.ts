// History and stats of rooms and users: /api/v1/rooms/:roomId/{history,stats}, /api/v1/users/:userId/history.
import { toSubmissionJson } from '../mappers/submission-json.js';
import { ERROR_RESPONSES, HistoryQuery, RoomParams, RoomStatsQuery, UserParams } from '../../contract/rest/common.js';
import { HistoryJson, RoomStatsJson } from '../../contract/rest/service.js';
import { assertMayReadUserHistory, visibleHistory } from '../read-access.js';
import { identityOf, type HttpApp, type HttpAppDeps } from '../types.js';

/** Defaults of the query parameters (the validator checks ranges but does not fill defaults in). */
export const DEFAULT_HISTORY_LIMIT = 20;
/** One hour, the window of seed 003's example. */
export const DEFAULT_STATS_RANGE_MS = 3_600_000;

/** Registers room and user history and room stats. */
export function registerHistoryRoutes(app: HttpApp, { service }: HttpAppDeps): void {
  app.get(
    '/api/v1/rooms/:roomId/history',
    {
      schema: {
        tags: ['rooms'],
        summary: 'A room\'s executions, newest first',
        params: RoomParams,
        querystring: HistoryQuery,
        response: { 200: HistoryJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const items = visibleHistory(identityOf(request), await service.roomHistory(request.params.roomId, request.query.limit ?? DEFAULT_HISTORY_LIMIT));
      return { roomId: request.params.roomId, count: items.length, items: items.map((item) => toSubmissionJson(item)) };
    },
  );

  app.get(
    '/api/v1/users/:userId/history',
    {
      schema: {
        tags: ['submissions'],
        summary: 'A user\'s executions, newest first',
        params: UserParams,
        querystring: HistoryQuery,
        response: { 200: HistoryJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const viewer = identityOf(request);
      assertMayReadUserHistory(viewer, request.params.userId);
      const items = visibleHistory(viewer, await service.userHistory(request.params.userId, request.query.limit ?? DEFAULT_HISTORY_LIMIT));
      return { userId: request.params.userId, count: items.length, items: items.map((item) => toSubmissionJson(item)) };
    },
  );

  app.get(
    '/api/v1/rooms/:roomId/stats',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Executions finished in a room within the time range',
        params: RoomParams,
        querystring: RoomStatsQuery,
        response: { 200: RoomStatsJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const timeRangeMs = request.query.timeRange ?? DEFAULT_STATS_RANGE_MS;
      const stats = await service.roomStats(request.params.roomId, timeRangeMs);
      return { roomId: request.params.roomId, timeRangeMs, ...stats };
    },
  );
}
