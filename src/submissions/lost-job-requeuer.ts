// Enqueues again the submissions the store holds as queued but the shared queue lost, so no accepted submission is lost.
import { isAppError, QUEUE_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { Store } from '../store/store.js';
import { jobOf } from './queued-job.js';

export interface LostJobRequeuerOptions {
  store: Store;
  queue: JobQueue;
  logger: Logger;
  /** A queued row younger than this is left alone: its admission may still be on its way to the queue. */
  afterMs: number;
  /** Rows looked at per round. @defaultValue 200 */
  batch?: number;
}

/**
 * The store is the record of what was accepted; the shared queue only schedules it. If Redis loses its data (restarted
 * without persistence, failed over), queued rows would wait forever. Every half of `afterMs` this looks at queued rows
 * older than `afterMs` and enqueues each one the queue no longer holds; a row read again as still queued after the
 * queue said it is gone cannot be running (a run moves it to `running` before its job leaves the queue). Any node may
 * run it: the queue refuses a second copy of an id, which is then simply skipped.
 */
export class LostJobRequeuer {
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<void> | null = null;

  constructor(private readonly options: LostJobRequeuerOptions) {}

  start(): void {
    this.#timer = setInterval(() => void this.runOnce(), Math.max(1_000, Math.floor(this.options.afterMs / 2)));
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#round;
  }

  /** One round; resolves with how many were enqueued again. Failures (the queue or store still down) wait for the next. */
  runOnce(): Promise<void> {
    this.#round ??= this.#requeue()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not check the queue for lost submissions; will try again'))
      .finally(() => (this.#round = null));
    return this.#round;
  }

  async #requeue(): Promise<void> {
    const { store, queue, logger, afterMs, batch = 200 } = this.options;
    const rows = await store.listQueued(new Date(Date.now() - afterMs), batch);
    for (const row of rows) {
      if ((await queue.get(row.id)) !== null) continue;
      const current = await store.getSubmission(row.id);
      if (current?.status !== 'queued') continue;
      try {
        await queue.enqueue(jobOf(current));
        logger.warn({ executionId: row.id, correlationId: row.correlationId }, 'a queued submission was missing from the shared queue; enqueued it again');
      } catch (error) {
        // Another node put it back first, or a cap refuses it for now: the next round looks again.
        if (isAppError(error) && error.code === QUEUE_ERRORS.duplicateId.code) continue;
        logger.warn({ err: error, executionId: row.id }, 'could not enqueue a lost submission again yet');
      }
    }
  }
}
