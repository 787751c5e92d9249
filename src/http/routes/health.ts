// GET /health (seed 002 and 004 fields plus sandbox figures) and GET /metrics (Prometheus); both public.
import { ERROR_RESPONSES } from '../../contract/rest/common.js';
import { HealthJson } from '../../contract/rest/service.js';
import type { HttpApp, HttpAppDeps } from '../types.js';

/** Registers the public `/health` and `/metrics`. */
export function registerHealthRoutes(app: HttpApp, { service, metrics }: HttpAppDeps): void {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['service', 'compat'],
        summary: 'Liveness and queue figures',
        description:
          'Fields `status`, `queue_length`, `processing`, `max_concurrent`, `uptime` as the exam platform (seed 002) and CodeWar (seed 004) expect, plus sandbox capabilities and slots. ' +
          '`status` is `degraded` once the sandbox retired a slot it could not reset (its capacity is then lower; the server log says why).',
        security: [],
        response: { 200: HealthJson, ...ERROR_RESPONSES },
      },
    },
    async () => {
      const health = await service.health();
      const slots = health.sandboxHealth;
      return {
        status: slots !== null && slots.retired > 0 ? 'degraded' : 'healthy',
        queue_length: health.queueLength,
        processing: health.processing,
        max_concurrent: health.maxConcurrent,
        uptime: Math.round(health.uptimeMs),
        sandbox: {
          implementation: health.sandbox.implementation,
          version: health.sandbox.version,
          cgroups: health.sandbox.cgroups,
          enforces: health.sandbox.enforces,
          warnings: health.sandbox.warnings,
          ...(slots !== null ? { slots: slots.slots, retiredSlots: slots.retired } : {}),
        },
      };
    },
  );

  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: {
        tags: ['service'],
        summary: 'Prometheus metrics',
        description: 'Queue depth, active runs, run duration by language and verdict, rejected submissions by code, sandbox failures, HTTP latency.',
        security: [],
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );
}
