// Builds the Fastify app: hooks (auth, rate limit, logs), one error handler, the REST and seed-compatible routes, OpenAPI and /docs.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { installAuthHooks } from './auth-hook.js';
import { registerCompatRoutes } from './compat/index.js';
import { installErrorHandling } from './error-handler.js';
import { connectionCap, HTTP_FD_SHARE, readSoftOpenFilesLimit } from './fd-budget.js';
import { capHttpConnections } from './http-connection-cap.js';
import { installDocsPage, installOpenApi } from './openapi.js';
import { readPackageInfo } from './package-info.js';
import { installRateLimit } from './rate-limit.js';
import { installRequestLog } from './request-log.js';
import { registerAdminDeadLetterRoutes } from './routes/admin-dead-letters.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHistoryRoutes } from './routes/history.js';
import { registerLanguageRoutes } from './routes/languages.js';
import { registerQueueRoutes } from './routes/queue.js';
import { registerStatsRoutes } from './routes/stats.js';
import { registerSubmissionRoutes } from './routes/submissions.js';
import { registerVersionRoutes } from './routes/version.js';
import { registerWorkerRoutes } from './routes/workers.js';
import type { HttpApp, HttpAppDeps } from './types.js';
import { installUnknownQueryCheck } from './unknown-query.js';
import { typeboxValidatorCompiler } from './validator.js';

/**
 * The HTTP app, not yet listening: the caller may add more (the Socket.IO layer attaches to its server) before `listen()`.
 * Closing the app stops the metrics from following the service; it does not shut the service down.
 */
export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const { config, logger, metrics, service } = deps;
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }),
    // Our onResponse hook writes one richer line per request instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // The pino logger's own generic type is narrower than Fastify's default; the instance is the same.
  }) as unknown as FastifyInstance;
  const openFiles = readSoftOpenFilesLimit((error) => logger.warn({ err: error }, 'could not read the open-file limit; connection caps apply as configured'));
  capHttpConnections(app.server, { maxConnections: connectionCap(config.server.maxConnections, HTTP_FD_SHARE, openFiles), logger });

  app.setValidatorCompiler(typeboxValidatorCompiler);
  // Every route with a body takes JSON; Fastify's built-in text/plain parser would turn a plain-text body into a confusing
  // "body must be object" validation error instead of the 415 the API documents.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app, { bodyLimitBytes: config.server.bodyLimitBytes, metrics });
  installAuthHooks(app, deps.authenticator);
  installRequestLog(app, metrics);
  installUnknownQueryCheck(app);
  const packageInfo = readPackageInfo();
  await installOpenApi(app, packageInfo.version);
  await installRateLimit(app, config.rateLimit, config.redis.url ? { kind: 'redis', url: config.redis.url, prefix: config.redis.prefix, logger: logger.child({ component: 'rate-limit' }) } : { kind: 'memory' });

  const routes: HttpApp = app.withTypeProvider<TypeBoxTypeProvider>();
  registerSubmissionRoutes(routes, deps);
  registerLanguageRoutes(routes, deps);
  registerStatsRoutes(routes, deps);
  registerQueueRoutes(routes, deps);
  registerHistoryRoutes(routes, deps);
  registerHealthRoutes(routes, deps);
  registerVersionRoutes(routes, deps, packageInfo);
  registerCompatRoutes(routes, deps);
  registerWorkerRoutes(routes, deps);
  registerAdminDeadLetterRoutes(routes, deps);
  await installDocsPage(app);

  const stopMetrics = metrics.observe(service);
  app.addHook('onClose', async () => stopMetrics());
  return app;
}
