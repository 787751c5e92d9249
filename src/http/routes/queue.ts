// GET /api/v1/queue and /api/v1/rooms/:roomId/queue: what is running and waiting, with who submitted it (others' private work only counted).
import { toSnapshotJson } from '../mappers/queue-json.js';
import { ERROR_RESPONSES, QueueSnapshotJson, RoomParams } from '../../contract/rest/common.js';
import { visibleSnapshot } from '../read-access.js';
import { identityOf, type HttpApp, type HttpAppDeps } from '../types.js';

/** Registers the node and room queue snapshots. */
export function registerQueueRoutes(app: HttpApp, { service }: HttpAppDeps): void {
  app.get(
    '/api/v1/queue',
    {
      schema: {
        tags: ['queue'],
        summary: 'The node\'s running and queued executions in dispatch order',
        description: 'Lists your own executions and room executions (staff: all); other users\' private executions are only counted in `queueLength` and `activeCount`.',
        response: { 200: QueueSnapshotJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => toSnapshotJson(visibleSnapshot(identityOf(request), await service.snapshot(null)), null),
  );

  app.get(
    '/api/v1/rooms/:roomId/queue',
    {
      schema: {
        tags: ['queue', 'rooms'],
        summary: 'A room\'s running and queued executions, queue length and oldest wait',
        params: RoomParams,
        response: { 200: QueueSnapshotJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => toSnapshotJson(visibleSnapshot(identityOf(request), await service.snapshot(request.params.roomId)), request.params.roomId),
  );
}
