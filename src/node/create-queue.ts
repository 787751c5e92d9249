// The one place that picks the JobQueue implementation: the in-process queue, or the Redis queue every node of a cluster shares.
import type { Config } from '../config/index.js';
import { AppError, CONFIG_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { JobQueue } from '../queue/job-queue.js';
import { MemoryJobQueue } from '../queue/memory/memory-job-queue.js';
import { queueLimitsFromConfig } from '../queue/queue-limits.js';
import { RedisJobQueue } from '../queue/redis/redis-job-queue.js';
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
 * Reads `redis.url` and the role into a plan for a service node. The in-process queue is only seen by its own process,
 * so it serves a node that both accepts and runs work (`all`). The Redis queue exists ({@link planSharedQueue}), but a
 * node on it also needs the cluster's store and recovery rules, which this build does not wire yet: so `redis.url`
 * and the `api` and `worker` roles are refused here, before anything starts.
 */
export function planQueue(config: Pick<Config, 'redis'>, role: Exclude<NodeRole, 'cli'>): QueuePlan {
  if (config.redis.url) {
    throw new AppError(
      CONFIG_ERRORS.invalid,
      'invalid configuration: redis.url (REDIS_URL, or REDIS_HOST/REDIS_PORT): the cluster mode needs the shared Redis queue and cluster recovery, which `runlane serve` does not wire yet; unset REDIS_URL, REDIS_HOST, REDIS_PORT and RUNLANE_REDIS__URL to run the embedded node',
      { details: { key: 'redis.url' } },
    );
  }
  if (role !== 'all') {
    throw new AppError(
      CONFIG_ERRORS.invalid,
      `invalid configuration: a node with role "${role}" needs the shared (Redis) queue and a cluster store, which this build does not wire yet; run role "all" (runlane serve)`,
      { details: { key: 'role' } },
    );
  }
  return { kind: 'memory' };
}

/**
 * The plan for the Redis queue named by `redis.url`, for any service role: an `api` node only admits (no worker
 * slots), `worker` and `all` nodes run up to `scheduler.maxConcurrent` jobs. Refuses an empty `redis.url`.
 */
export function planSharedQueue(config: Pick<Config, 'redis' | 'scheduler'>, role: Exclude<NodeRole, 'cli'>): QueuePlan {
  if (!config.redis.url) {
    throw new AppError(CONFIG_ERRORS.invalid, 'invalid configuration: redis.url: the shared queue needs redis://…', { details: { key: 'redis.url' } });
  }
  return { kind: 'redis', url: config.redis.url, prefix: config.redis.prefix, workerSlots: role === 'api' ? 0 : config.scheduler.maxConcurrent };
}

/** Builds the planned queue with the scheduler's caps. */
export function createQueue(plan: QueuePlan, config: Pick<Config, 'scheduler'>, logger: Logger): JobQueue {
  const limits = queueLimitsFromConfig(config.scheduler);
  if (plan.kind === 'memory') return new MemoryJobQueue({ limits, logger });
  return new RedisJobQueue({
    limits,
    logger,
    workerSlots: plan.workerSlots,
    redis: {
      url: plan.url,
      prefix: plan.prefix,
      onError: (error) => logger.warn({ err: error }, 'the shared queue (Redis) reported an error; ioredis reconnects by itself'),
      onListenerError: (error, event) => logger.error({ err: error, event: event.type }, 'a queue backend listener failed'),
    },
  });
}
