// GET /health (liveness: seed 002 and 004 fields plus sandbox and dependency figures), GET /ready and GET /metrics (Prometheus); all public.
import { ReadyJson } from '../../contract/rest/cluster.js';
import { ERROR_RESPONSES } from '../../contract/rest/common.js';
import { HealthJson } from '../../contract/rest/service.js';
import type { ServiceHealth } from '../../submissions/submission-service.js';
import type { DependencyStatus, HttpApp, HttpAppDeps } from '../types.js';

/** Registers the public `/health`, `/ready` and `/metrics`. */
export function registerHealthRoutes(app: HttpApp, { service, metrics, cluster }: HttpAppDeps): void {
  let lastHealth: ServiceHealth | null = null;
  const dependenciesNow = cluster ? latestOf(cluster.dependencies, DEPENDENCIES_MAX_AGE_MS) : async () => [];
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['service', 'compat'],
        summary: 'Liveness and queue figures',
        description:
          'Fields `status`, `queue_length`, `processing`, `max_concurrent`, `uptime` as the exam platform (seed 002) and CodeWar (seed 004) expect, plus sandbox capabilities and slots. ' +
          '`status` is `degraded` once the sandbox retired a slot it could not reset (its capacity is then lower; the server log says why), or while a dependency is down (the queue figures are then the last ones read). ' +
          'In a cluster the queue figures are the cluster\'s: queue depth and running executions from Redis, `max_concurrent` the live workers\' slots summed (at most `scheduler.maxConcurrent`). ' +
          '`dependencies` shows whether the store and Redis answered when last probed (at most 2 s ago, in the background, so a busy store never slows this route); this route stays 200 while they do not (liveness): `/ready` asks afresh and is the readiness check.',
        security: [],
        response: { 200: HealthJson, ...ERROR_RESPONSES },
      },
    },
    async () => {
      const [dependencies, current] = await Promise.all([dependenciesNow(), service.health().catch((error: unknown) => ({ error }))]);
      // Liveness must not fail because Redis is away: the figures last read stand in, and the status says degraded.
      if (!('error' in current)) lastHealth = current;
      const health = lastHealth;
      if (health === null) throw (current as { error: unknown }).error;
      const slots = health.sandboxHealth;
      return {
        status: (slots !== null && slots.retired > 0) || 'error' in current || dependencies.some((dependency) => dependency.status === 'down') ? 'degraded' : 'healthy',
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
        ...(cluster ? { dependencies } : {}),
      };
    },
  );

  app.get(
    '/ready',
    {
      config: { public: true },
      schema: {
        tags: ['service'],
        summary: 'Readiness: 200 when the store and (in a cluster) Redis answer, 503 naming what is down',
        description: 'For load balancers and Kubernetes readiness probes; `/health` is liveness. Each dependency is asked with a short timeout.',
        security: [],
        response: { 200: ReadyJson, 503: ReadyJson, ...ERROR_RESPONSES },
      },
    },
    async (_request, reply) => {
      const dependencies = (await cluster?.dependencies()) ?? [];
      const ready = dependencies.every((dependency) => dependency.status === 'up');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', dependencies });
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

/** How old the dependency figures `/health` shows may be, ms; `/ready` always asks afresh. */
const DEPENDENCIES_MAX_AGE_MS = 2_000;

/**
 * The last answer of `probe`, refreshed in the background once older than `maxAgeMs` (one probe at a time). Liveness
 * answers at once from it: a probe waits behind whatever the store is busy with (a 16 MB result being written), and
 * `/health` must not slow down with it. Only the very first call waits for a probe. `probe` must not reject.
 */
function latestOf(probe: () => Promise<DependencyStatus[]>, maxAgeMs: number): () => Promise<DependencyStatus[]> {
  let last: { at: number; value: DependencyStatus[] } | null = null;
  let running: Promise<DependencyStatus[]> | null = null;
  const refresh = (): Promise<DependencyStatus[]> =>
    (running ??= probe()
      .then((value) => {
        last = { at: performance.now(), value };
        return value;
      })
      .finally(() => {
        running = null;
      }));
  return async () => {
    if (last === null) return refresh();
    if (performance.now() - last.at > maxAgeMs) void refresh();
    return last.value;
  };
}
