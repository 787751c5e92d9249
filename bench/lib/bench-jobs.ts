// Queued jobs for the queue benchmarks: a one-line program, a user of its own per job unless a room groups them.
import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from '../../src/domain/result.js';
import { executionRequest } from '../../src/domain/submission.js';
import type { JobQueueLimits, QueuedJob } from '../../src/queue/job-queue.js';

/** What a trivial handler answers: the queue is measured, not the sandbox. */
export const TRIVIAL_RESULT = { verdict: 'accepted' } as ExecutionResult;

/** Caps high enough that every benchmark job is admitted. */
export function benchLimits(queued: number, maxConcurrent = 4): JobQueueLimits {
  return { maxConcurrent, maxQueued: queued, roomMaxRunning: 3, roomMaxQueued: queued, userMaxQueued: queued, userMaxRunning: maxConcurrent, keyMaxQueued: queued };
}

/**
 * How benchmark jobs are spread over lanes (a room, or a user without a room, is one lane):
 * - `solo`: every job a new user's, outside any room (one lane per job);
 * - `rooms`: 50 rooms, every job a different user's (50 lanes however many jobs). The Redis queue's add walks the
 *   lanes of the job's priority to place it, so filling 10k jobs one lane each takes minutes; this layout keeps it short.
 */
export type JobLayout = 'solo' | 'rooms';

/** Job `index` of a layout; a third of the jobs are graded (priority 2). */
export function benchJob(index: number, layout: JobLayout): QueuedJob {
  const userId = layout === 'solo' ? `solo-${index}` : `user-${index}`;
  return {
    id: randomUUID(),
    correlationId: randomUUID(),
    roomId: layout === 'solo' ? null : `room-${index % 50}`,
    user: { userId, displayName: `User ${userId}`, avatar: null, role: 'user' },
    priority: index % 3 === 0 ? 2 : 1,
    language: 'python3',
    request: executionRequest('python3', [{ name: 'main.py', content: `print(${index})` }]),
    enqueuedAt: Date.now(),
  };
}
