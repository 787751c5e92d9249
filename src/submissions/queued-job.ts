// The queue's view of a stored submission: what a JobQueue schedules and what events describe.
import type { Submission } from '../domain/submission.js';
import type { QueuedJob, QueueEntry } from '../queue/job-queue.js';
import { toQueueEntry } from '../queue/queue-entry.js';

/** The job that schedules a stored submission; it is enqueued by id after the row exists. */
export function jobOf(submission: Submission): QueuedJob {
  return {
    id: submission.id,
    correlationId: submission.correlationId,
    roomId: submission.roomId,
    user: submission.user,
    priority: submission.priority,
    language: submission.request.language,
    request: submission.request,
    enqueuedAt: submission.createdAt.getTime(),
  };
}

/** The entry an event carries for a job that is no longer queued (started, finished or cancelled): it has no place. */
export function entryOf(job: QueuedJob, startedAt: number | null): QueueEntry {
  return toQueueEntry(job, null, startedAt);
}
