// MemoryJobQueue: the embedded default JobQueue, holding jobs in this process with fair dispatch and live positions.
import { AppError, QUEUE_ERRORS, isAppError } from '../../errors/index.js';
import type { ExecutionResult } from '../../domain/result.js';
import { checkAdmission } from '../admission.js';
import { DispatchOrder } from '../dispatch-order.js';
import type {
  CloseResult,
  EnqueueResult,
  JobHandler,
  JobQueue,
  JobQueueLimits,
  QueuedJob,
  QueueEntry,
  QueueEvent,
  QueueSnapshot,
} from '../job-queue.js';
import { collectPositionChanges, CoalescedTask, type PositionTracked } from '../position-changes.js';
import { toQueueEntry } from '../queue-entry.js';
import { QueueListeners } from '../queue-listeners.js';
import { RunDurations } from '../run-durations.js';
import { tally } from '../tally.js';
import { FinishedJobs } from './finished-jobs.js';
import { resolveMemoryJobQueueOptions, type MemoryJobQueueOptions, type ResolvedMemoryJobQueueOptions } from './memory-job-queue-options.js';

/** A queued or running job with the scheduler's bookkeeping. */
interface JobRecord extends PositionTracked {
  readonly job: QueuedJob;
  /** Epoch ms it got a slot; null while queued. */
  startedAt: number | null;
  controller: AbortController | null;
}

type Outcome = { result: ExecutionResult } | { error: unknown };

function userRoomKey(roomId: string, userId: string): string {
  // A NUL separator cannot occur in ids that went through request validation, so keys never collide.
  return `${roomId}\u0000${userId}`;
}

function describeFailure(error: unknown): string {
  // A service fault's details (host paths, tool output) stay in the server log, written next to this; users get its code.
  if (isAppError(error)) {
    return error.statusCode >= 500 ? `the service could not run this execution (${error.code}); the server log has the details` : `${error.message} (${error.code})`;
  }
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' && error !== '' ? error : 'The execution failed for an unknown reason.';
}

/**
 * In-process scheduler: admission caps, priorities, round-robin fairness across lanes, per-room and per-user running
 * caps, live positions and graceful close. Everything is lost with the process; the caller keeps durable state.
 */
export class MemoryJobQueue implements JobQueue {
  readonly limits: JobQueueLimits;
  readonly #options: ResolvedMemoryJobQueueOptions;
  readonly #order = new DispatchOrder<JobRecord>();
  /** Every queued or running job by id. */
  readonly #jobs = new Map<string, JobRecord>();
  /** Running jobs in start order. */
  readonly #running = new Map<string, JobRecord>();
  readonly #roomRunning = new Map<string, number>();
  readonly #userRunning = new Map<string, number>();
  /** The one queued-or-running job of each user in each room. */
  readonly #userInRoom = new Map<string, JobRecord>();
  readonly #durations: RunDurations;
  readonly #finished: FinishedJobs;
  readonly #listeners: QueueListeners;
  readonly #positions: CoalescedTask;
  #handler: JobHandler | null = null;
  #closing = false;
  #closed = false;
  #closeResult: Promise<CloseResult> | null = null;
  #dispatching = false;
  #onIdle: (() => void) | null = null;

  constructor(options: MemoryJobQueueOptions) {
    this.#options = resolveMemoryJobQueueOptions(options);
    this.limits = this.#options.limits;
    this.#durations = new RunDurations({ samples: this.#options.durationSamples, maxRooms: this.#options.durationRooms });
    this.#finished = new FinishedJobs(this.#options.finishedJobsRemembered);
    this.#listeners = new QueueListeners(this.#options.onListenerError);
    this.#positions = new CoalescedTask(() => this.#publishPositions(), this.#options.positionsCpuShare);
  }

  async enqueue(job: QueuedJob): Promise<EnqueueResult> {
    if (this.#jobs.has(job.id)) {
      throw new AppError(QUEUE_ERRORS.duplicateId, `Execution "${job.id}" is already queued or running.`, { details: { id: job.id } });
    }
    const userKey = job.roomId === null ? null : userRoomKey(job.roomId, job.user.userId);
    const userRecord = userKey === null ? undefined : this.#userInRoom.get(userKey);
    const keyId = job.user.keyId ?? null;
    const refusal = checkAdmission({
      limits: this.limits,
      closing: this.#closing,
      queued: this.#order.size,
      roomId: job.roomId,
      roomQueued: job.roomId === null ? 0 : this.#order.queuedInRoom(job.roomId),
      userQueued: this.#order.queuedOfUser(job.user.userId),
      keyId,
      keyQueued: keyId === null ? 0 : this.#order.queuedOfKey(keyId),
      userJob: userRecord === undefined ? null : { startedAt: userRecord.startedAt, roomPosition: this.#order.placeOf(userRecord)?.roomPosition ?? null },
      typicalRunMs: this.#durations.typicalMs(job.roomId) ?? this.#options.assumedRunDurationMs,
      typicalGlobalRunMs: this.#durations.typicalMs() ?? this.#options.assumedRunDurationMs,
      now: this.#options.now(),
      maxRetryAfterSeconds: this.#options.maxRetryAfterSeconds,
    });
    if (refusal !== null) throw refusal;

    const record: JobRecord = {
      id: job.id,
      roomId: job.roomId,
      userId: job.user.userId,
      keyId,
      priority: job.priority,
      job,
      reportedPosition: 0,
      reportedRoomPosition: null,
      startedAt: null,
      controller: null,
    };
    this.#jobs.set(job.id, record);
    if (userKey !== null) this.#userInRoom.set(userKey, record);
    this.#order.add(record);
    const place = this.#order.placeOf(record)!;
    record.reportedPosition = place.position;
    record.reportedRoomPosition = place.roomPosition;
    // Landing anywhere but last (higher priority, or a new room's first turn) pushes others back.
    if (place.position < this.#order.size) this.#positions.request();
    const entry = toQueueEntry(job, place, null);
    this.#listeners.emit({ type: 'queued', entry: { ...entry } });
    this.#dispatch();
    return { entry };
  }

  async cancel(jobId: string, userId: string): Promise<QueueEntry> {
    const record = this.#jobs.get(jobId);
    if (record === undefined) throw this.#cancelRefusalForUnknown(jobId, userId);
    if (record.userId !== userId) {
      throw new AppError(QUEUE_ERRORS.cancelForbidden, 'Only the user who submitted this execution may cancel it.', { details: { id: jobId } });
    }
    if (record.startedAt !== null) {
      throw new AppError(QUEUE_ERRORS.notCancellable, 'This execution is already running and can no longer be cancelled.', { details: { id: jobId } });
    }
    this.#order.remove(record);
    this.#forget(record);
    this.#positions.request();
    const entry = toQueueEntry(record.job, null, null);
    this.#listeners.emit({ type: 'cancelled', entry: { ...entry }, byUserId: userId, finishedAt: this.#options.now() });
    return entry;
  }

  process(handler: JobHandler): void {
    if (this.#handler !== null) throw new Error('MemoryJobQueue.process() may be called only once');
    this.#handler = handler;
    this.#dispatch();
  }

  async get(jobId: string): Promise<QueueEntry | null> {
    const record = this.#jobs.get(jobId);
    if (record === undefined) return null;
    if (record.startedAt !== null) return toQueueEntry(record.job, null, record.startedAt);
    return toQueueEntry(record.job, this.#order.placeOf(record), null);
  }

  /**
   * The node's queue, or one room's when `roomId` is a string (`null` or omitted: the whole node). For a room,
   * counts are the room's and `maxConcurrent` is the room's running cap.
   */
  async snapshot(roomId: string | null = null): Promise<QueueSnapshot> {
    const queued: QueueEntry[] = [];
    if (roomId === null) {
      this.#order.forEachInOrder((record, place) => queued.push(toQueueEntry(record.job, place, null)));
    } else {
      for (const record of this.#order.roomItems(roomId)) queued.push(toQueueEntry(record.job, this.#order.placeOf(record), null));
    }
    const active: QueueEntry[] = [];
    for (const record of this.#running.values()) {
      if (roomId === null || record.roomId === roomId) active.push(toQueueEntry(record.job, null, record.startedAt));
    }
    let oldest = Number.POSITIVE_INFINITY;
    for (const entry of queued) oldest = Math.min(oldest, entry.enqueuedAt);
    return {
      queued,
      active,
      queueLength: queued.length,
      activeCount: active.length,
      maxConcurrent: roomId === null ? this.limits.maxConcurrent : Math.min(this.limits.roomMaxRunning, this.limits.maxConcurrent),
      oldestQueuedAgeMs: queued.length === 0 ? 0 : Math.max(0, this.#options.now() - oldest),
    };
  }

  subscribe(listener: (event: QueueEvent) => void): () => void {
    return this.#listeners.subscribe(listener);
  }

  /**
   * Stops admitting and dispatching at once; queued jobs may still be cancelled during the grace period. Resolves when
   * every running job has finished or `graceMs` has passed, whichever is first; jobs still running then are aborted
   * through their signal. `unfinished` lists the queued jobs in dispatch order, then the aborted ones; the queue emits
   * nothing more about them. Calling it again returns the same result.
   */
  close(graceMs: number): Promise<CloseResult> {
    if (this.#closeResult === null) {
      this.#closing = true;
      this.#closeResult = this.#shutDown(Math.max(0, graceMs));
    }
    return this.#closeResult;
  }

  async #shutDown(graceMs: number): Promise<CloseResult> {
    if (this.#running.size > 0) await this.#runningFinished(graceMs);
    this.#positions.cancel();
    const queued = this.#order.drain().map((record) => record.job);
    const aborted = [...this.#running.values()];
    this.#running.clear();
    this.#roomRunning.clear();
    this.#userRunning.clear();
    this.#jobs.clear();
    this.#userInRoom.clear();
    this.#finished.clear();
    this.#closed = true;
    const reason = new AppError(QUEUE_ERRORS.shuttingDown, 'The node shut down before the execution finished.');
    for (const record of aborted) record.controller?.abort(reason);
    return { unfinished: [...queued, ...aborted.map((record) => record.job)] };
  }

  #runningFinished(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#onIdle = null;
        resolve();
      };
      const timer = setTimeout(done, graceMs);
      this.#onIdle = done;
    });
  }

  #cancelRefusalForUnknown(jobId: string, userId: string): AppError {
    if (this.#closed) return new AppError(QUEUE_ERRORS.shuttingDown, 'This node has shut down; its queue is gone.');
    const owner = this.#finished.ownerOf(jobId);
    if (owner === undefined) return new AppError(QUEUE_ERRORS.notFound, `No queued or running execution has id "${jobId}".`, { details: { id: jobId } });
    if (owner !== userId) return new AppError(QUEUE_ERRORS.cancelForbidden, 'Only the user who submitted this execution may cancel it.', { details: { id: jobId } });
    return new AppError(QUEUE_ERRORS.notCancellable, 'This execution has already finished.', { details: { id: jobId } });
  }

  /** Whether a queued job may take a free slot: neither its room nor its user is at their running cap. */
  readonly #mayStart = (record: JobRecord): boolean =>
    (record.roomId === null || (this.#roomRunning.get(record.roomId) ?? 0) < this.limits.roomMaxRunning) &&
    (this.#userRunning.get(record.userId) ?? 0) < this.limits.userMaxRunning;

  /** Fills free slots. Re-entrant calls (from listeners) return at once: the outer loop re-checks after each start. */
  #dispatch(): void {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      while (!this.#closing && this.#handler !== null && this.#running.size < this.limits.maxConcurrent) {
        const record = this.#order.takeNext(this.#mayStart);
        if (record === undefined) break;
        this.#start(record, this.#handler);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  #start(record: JobRecord, handler: JobHandler): void {
    const controller = new AbortController();
    record.startedAt = this.#options.now();
    record.controller = controller;
    this.#running.set(record.id, record);
    if (record.roomId !== null) tally(this.#roomRunning, record.roomId, +1);
    tally(this.#userRunning, record.userId, +1);
    this.#positions.request();
    this.#listeners.emit({ type: 'started', entry: toQueueEntry(record.job, null, record.startedAt) });
    // A later microtask, so a handler that throws synchronously is a failure like any other, and never re-enters dispatch.
    void Promise.resolve()
      .then(() => handler(record.job, controller.signal))
      .then(
        (result) => this.#finish(record, { result }),
        (error: unknown) => this.#finish(record, { error }),
      );
  }

  #finish(record: JobRecord, outcome: Outcome): void {
    // Aborted by close(): reported as unfinished, so the queue says nothing more about it.
    if (this.#running.get(record.id) !== record) return;
    this.#running.delete(record.id);
    if (record.roomId !== null) tally(this.#roomRunning, record.roomId, -1);
    tally(this.#userRunning, record.userId, -1);
    // Freed before the event, so a listener may submit the user's next run straight away.
    this.#forget(record);
    const finishedAt = this.#options.now();
    this.#durations.record(record.roomId, finishedAt - (record.startedAt ?? finishedAt));
    const entry = toQueueEntry(record.job, null, record.startedAt);
    if ('result' in outcome) {
      this.#listeners.emit({ type: 'completed', entry, result: outcome.result, finishedAt });
    } else {
      const message = describeFailure(outcome.error);
      this.#options.logger?.error({ err: outcome.error, executionId: record.id, correlationId: record.job.correlationId }, 'execution failed in the service');
      this.#listeners.emit({ type: 'failed', entry, error: message, finishedAt });
    }
    if (this.#running.size === 0) this.#onIdle?.();
    this.#dispatch();
  }

  /** Drops a job that left the queue for good (cancelled or finished). */
  #forget(record: JobRecord): void {
    this.#jobs.delete(record.id);
    if (record.roomId !== null) {
      const key = userRoomKey(record.roomId, record.userId);
      if (this.#userInRoom.get(key) === record) this.#userInRoom.delete(key);
    }
    this.#finished.add(record.id, record.userId);
  }

  #publishPositions(): void {
    if (this.#closed) return;
    const changes = collectPositionChanges(this.#order);
    if (changes.length > 0) this.#listeners.emit({ type: 'positions', changes });
  }
}
