// The JobQueue interface the service uses: admission (caps), priorities, fair dispatch across rooms, positions, cancellation.
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
  /** 1-based place in the queue's claim order (exact or an estimate, see `JobQueue.positions`); null once running. */
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

/** How the queue handed a job out. */
export interface Delivery {
  /** How many times the job was claimed, this claim included: more than 1 after a lease expired (its worker died or stalled). */
  attempt: number;
}

/** Runs one job; resolves with its result (a verdict, whatever the program did) or rejects on a service fault. */
export type JobHandler = (job: QueuedJob, signal: AbortSignal, delivery: Delivery) => Promise<ExecutionResult>;

export interface JobQueueLimits {
  /** Jobs running at once in all (on this node for the memory backend, across workers for a shared one). */
  maxConcurrent: number;
  /** Jobs queued in all before `RUNLANE_ERR_QUEUE_FULL` (503). */
  maxQueued: number;
  /** Jobs running at once per room. */
  roomMaxRunning: number;
  /** Jobs queued per room before `RUNLANE_ERR_QUEUE_ROOM_FULL` (429). */
  roomMaxQueued: number;
  /** Jobs of one user queued on the node (in every room and none) before `RUNLANE_ERR_QUEUE_USER_QUOTA` (429). */
  userMaxQueued: number;
  /**
   * Jobs of one user running at once while another user's job could start; work-conserving: when no other user's job
   * can start, the user may also take free slots up to `maxConcurrent`.
   */
  userMaxRunning: number;
  /** Jobs queued on the node through one API key (`Identity.keyId`), all its users together, before `RUNLANE_ERR_QUEUE_KEY_QUOTA` (429). */
  keyMaxQueued: number;
}

export interface EnqueueResult {
  entry: QueueEntry;
}

export interface CloseResult {
  /**
   * Jobs that are lost with this node: with a non-durable backend (memory), those still queued and those aborted at the
   * end of the grace period, which the caller marks failed; with a durable backend, none (they stay queued, or go back
   * to the queue for another worker).
   */
  unfinished: QueuedJob[];
}

/**
 * The queue as the submission service sees it: a scheduling policy (`policy/`) over a backend (`backend.ts`), with a
 * producer role (enqueue, cancel, get, snapshot, subscribe) and a worker role (process). Events report every change,
 * wherever it happened (another node's worker included, once a shared backend is used).
 */
export interface JobQueue {
  readonly limits: JobQueueLimits;
  /** Whether `position`/`roomPosition` are the exact claim order or an estimate (a backend capability). */
  readonly positions: 'exact' | 'estimate';
  /**
   * Whether jobs outlive this process (a shared backend): then a dead worker's job comes back through its expired
   * lease, and start-up recovery must not touch work other nodes hold. False for the in-process queue.
   */
  readonly durable: boolean;
  /**
   * Admits a job or throws AppError: user busy in the room / user or key quota / room full (429, with
   * retryAfterSeconds), queue full or shutting down (503), id already queued (409). At most one queued-or-running job
   * per user per room.
   */
  enqueue(job: QueuedJob): Promise<EnqueueResult>;
  /**
   * Removes a queued job and emits `cancelled` naming `userId` as who cancelled. Ownership is NOT checked: the caller
   * decides who may cancel. Running, finished or unknown jobs answer 409 (`RUNLANE_ERR_QUEUE_NOT_CANCELLABLE`).
   */
  cancel(jobId: string, userId: string): Promise<QueueEntry>;
  /**
   * Starts running jobs with the handler, up to the queue's worker slots at once. A producer-only queue (no worker
   * slots) keeps the handler and never calls it; its jobs run wherever workers share its backend.
   */
  process(handler: JobHandler): void;
  /** Current entry of a queued or running job, else null. */
  get(jobId: string): Promise<QueueEntry | null>;
  /** The whole queue, or one room's (counts are then the room's and `maxConcurrent` the room's running cap). */
  snapshot(roomId?: string | null): Promise<QueueSnapshot>;
  /** Listens to queue events; listeners must not throw (a throw is reported and the queue goes on). */
  subscribe(listener: (event: QueueEvent) => void): () => void;
  /** Stops admitting and claiming; lets running jobs finish within `graceMs`, aborts the rest; see {@link CloseResult}. */
  close(graceMs: number): Promise<CloseResult>;
}
