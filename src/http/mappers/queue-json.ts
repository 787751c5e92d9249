// Public JSON of queue entries and snapshots: users as id/name/avatar, times as ISO strings.
import { withPositionAlias } from '../../contract/seed-aliases.js';
import { describePriority } from '../../domain/priority.js';
import type { QueueEntry, QueueSnapshot } from '../../queue/job-queue.js';

/** One queued or running execution as listed by the queue routes. */
export function toQueueEntryJson(entry: QueueEntry) {
  return withPositionAlias({
    id: entry.id,
    correlationId: entry.correlationId,
    roomId: entry.roomId,
    user: { userId: entry.userId, displayName: entry.displayName, avatar: entry.avatar },
    language: entry.language,
    ...priorityJson(entry.priority),
    queuePosition: entry.position,
    roomPosition: entry.roomPosition,
    enqueuedAt: new Date(entry.enqueuedAt).toISOString(),
    startedAt: entry.startedAt === null ? null : new Date(entry.startedAt).toISOString(),
  });
}

/** A node-wide (roomId null) or per-room snapshot. */
export function toSnapshotJson(snapshot: QueueSnapshot, roomId: string | null) {
  return {
    roomId,
    queueLength: snapshot.queueLength,
    activeCount: snapshot.activeCount,
    maxConcurrent: snapshot.maxConcurrent,
    oldestQueuedAgeMs: Math.max(0, Math.round(snapshot.oldestQueuedAgeMs)),
    active: snapshot.active.map(toQueueEntryJson),
    queued: snapshot.queued.map(toQueueEntryJson),
  };
}

/** The scheduler's number as clients read it: the kind asked for and the role that boosted it. */
export function priorityJson(priority: number): { priority: 'run' | 'submit'; priorityBoostedBy: 'teacher' | 'admin' | null } {
  const { kind, boostedBy } = describePriority(priority);
  return { priority: kind, priorityBoostedBy: boostedBy === 'teacher' || boostedBy === 'admin' ? boostedBy : null };
}
