// The one place that picks the JobQueue implementation: the in-process queue today, a Redis (BullMQ) queue plugs in here.
import type { Config } from '../config/index.js';
import { AppError, CONFIG_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { JobQueue } from '../queue/job-queue.js';
import { MemoryJobQueue } from '../queue/memory/memory-job-queue.js';
import { queueLimitsFromConfig } from '../queue/queue-limits.js';
import type { NodeRole } from './node-role.js';

/** Which queue this node uses, decided before anything is opened. */
export interface QueuePlan {
  kind: 'memory';
}

/**
 * Reads `redis.url` and the role into a plan. The in-process queue is only seen by its own process, so it serves a node that
 * both accepts and runs work (`all`); `api` and `worker` nodes need a queue shared between processes, which this build lacks.
 */
export function planQueue(config: Pick<Config, 'redis'>, role: Exclude<NodeRole, 'cli'>): QueuePlan {
  if (config.redis.url) {
    throw new AppError(
      CONFIG_ERRORS.invalid,
      'invalid configuration: redis.url: this node runs the embedded queue (in-process); leave redis.url empty',
      { details: { key: 'redis.url' } },
    );
  }
  if (role !== 'all') {
    throw new AppError(
      CONFIG_ERRORS.invalid,
      `invalid configuration: a node with role "${role}" needs a queue shared between processes, which this build does not have; run role "all" (runlane serve)`,
      { details: { key: 'role' } },
    );
  }
  return { kind: 'memory' };
}

/** Builds the planned queue with the scheduler's caps. */
export function createQueue(_plan: QueuePlan, config: Pick<Config, 'scheduler'>, logger: Logger): JobQueue {
  return new MemoryJobQueue({ limits: queueLimitsFromConfig(config.scheduler), logger });
}
