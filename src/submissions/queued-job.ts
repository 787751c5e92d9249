// The queue's view of a stored submission: what a JobQueue schedules and what events describe.
import type { Submission } from '../domain/submission.js';
import type { QueuedJob, QueueEntry } from '../queue/job-queue.js';

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

/** The entry an event carries for a job that is no longer queued (started, finished or cancelled). */
export function entryOf(job: QueuedJob, startedAt: number | null): QueueEntry {
  return {
    id: job.id,
    correlationId: job.correlationId,
    roomId: job.roomId,
    userId: job.user.userId,
    displayName: job.user.displayName,
    avatar: job.user.avatar,
    language: job.language,
    priority: job.priority,
    position: null,
    roomPosition: null,
    enqueuedAt: job.enqueuedAt,
    startedAt,
  };
}
