// GET /api/v1/workers: the live workers of the cluster (the embedded node lists itself), for staff.
import { ERROR_RESPONSES } from '../../contract/rest/common.js';
import { WorkersJson } from '../../contract/rest/cluster.js';
import { isStaff } from '../../domain/access.js';
import { AppError, AUTH_ERRORS } from '../../errors/index.js';
import { identityOf, type HttpApp, type HttpAppDeps } from '../types.js';

/** Registers `GET /api/v1/workers`. */
export function registerWorkerRoutes(app: HttpApp, { cluster }: HttpAppDeps): void {
  app.get(
    '/api/v1/workers',
    {
      schema: {
        tags: ['service'],
        summary: 'Live workers: languages, slots, running executions, last heartbeat (teachers and admins)',
        description:
          'Every worker whose heartbeat has not expired (a killed worker leaves the list within three heartbeats, `scheduler.workerHeartbeatMs` each). ' +
          'In the embedded mode the node itself is the one worker.',
        response: { 200: WorkersJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      if (!isStaff(identityOf(request))) throw new AppError(AUTH_ERRORS.forbidden, 'only teachers and admins may list the workers');
      const workers = (await cluster?.workers()) ?? [];
      return {
        count: workers.length,
        slots: workers.reduce((sum, worker) => sum + worker.slots, 0),
        languages: [...new Set(workers.flatMap((worker) => worker.languages))].sort(),
        workers: workers.map((worker) => ({
          id: worker.id,
          host: worker.host,
          pid: worker.pid,
          languages: [...worker.languages],
          slots: worker.slots,
          running: worker.running,
          startedAt: new Date(worker.startedAt).toISOString(),
          lastHeartbeat: new Date(worker.lastHeartbeat).toISOString(),
        })),
      };
    },
  );
}
