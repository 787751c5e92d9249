// The JobQueue interface: admission (caps), priorities, fair dispatch across rooms, live positions, cancellation.
import type { Identity } from '../domain/identity.js';
import type { ExecutionResult } from '../domain/result.js';
import type { ExecutionRequest } from '../domain/submission.js';

/** One execution waiting for (or holding) a slot. */
export interface QueuedJob {
  id: string;
  correlationId: string;
  roomId: string | null;
  user: Identity;
  /** Higher runs first; FIFO within equal priority; round-robin across lanes (rooms, or users without a room) within a priority. */
  priority: number;
  language: string;
  request: ExecutionRequest;
  /** Epoch ms. */
  enqueuedAt: number;
}

/** A job as listed in queue snapshots and events (no source code). */
export interface QueueEntry {
  id: string;
  correlationId: string;
  roomId: string | null;
  userId: string;
  displayName: string;
  avatar: string | null;
  language: string;
  priority: number;
  /** 1-based place in this node's projected dispatch order; null once running. */
  position: number | null;
  /** 1-based place among the room's queued jobs; null once running or without a room. */
  roomPosition: number | null;
  enqueuedAt: number;
  startedAt: number | null;
}

export interface QueueSnapshot {
  queued: QueueEntry[];
  active: QueueEntry[];
  queueLength: number;
  activeCount: number;
  maxConcurrent: number;
  /** Age in ms of the oldest queued job, 0 when none. */
  oldestQueuedAgeMs: number;
}

export interface PositionChange {
  jobId: string;
  roomId: string | null;
  userId: string;
  position: number;
  roomPosition: number | null;
}

/** What the queue reports as jobs move; listeners must not throw. */
export type QueueEvent =
  | { type: 'queued'; entry: QueueEntry }
  | { type: 'positions'; changes: PositionChange[] }
  | { type: 'started'; entry: QueueEntry }
  | { type: 'completed'; entry: QueueEntry; result: ExecutionResult; finishedAt: number }
  | { type: 'failed'; entry: QueueEntry; error: string; finishedAt: number }
  | { type: 'cancelled'; entry: QueueEntry; byUserId: string; finishedAt: number };

/** Runs one job; resolves with its result (a verdict, whatever the program did) or rejects on a service fault. */
export type JobHandler = (job: QueuedJob, signal: AbortSignal) => Promise<ExecutionResult>;

export interface JobQueueLimits {
  /** Jobs running at once on this node. */
  maxConcurrent: number;
  /** Jobs queued in all before `RUNLANE_ERR_QUEUE_FULL` (503). */
  maxQueued: number;
  /** Jobs running at once per room. */
  roomMaxRunning: number;
  /** Jobs queued per room before `RUNLANE_ERR_QUEUE_ROOM_FULL` (429). */
  roomMaxQueued: number;
  /** Jobs of one user queued on the node (in every room and none) before `RUNLANE_ERR_QUEUE_USER_QUOTA` (429). */
  userMaxQueued: number;
  /** Jobs of one user running at once; the user's next job waits while other users' jobs go ahead. */
  userMaxRunning: number;
  /** Jobs queued on the node through one API key (`Identity.keyId`), all its users together, before `RUNLANE_ERR_QUEUE_KEY_QUOTA` (429). */
  keyMaxQueued: number;
}

export interface EnqueueResult {
  entry: QueueEntry;
}

export interface CloseResult {
  /** Jobs that were still queued or running when the grace period ended; the caller marks them failed. */
  unfinished: QueuedJob[];
}

export interface JobQueue {
  readonly limits: JobQueueLimits;
  /**
   * Admits a job or throws AppError: user busy in the room / user or key quota / room full (429, with
   * retryAfterSeconds), queue full or shutting down (503). At most one queued-or-running job per user per room.
   */
  enqueue(job: QueuedJob): Promise<EnqueueResult>;
  /** Cancels a queued job of `userId`: not found (404), someone else's (403), already running or finished (409). */
  cancel(jobId: string, userId: string): Promise<QueueEntry>;
  /** Starts dispatching to the handler, up to `limits.maxConcurrent` at once. */
  process(handler: JobHandler): void;
  /** Current entry of a queued or running job, else null. */
  get(jobId: string): Promise<QueueEntry | null>;
  snapshot(roomId?: string | null): Promise<QueueSnapshot>;
  subscribe(listener: (event: QueueEvent) => void): () => void;
  /** Stops admitting; lets running jobs finish within `graceMs`, aborts the rest; reports what did not finish. */
  close(graceMs: number): Promise<CloseResult>;
}
