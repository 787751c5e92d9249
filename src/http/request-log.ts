// One structured log line and one latency sample per request, carrying the user, correlationId and executionId.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/metrics.js';

/** Adds the `x-request-id` response header, the request log line and the HTTP latency metric. */
export function installRequestLog(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.recordHttpRequest(request.method, route, reply.statusCode, seconds);
    const level = reply.statusCode >= 500 ? 'error' : route === '/health' || route === '/metrics' ? 'debug' : 'info';
    request.log[level](
      {
        method: request.method,
        url: request.url,
        route,
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
        userId: request.identity?.userId,
        correlationId: request.trace?.correlationId,
        executionId: request.trace?.executionId,
      },
      'request completed',
    );
  });
}
