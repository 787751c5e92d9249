// The composition root: builds a node for its role from the config, and is the only module that picks concrete implementations.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createAuthenticator, describeAuthMode, resolveAuthMode, type Authenticator } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Engine } from '../engine/engine.js';
import { createEngine } from '../engine/index.js';
import { buildHttpApp } from '../http/app.js';
import { attachRealtime, type Realtime } from '../http/ws/index.js';
import type { Logger } from '../logging/logger.js';
import { Metrics } from '../metrics/index.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { Store } from '../store/store.js';
import { RedisRoomCluster } from '../realtime-cluster/index.js';
import { recoveryRuleFor, RemoteOutcomeRelay, SubmissionService } from '../submissions/index.js';
import { assertSharedStore } from './cluster-plan.js';
import { createQueue, describeQueuePlan, planQueue } from './create-queue.js';
import { createSandbox } from './create-sandbox.js';
import { createStore, describeStorePlan, planStore } from './create-store.js';
import { probeDependencies } from './dependency-health.js';
import { resolveWorkerLanguages } from './worker-languages.js';
import type { NodeRole } from './node-role.js';

export type { NodeRole } from './node-role.js';

export interface CreateNodeOptions<R extends NodeRole = NodeRole> {
  role: R;
  logger: Logger;
  /** Open this SQLite file instead of the one `database.url` names (tests restarting on earlier data). @defaultValue from the config */
  databasePath?: string;
  /** Run the service's start() (recovery of interrupted rows, dispatch). @defaultValue true */
  start?: boolean;
  /** Export the process metrics (CPU, memory, event loop) besides Runlane's own. @defaultValue true */
  defaultMetrics?: boolean;
  /**
   * This node's id in the store, for crash recovery scoped to dead nodes. `runlane serve` uses the fixed embedded id: one
   * process owns the SQLite file, so a restart takes over at once what a crash left behind. @defaultValue a random id
   */
  nodeId?: string;
}

/** A terminal node: runs programs in the sandbox, nothing else. */
export interface EngineNode {
  role: 'cli';
  config: Readonly<Config>;
  logger: Logger;
  sandbox: Sandbox;
  engine: Engine;
  /** Stops the sandbox. */
  close(): Promise<void>;
}

/** A service node: store, queue, submission service and its HTTP app (not yet listening). */
export interface ServiceNode {
  role: Exclude<NodeRole, 'cli'>;
  config: Readonly<Config>;
  logger: Logger;
  sandbox: Sandbox;
  engine: Engine;
  store: Store;
  queue: JobQueue;
  service: SubmissionService;
  authenticator: Authenticator;
  metrics: Metrics;
  /** The REST app; tests drive it with `inject()`, `listen()` puts it on the network. */
  app: FastifyInstance;
  /** Attaches Socket.IO rooms to the app and listens on `server.host`/`server.port`; resolves to the base URL. */
  listen(): Promise<string>;
  /**
   * Graceful stop: no new work, running jobs finish within `shutdown.graceMs`, queued (and cut-off) work stays in the store
   * for the next start, then transports, store and sandbox close. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Builds a node: `cli` gets sandbox and engine; `all`, `api` and `worker` the whole service (`api` and `worker` on the
 * shared Redis queue and a PostgreSQL store; a worker node is not put on the network).
 */
export function createNode(config: Readonly<Config>, options: CreateNodeOptions<'cli'>): Promise<EngineNode>;
export function createNode(config: Readonly<Config>, options: CreateNodeOptions<Exclude<NodeRole, 'cli'>>): Promise<ServiceNode>;
export async function createNode(config: Readonly<Config>, options: CreateNodeOptions): Promise<EngineNode | ServiceNode> {
  const { role, logger } = options;
  if (role === 'cli') return createEngineNode(config, logger);
  return createServiceNode(config, { ...options, role });
}

async function createEngineNode(config: Readonly<Config>, logger: Logger): Promise<EngineNode> {
  const sandbox = await createSandbox(config, logger);
  try {
    const engine = await createEngine({ sandbox, config, logger });
    return { role: 'cli', config, logger, sandbox, engine, close: () => sandbox.close() };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}

async function createServiceNode(config: Readonly<Config>, options: CreateNodeOptions<Exclude<NodeRole, 'cli'>>): Promise<ServiceNode> {
  const { role, logger } = options;
  // Both plans refuse unsupported settings before the sandbox starts or a database file is created.
  const storePlan = planStore(config, options.databasePath);
  const queuePlan = planQueue(config, role);
  assertSharedStore(queuePlan, storePlan);

  // Undone in reverse if a later step fails, so a half-built node leaves no sandbox or open database behind.
  const undo: Array<() => Promise<unknown>> = [];
  try {
    // The sandbox names its own log component and logs its warnings once, loudly, as it starts.
    const sandbox = await createSandbox(config, logger);
    undo.push(() => sandbox.close());
    const engine = await createEngine({ sandbox, config, logger: logger.child({ component: 'engine' }) });
    const store = await createStore(storePlan, logger.child({ component: 'store' }));
    undo.push(() => store.close());
    // Only a node that runs jobs needs languages; an API node's empty list is never announced (it has no worker).
    const runsJobs = queuePlan.kind === 'memory' || queuePlan.workerSlots > 0;
    const workerLanguages = runsJobs ? resolveWorkerLanguages(config.scheduler.workerLanguages, engine.languages()) : { served: [], ignored: [] };
    if (workerLanguages.ignored.length > 0) {
      logger.warn({ ignored: workerLanguages.ignored, served: workerLanguages.served }, 'some languages asked of this worker are unknown or not installed here; it serves the others');
    }
    if (runsJobs) logger.info({ languages: workerLanguages.served }, 'this node\'s worker claims executions in these languages');
    const queue = createQueue(queuePlan, config, logger.child({ component: 'queue' }), workerLanguages.served);
    undo.push(() => queue.close(0));
    const service = new SubmissionService({
      engine,
      queue,
      store,
      config,
      logger,
      sandboxCapabilities: sandbox.capabilities,
      node: { id: options.nodeId },
      // The shared queue's leases bring a dead worker's job back; start-up takeover would fail other nodes' runs.
      recovery: recoveryRuleFor(queue),
      runsJobs,
    });
    undo.push(() => service.shutdown(config.shutdown.graceMs));
    if (options.start ?? true) {
      await service.start();
      // Listed before it says it is running, so work submitted from then on finds its languages served.
      await queue.registered();
    }

    const authenticator = createAuthenticator(config.auth, config.server.host);
    const authMode = resolveAuthMode({ ...config.auth, serverHost: config.server.host });
    logger.info({ anonymous: authMode.anonymous, jwt: authMode.jwt, apiKeys: authMode.apiKeyCount }, describeAuthMode(authMode));
    const metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? true });
    const cluster = {
      workers: () => queue.workers(),
      dependencies: probeDependencies({ store, storeKind: storePlan.kind === 'postgres' ? 'postgresql' : 'sqlite', redis: queuePlan.kind === 'redis' ? queue.registry : null }),
    };
    const app = await buildHttpApp({ service, authenticator, config, logger, metrics, cluster });

    let realtime: Realtime | null = null;
    const listen = async (): Promise<string> => {
      // In a cluster, rooms reach every API node through Redis; a node that also runs jobs hears the other workers' runs too.
      const cluster =
        queuePlan.kind === 'redis'
          ? new RedisRoomCluster({ url: queuePlan.url, prefix: queuePlan.prefix, nodeId: randomUUID(), store, logger: logger.child({ component: 'rooms-cluster' }) })
          : null;
      const remoteOutcomes =
        queuePlan.kind === 'redis' && queuePlan.workerSlots > 0
          ? (listener: Parameters<SubmissionService['subscribe']>[0]) => {
              const relay = new RemoteOutcomeRelay({ store, publish: listener, logger: logger.child({ component: 'rooms-cluster' }) });
              return queue.subscribe((event) => relay.relay(event));
            }
          : undefined;
      realtime = await attachRealtime({
        cluster,
        ...(remoteOutcomes ? { remoteOutcomes } : {}),
        httpServer: app.server,
        service,
        store,
        authenticator,
        config,
        logger: logger.child({ component: 'realtime' }),
        realtime: config.realtime,
      });
      const url = await app.listen({ host: config.server.host, port: config.server.port });
      logger.info(
        { url, role, cgroups: sandbox.capabilities.cgroups, database: describeStorePlan(storePlan), queue: describeQueuePlan(queuePlan), maxConcurrent: config.scheduler.maxConcurrent },
        'runlane is serving',
      );
      return url;
    };

    let closing: Promise<void> | null = null;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        logger.info({ graceMs: config.shutdown.graceMs }, 'shutting down: no new work, running executions may finish, queued ones stay queued for the restart');
        // Stop admitting first, so requests still in flight (and `?wait=` callers) get a clear 503 rather than a half-closed socket.
        const drained = service.shutdown(config.shutdown.graceMs);
        await realtime?.close();
        // Waiting requests end when their execution does; never wait past the grace period for them.
        await Promise.race([app.close(), delay(config.shutdown.graceMs + 1000)]);
        await drained;
        await store.close();
        await sandbox.close();
        logger.info('shut down');
      })();
      return closing;
    };
    return { role, config, logger, sandbox, engine, store, queue, service, authenticator, metrics, app, listen, close };
  } catch (error) {
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
    throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
