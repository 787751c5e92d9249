// The one place that picks the JobQueue implementation: the in-process queue, or the Redis queue every node of a cluster shares.
import type { Config } from '../config/index.js';
import { AppError, CONFIG_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import { hostname } from 'node:os';
import { MemoryJobQueue } from '../queue/memory/memory-job-queue.js';
import { MemoryWorkerRegistry } from '../queue/memory/memory-worker-registry.js';
import { queueLimitsFromConfig } from '../queue/queue-limits.js';
import { RedisJobQueue } from '../queue/redis/redis-job-queue.js';
import { RedisWorkerRegistry } from '../queue/redis/redis-worker-registry.js';
import type { ScheduledJobQueue } from '../queue/scheduled-job-queue.js';
import type { NodeRole } from './node-role.js';

/** Which queue this node uses, decided before anything is opened. */
export type QueuePlan =
  | { kind: 'memory' }
  | {
      kind: 'redis';
      url: string;
      /** Names the shared queue: keys are `runlane:<prefix>:…`. */
      prefix: string;
      /** Jobs this node runs itself: none on an API node, the node's concurrency otherwise. */
      workerSlots: number;
    };

/**
 * Reads `redis.url` and the role into a plan for a service node. Without `redis.url` the node gets the in-process queue,
 * which only its own process sees: so it must both accept and run work (role `all`, the embedded default). With it, the
 * node joins the shared Redis queue ({@link planSharedQueue}) in any role.
 */
export function planQueue(config: Pick<Config, 'redis' | 'scheduler'>, role: Exclude<NodeRole, 'cli'>): QueuePlan {
  if (config.redis.url) return planSharedQueue(config, role);
  if (role !== 'all') {
    throw new AppError(
      CONFIG_ERRORS.invalid,
      `invalid configuration: redis.url: a node with role "${role}" needs the shared queue, as the in-process one is not seen by other processes; give --redis redis://… (REDIS_URL), or run the embedded node (runlane serve without --redis)`,
      { details: { key: 'redis.url' } },
    );
  }
  return { kind: 'memory' };
}

/**
 * The plan for the Redis queue named by `redis.url`, for any service role: an `api` node only admits (no worker
 * slots); `worker` and `all` nodes run `scheduler.workerSlots` jobs (by default `scheduler.maxConcurrent`). A worker
 * with no slots would run nothing, and is refused. Refuses an empty `redis.url`.
 */
export function planSharedQueue(config: Pick<Config, 'redis' | 'scheduler'>, role: Exclude<NodeRole, 'cli'>): QueuePlan {
  if (!config.redis.url) {
    throw new AppError(CONFIG_ERRORS.invalid, 'invalid configuration: redis.url: the shared queue needs redis://…', { details: { key: 'redis.url' } });
  }
  const slots = config.scheduler.workerSlots ?? config.scheduler.maxConcurrent;
  if (role === 'worker' && slots === 0) {
    throw new AppError(CONFIG_ERRORS.invalid, 'invalid configuration: scheduler.workerSlots: a worker node must run at least one execution at once (--concurrency 1 or more)', {
      details: { key: 'scheduler.workerSlots' },
    });
  }
  return { kind: 'redis', url: config.redis.url, prefix: config.redis.prefix, workerSlots: role === 'api' ? 0 : slots };
}

/**
 * Builds the planned queue with the scheduler's caps, and the worker registry it lists its worker in: the node alone
 * (memory) or the cluster's (Redis, under the queue's prefix). `languages` are those this node's worker runs.
 */
export function createQueue(plan: QueuePlan, config: Pick<Config, 'scheduler'>, logger: Logger, languages: readonly string[]): ScheduledJobQueue {
  const limits = queueLimitsFromConfig(config.scheduler);
  const presence = { languages, host: hostname(), pid: process.pid, heartbeatMs: config.scheduler.workerHeartbeatMs };
  const claimPollMs = config.scheduler.claimPollMs;
  if (plan.kind === 'memory') {
    // The embedded node claims every job, as before: it admits only installed languages anyway, and a job recovered
    // after its toolchain went away must still end (with the engine's error), not wait for a worker that never comes.
    return new MemoryJobQueue({ limits, logger, languages: null, claimPollMs, livePositions: config.scheduler.livePositions, presence: { ...presence, registry: new MemoryWorkerRegistry(), capacity: 'node' } });
  }
  const onError = (error: unknown): void => logger.warn({ err: error }, 'the shared queue (Redis) reported an error; ioredis reconnects by itself');
  return new RedisJobQueue({
    limits,
    logger,
    workerSlots: plan.workerSlots,
    leaseMs: config.scheduler.leaseMs,
    languages,
    claimPollMs,
    livePositions: config.scheduler.livePositions,
    presence: { ...presence, registry: new RedisWorkerRegistry({ url: plan.url, prefix: plan.prefix, onError }), capacity: 'cluster' },
    redis: {
      url: plan.url,
      prefix: plan.prefix,
      // Every job must have a live worker for its language when it is queued, or it would wait for nobody.
      requireServedLanguage: true,
      onError,
      onListenerError: (error, event) => logger.error({ err: error, event: event.type }, 'a queue backend listener failed'),
    },
  });
}

/** The plan as it may be logged: `memory`, or the Redis host, prefix and slots without any password. */
export function describeQueuePlan(plan: QueuePlan): string {
  if (plan.kind === 'memory') return 'memory';
  let where = plan.url;
  try {
    const url = new URL(plan.url);
    where = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    where = 'redis (unparsable URL)';
  }
  return `${where} (prefix ${plan.prefix}, ${plan.workerSlots} worker slots)`;
}
