// QueueProducer: the producer role — admits, cancels and lists jobs, and turns backend events into queue events with live positions.
import { AppError, QUEUE_ERRORS } from '../errors/index.js';
import type { BackendEvent, QueueBackend } from './backend.js';
import type { EnqueueResult, QueuedJob, QueueEntry, QueueEvent, QueueSnapshot } from './job-queue.js';
import type { SchedulingPolicy } from './policy/scheduling-policy.js';
import { CoalescedTask, PositionBook } from './position-changes.js';
import { toQueueEntry } from './queue-entry.js';
import { QueueListeners, type ListenerErrorHandler } from './queue-listeners.js';

/** What a producer is built from. */
export interface QueueProducerOptions {
  backend: QueueBackend;
  policy: SchedulingPolicy;
  now: () => number;
  onListenerError: ListenerErrorHandler;
  /** Share of wall time the positions pass may use, awaited backend time included, in (0, 1]. */
  positionsCpuShare: number;
  /**
   * The live window: queued jobs within this many places of the head get position updates as they move, and
   * snapshots list this many queued jobs (the rest are counted). Jobs behind it are placed exactly on request.
   */
  livePositions: number;
}

/**
 * Everything an API node does with the queue without running jobs. Ownership is not checked here: the caller (the
 * submission service) decides who may cancel what, the queue only knows whether a job is still queued.
 */
export class QueueProducer {
  readonly #backend: QueueBackend;
  readonly #policy: SchedulingPolicy;
  readonly #now: () => number;
  readonly #listeners: QueueListeners;
  readonly #book = new PositionBook();
  readonly #positions: CoalescedTask;
  readonly #unsubscribe: () => void;
  readonly #window: number;
  #closing = false;
  #closed = false;

  constructor(options: QueueProducerOptions) {
    this.#backend = options.backend;
    this.#policy = options.policy;
    this.#now = options.now;
    this.#listeners = new QueueListeners(options.onListenerError);
    this.#window = options.livePositions;
    this.#positions = new CoalescedTask(() => this.#publishPositions(), options.positionsCpuShare);
    this.#unsubscribe = this.#backend.subscribe((event) => this.#onBackendEvent(event));
  }

  /** Admits a job through the policy's checks, atomically with the backend's add. */
  async enqueue(job: QueuedJob): Promise<EnqueueResult> {
    const { place } = await this.#backend.add(this.#policy.toSpec(job), this.#policy.admission(job, this.#closing));
    return { entry: toQueueEntry(job, place, null) };
  }

  /**
   * Removes a queued job. `byUserId` is recorded in the `cancelled` event as who cancelled; it is not checked.
   * Refuses with 409 when the job is running or no longer queued (finished, cancelled, unknown to the queue), and
   * with 503 once the queue has closed.
   */
  async cancel(jobId: string, byUserId: string): Promise<QueueEntry> {
    if (this.#closed) throw new AppError(QUEUE_ERRORS.shuttingDown, 'This node has shut down; its queue is gone.');
    const outcome = await this.#backend.remove(jobId, byUserId);
    if ('removed' in outcome) return toQueueEntry(outcome.removed.data, null, null);
    const reason = 'active' in outcome ? 'is already running' : 'is no longer queued';
    throw new AppError(QUEUE_ERRORS.notCancellable, `This execution ${reason} and can no longer be cancelled.`, { details: { id: jobId } });
  }

  async get(jobId: string): Promise<QueueEntry | null> {
    const found = await this.#backend.get(jobId);
    if (found === null) return null;
    return toQueueEntry(found.job.data, found.place, found.job.startedAt);
  }

  /**
   * The whole queue, or one room's when `roomId` is a string. For a room, counts are the room's and `maxConcurrent`
   * is the room's running cap. `queued` lists the first `livePositions` queued jobs in claim order; `queueLength`
   * counts them all.
   */
  async snapshot(roomId: string | null = null): Promise<QueueSnapshot> {
    const listing = await this.#backend.list(roomId, { limit: this.#window });
    const queued = listing.queued.map(({ job, place }) => toQueueEntry(job.data, place, null));
    const active = listing.active.map((job) => toQueueEntry(job.data, null, job.startedAt));
    const { limits } = this.#policy;
    return {
      queued,
      active,
      queueLength: listing.queuedTotal,
      activeCount: active.length,
      maxConcurrent: roomId === null ? limits.maxConcurrent : Math.min(limits.roomMaxRunning, limits.maxConcurrent),
      oldestQueuedAgeMs: listing.oldestEnqueuedAt === null ? 0 : Math.max(0, this.#now() - listing.oldestEnqueuedAt),
    };
  }

  subscribe(listener: (event: QueueEvent) => void): () => void {
    return this.#listeners.subscribe(listener);
  }

  /** Refuses new jobs from now on (503); cancels and reads still work until {@link close}. */
  stopAdmitting(): void {
    this.#closing = true;
  }

  /** Stops listening to the backend; nothing more is emitted. */
  close(): void {
    this.#closing = true;
    this.#closed = true;
    this.#positions.cancel();
    this.#unsubscribe();
    this.#book.clear();
  }

  #onBackendEvent(event: BackendEvent): void {
    switch (event.type) {
      case 'added': {
        // Landing anywhere but last (higher priority, a new lane's first turn) pushes others back; landing behind the
        // live window moves nobody inside it. The book holds the window, so within it "last" is "past the book".
        const inWindow = event.place.position <= this.#window;
        const last = event.place.position > this.#book.size;
        if (inWindow) this.#book.note(event.job.id, event.place);
        if ((inWindow && !last) || this.#backend.positions === 'estimate') this.#positions.request();
        this.#emit({ type: 'queued', entry: toQueueEntry(event.job.data, event.place, null) });
        return;
      }
      case 'claimed':
        this.#book.forget(event.job.id);
        this.#positions.request();
        this.#emit({ type: 'started', entry: toQueueEntry(event.job.data, null, event.job.startedAt) });
        return;
      case 'completed':
        this.#recordRun(event.job, event.finishedAt);
        this.#emit({ type: 'completed', entry: toQueueEntry(event.job.data, null, event.job.startedAt), result: event.result, finishedAt: event.finishedAt });
        return;
      case 'failed':
        this.#recordRun(event.job, event.finishedAt);
        this.#emit({ type: 'failed', entry: toQueueEntry(event.job.data, null, event.job.startedAt), error: event.error, finishedAt: event.finishedAt });
        return;
      case 'removed':
        this.#book.forget(event.job.id);
        this.#positions.request();
        this.#emit({ type: 'cancelled', entry: toQueueEntry(event.job.data, null, null), byUserId: event.byUserId, finishedAt: event.finishedAt });
        return;
      case 'expired':
        // Queued again at the head of its lane: the next positions pass announces its place.
        this.#positions.request();
        return;
    }
  }

  #recordRun(job: { roomId: string | null; startedAt: number | null }, finishedAt: number): void {
    this.#policy.recordRun(job.roomId, finishedAt - (job.startedAt ?? finishedAt));
  }

  #emit(event: QueueEvent): void {
    if (!this.#closed) this.#listeners.emit(event);
  }

  /**
   * One pass over the live window: reads the first `livePositions` places (a read bounded by the window, not the
   * queue) and announces those that changed. Returns the read, so its awaited time counts against the pass's share.
   */
  #publishPositions(): Promise<void> | undefined {
    if (this.#closed) return undefined;
    return this.#backend.places(this.#window).then(
      (placed) => {
        if (this.#closed) return;
        const changes = this.#book.diff(placed);
        if (changes.length > 0) this.#emit({ type: 'positions', changes });
      },
      // A failed read announces nothing; the next change requests another pass.
      () => undefined,
    );
  }
}
