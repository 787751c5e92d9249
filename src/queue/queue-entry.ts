// Public view of a job (no source code) as listed in snapshots and events.
import type { BackendPlace } from './backend.js';
import type { QueuedJob, QueueEntry } from './job-queue.js';

/** Builds the entry of a job: pass its place while queued, null once running or gone. */
export function toQueueEntry(job: QueuedJob, place: BackendPlace | null, startedAt: number | null): QueueEntry {
  return {
    id: job.id,
    correlationId: job.correlationId,
    roomId: job.roomId,
    userId: job.user.userId,
    displayName: job.user.displayName,
    avatar: job.user.avatar,
    language: job.language,
    priority: job.priority,
    position: place?.position ?? null,
    roomPosition: place?.roomPosition ?? null,
    enqueuedAt: job.enqueuedAt,
    startedAt,
  };
}
