// The rule that ties the queue plan to the store plan: nodes that share a queue must share a store.
import { AppError, CONFIG_ERRORS } from '../errors/index.js';
import type { QueuePlan } from './create-queue.js';
import type { StorePlan } from './create-store.js';

/**
 * A node on the shared (Redis) queue runs jobs other nodes admitted and answers for jobs other nodes ran, so its store
 * must be the one they all use: PostgreSQL. A SQLite file is one process's, and is refused before anything starts.
 */
export function assertSharedStore(queue: QueuePlan, store: StorePlan): void {
  if (queue.kind !== 'redis' || store.kind !== 'sqlite') return;
  throw new AppError(
    CONFIG_ERRORS.invalid,
    'invalid configuration: database.url: the nodes of a cluster (redis.url is set) must share one store, and a SQLite file belongs to one process; give --database postgres://user@host/db?schema=NAME (DATABASE_URL), the same on every node',
    { details: { key: 'database.url' } },
  );
}
