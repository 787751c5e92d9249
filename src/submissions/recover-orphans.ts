// Start-up recovery: what a stopped node held is queued again in its original order; a run interrupted twice fails.
import type { Logger } from '../logging/logger.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { OrphanedSubmission, Store } from '../store/store.js';
import { describeFailure } from './describe-failure.js';
import { MAX_ATTEMPTS } from './node-options.js';
import { jobOf } from './queued-job.js';

export interface RecoveryCounts {
  requeued: number;
  retried: number;
  failed: number;
}

/**
 * Enqueues the claimed submissions oldest first, with their original creation time and priority, so the queue orders
 * them as it did before the restart. A run that was interrupted is the service's fault and is retried once; one that
 * was already retried fails with internal_error "interrupted twice". One the queue refuses now fails with the reason, and
 * an interactive run fails, as its client is gone.
 */
export async function recoverOrphans(orphans: OrphanedSubmission[], store: Store, queue: JobQueue, logger: Logger): Promise<RecoveryCounts> {
  const counts: RecoveryCounts = { requeued: 0, retried: 0, failed: 0 };
  // A run interrupted on every attempt is a dead letter an admin may queue again; an interactive one cannot be rerun.
  const fail = async (id: string, from: 'queued' | 'running', error: string, deadLetter = false): Promise<void> => {
    if (await store.transition(id, [from], { status: 'failed', verdict: 'internal_error', result: null, error, finishedAt: new Date(), deadLetter })) counts.failed++;
  };
  for (const { submission, attempts, interactive } of orphans) {
    if (interactive) {
      // Its client was connected to the stopped node; running it now would read no input and reach nobody.
      await fail(submission.id, submission.status === 'running' ? 'running' : 'queued', 'interactive run interrupted by a restart');
      continue;
    }
    if (submission.status === 'running') {
      if (attempts >= MAX_ATTEMPTS) {
        await fail(submission.id, 'running', 'interrupted twice', true);
        continue;
      }
      if (!(await store.transition(submission.id, ['running'], { status: 'queued' }))) continue;
    }
    try {
      await queue.enqueue(jobOf(submission));
      if (submission.status === 'running') counts.retried++;
      else counts.requeued++;
    } catch (error) {
      await fail(submission.id, 'queued', `could not be queued again after a restart: ${describeFailure(error)}`);
    }
  }
  if (orphans.length > 0) logger.warn({ ...counts }, 'took over executions left by a stopped node: queued again in their order, interrupted runs retried once');
  return counts;
}
