// Admission control: which cap (if any) refuses a job, with a Retry-After estimated from recent run durations.
import { AppError, QUEUE_ERRORS } from '../../errors/index.js';
import type { JobQueueLimits } from '../job-queue.js';

/** The user's job that already occupies their one place in the room. */
export interface ActiveJobInRoom {
  /** Epoch ms it started, or null while queued. */
  startedAt: number | null;
  /** 1-based place among the room's queued jobs, or null once running. */
  roomPosition: number | null;
}

/** Everything the admission decision depends on, gathered by the driver. */
export interface AdmissionInput {
  limits: JobQueueLimits;
  /** True once close() was called. */
  closing: boolean;
  /** Jobs queued on the node (running ones excluded). */
  queued: number;
  roomId: string | null;
  /** Jobs queued in the job's room (running ones excluded); 0 without a room. */
  roomQueued: number;
  /** The same user's jobs queued on the node, in every room and none (running ones excluded). */
  userQueued: number;
  /** The API key the job came through (`Identity.keyId`), or null. */
  keyId: string | null;
  /** Jobs queued on the node through that key (running ones excluded); 0 without a key. */
  keyQueued: number;
  /** The same user's queued or running job in this room, if any. */
  userJob: ActiveJobInRoom | null;
  /** Typical run duration in the room (or node-wide), ms. */
  typicalRunMs: number;
  /** Typical run duration node-wide, ms. */
  typicalGlobalRunMs: number;
  now: number;
  /** Upper bound of any Retry-After, seconds. */
  maxRetryAfterSeconds: number;
}

/** Whole seconds to wait, at least 1 and at most `maxSeconds`. */
export function retryAfterSeconds(waitMs: number, maxSeconds: number): number {
  if (!Number.isFinite(waitMs)) return maxSeconds;
  return Math.min(maxSeconds, Math.max(1, Math.ceil(waitMs / 1000)));
}

/** How many of one room's jobs run at once at most. */
function roomParallelism(limits: JobQueueLimits): number {
  return Math.max(1, Math.min(limits.roomMaxRunning, limits.maxConcurrent));
}

/** Expected wait until the user's own job in the room has finished. */
function userWaitMs(job: ActiveJobInRoom, input: AdmissionInput): number {
  if (job.startedAt !== null) return input.typicalRunMs - (input.now - job.startedAt);
  const roundsAhead = Math.ceil((job.roomPosition ?? 1) / roomParallelism(input.limits));
  return (roundsAhead + 1) * input.typicalRunMs;
}

/** How many of one user's jobs run at once at most. */
function userParallelism(limits: JobQueueLimits): number {
  return Math.max(1, Math.min(limits.userMaxRunning, limits.maxConcurrent));
}

/**
 * Returns the AppError that refuses the job, or null when it is admitted.
 * Checked in order: shutting down, the user's one place in the room, the user's queued quota, the key's queued
 * quota, the room's queue, the node's queue. Jobs without a room skip the two room rules only.
 */
export function checkAdmission(input: AdmissionInput): AppError | null {
  const { limits, roomId } = input;
  if (input.closing) {
    return new AppError(QUEUE_ERRORS.shuttingDown, 'This node is shutting down and accepts no new executions.');
  }
  if (roomId !== null && input.userJob !== null) {
    const state = input.userJob.startedAt === null ? 'queued' : 'running';
    return new AppError(QUEUE_ERRORS.userBusy, `You already have an execution ${state} in room "${roomId}"; wait for it to finish or cancel it.`, {
      details: { roomId },
      retryAfterSeconds: retryAfterSeconds(userWaitMs(input.userJob, input), input.maxRetryAfterSeconds),
    });
  }
  if (input.userQueued >= limits.userMaxQueued) {
    // A place frees when one of the user's queued jobs starts, i.e. when one of the user's running jobs finishes.
    const waitMs = input.typicalGlobalRunMs / userParallelism(limits);
    return new AppError(QUEUE_ERRORS.userQuota, `You already have ${input.userQueued} executions queued on this node (limit ${limits.userMaxQueued}); wait for some to start or cancel some.`, {
      details: { limit: limits.userMaxQueued },
      retryAfterSeconds: retryAfterSeconds(waitMs, input.maxRetryAfterSeconds),
    });
  }
  if (input.keyId !== null && input.keyQueued >= limits.keyMaxQueued) {
    const waitMs = input.typicalGlobalRunMs / Math.max(1, limits.maxConcurrent);
    return new AppError(QUEUE_ERRORS.keyQuota, `The API key of this request already has ${input.keyQueued} executions queued on this node (limit ${limits.keyMaxQueued}).`, {
      details: { limit: limits.keyMaxQueued },
      retryAfterSeconds: retryAfterSeconds(waitMs, input.maxRetryAfterSeconds),
    });
  }
  if (roomId !== null && input.roomQueued >= limits.roomMaxQueued) {
    // A place frees when one of the room's queued jobs starts, i.e. when one of its running jobs finishes.
    const waitMs = input.typicalRunMs / roomParallelism(limits);
    return new AppError(QUEUE_ERRORS.roomQueueFull, `Room "${roomId}" already has ${input.roomQueued} queued executions (limit ${limits.roomMaxQueued}).`, {
      details: { roomId, limit: limits.roomMaxQueued },
      retryAfterSeconds: retryAfterSeconds(waitMs, input.maxRetryAfterSeconds),
    });
  }
  if (input.queued >= limits.maxQueued) {
    const waitMs = input.typicalGlobalRunMs / Math.max(1, limits.maxConcurrent);
    return new AppError(QUEUE_ERRORS.globalQueueFull, `The queue of this node is full (${limits.maxQueued} executions waiting).`, {
      details: { limit: limits.maxQueued },
      retryAfterSeconds: retryAfterSeconds(waitMs, input.maxRetryAfterSeconds),
    });
  }
  return null;
}
