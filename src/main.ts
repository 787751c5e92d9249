// Composition root: loads nothing itself, but is the one place that picks concrete implementations and wires a node.
import { createAuthenticator, describeAuthMode, resolveAuthMode } from './auth/index.js';
import type { Config } from './config/index.js';
import { createEngine } from './engine/index.js';
import { AppError, CONFIG_ERRORS } from './errors/index.js';
import { buildHttpApp } from './http/app.js';
import { attachRealtime } from './http/ws/index.js';
import type { Logger } from './logging/logger.js';
import { Metrics } from './metrics/index.js';
import { MemoryJobQueue } from './queue/memory/memory-job-queue.js';
import { queueLimitsFromConfig } from './queue/queue-limits.js';
import { createSandbox } from './sandbox/index.js';
import { resolveDatabaseTarget } from './store/database-url.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';
import { EMBEDDED_NODE_ID, SubmissionService } from './submissions/index.js';

/** A running node. */
export interface ServerHandle {
  /** Base URL the HTTP server listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  service: SubmissionService;
  /** Graceful stop: no new work, running jobs finish within `shutdown.graceMs`; the rest stays in the store for the next start. */
  close(): Promise<void>;
}

/** Starts the embedded default: in-process queue, SQLite file, local sandbox workers, REST + Socket.IO on one port. */
export async function startServer(config: Readonly<Config>, logger: Logger): Promise<ServerHandle> {
  const database = resolveDatabaseTarget(config.database.url, config.dataDir);
  if (database.kind !== 'sqlite' || config.redis.url) {
    throw new AppError(
      CONFIG_ERRORS.invalid,
      'invalid configuration: database.url / redis.url: this node runs the embedded mode (SQLite file, in-process queue); leave redis.url empty and use sqlite:PATH or no database.url',
      { details: { key: config.redis.url ? 'redis.url' : 'database.url' } },
    );
  }

  const sandbox = await createSandbox(config.sandbox, logger.child({ component: 'sandbox' }));
  for (const warning of sandbox.capabilities.warnings) logger.warn({ component: 'sandbox' }, warning);
  const engine = await createEngine({ sandbox, config, logger: logger.child({ component: 'engine' }) });
  const store = await createSqliteStore(database.path, logger.child({ component: 'store' }));
  const queue = new MemoryJobQueue({ limits: queueLimitsFromConfig(config.scheduler), logger: logger.child({ component: 'queue' }) });
  // One process owns the SQLite file, so a fixed node id lets a restart take over at once what a crash left behind.
  const service = new SubmissionService({ engine, queue, store, config, logger, sandboxCapabilities: sandbox.capabilities, node: { id: EMBEDDED_NODE_ID } });
  await service.start();

  const authenticator = createAuthenticator(config.auth, config.server.host);
  const authMode = resolveAuthMode({ ...config.auth, serverHost: config.server.host });
  logger.info({ anonymous: authMode.anonymous, jwt: authMode.jwt, apiKeys: authMode.apiKeyCount }, describeAuthMode(authMode));
  const metrics = new Metrics({ defaultMetrics: true });
  const app = await buildHttpApp({ service, authenticator, config, logger, metrics });
  const realtime = await attachRealtime({
    httpServer: app.server,
    service,
    store,
    authenticator,
    config,
    logger: logger.child({ component: 'realtime' }),
    realtime: config.realtime,
  });
  const url = await app.listen({ host: config.server.host, port: config.server.port });
  logger.info({ url, cgroups: sandbox.capabilities.cgroups, database: database.path, maxConcurrent: config.scheduler.maxConcurrent }, 'runlane is serving');

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info({ graceMs: config.shutdown.graceMs }, 'shutting down: no new work, running executions may finish, queued ones stay queued for the restart');
      // Stop admitting first, so requests still in flight (and `?wait=` callers) get a clear 503 rather than a half-closed socket.
      const drained = service.shutdown(config.shutdown.graceMs);
      await realtime.close();
      // Waiting requests end when their execution does; never wait past the grace period for them.
      await Promise.race([app.close(), delay(config.shutdown.graceMs + 1000)]);
      await drained;
      await store.close();
      await sandbox.close();
      logger.info('shut down');
    })();
    return closing;
  };
  return { url, service, close };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
