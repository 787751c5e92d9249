// GET /api/v1/stats: running, queued and finished executions of this node, with the success rate.
import { ERROR_RESPONSES } from '../../contract/rest/common.js';
import { StatsJson } from '../../contract/rest/service.js';
import type { HttpApp, HttpAppDeps } from '../types.js';

/** Registers `GET /api/v1/stats`. */
export function registerStatsRoutes(app: HttpApp, { service }: HttpAppDeps): void {
  app.get(
    '/api/v1/stats',
    {
      schema: {
        tags: ['service'],
        summary: 'Execution counts and success rate',
        response: { 200: StatsJson, ...ERROR_RESPONSES },
      },
    },
    () => service.stats(),
  );
}
