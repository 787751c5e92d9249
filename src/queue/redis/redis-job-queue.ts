// RedisJobQueue: the cluster JobQueue — the scheduling policy over the Redis backend every node shares.
import { ScheduledJobQueue, type WorkerPresence } from '../scheduled-job-queue.js';
import type { ScheduledJobQueueOptions } from '../scheduled-job-queue-options.js';
import { RedisQueueBackend } from './redis-queue-backend.js';
import type { RedisQueueBackendOptions } from './redis-queue-backend-options.js';

/** Options of the Redis queue: the scheduled queue's, plus where the shared queue lives. */
export interface RedisJobQueueOptions extends ScheduledJobQueueOptions {
  redis: RedisQueueBackendOptions;
  /** The cluster's worker registry and how this node's worker appears in it. @defaultValue none */
  presence?: WorkerPresence;
}

/**
 * The same rules as the in-process queue, held in Redis: caps and fairness hold across every node on the prefix, and
 * queued or cut-off jobs outlive this node (`close()` hands nothing back; another node takes them).
 */
export class RedisJobQueue extends ScheduledJobQueue {
  constructor(options: RedisJobQueueOptions) {
    const { redis, presence, ...queueOptions } = options;
    super({ ...queueOptions, backend: new RedisQueueBackend(redis), ...(presence ? { presence } : {}) });
  }
}
