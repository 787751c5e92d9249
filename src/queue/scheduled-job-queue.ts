// ScheduledJobQueue: the JobQueue façade — a scheduling policy over a backend, with a producer role and an optional worker role.
import type { QueueBackend } from './backend.js';
import type { CloseResult, EnqueueResult, JobHandler, JobQueue, JobQueueLimits, QueuedJob, QueueEntry, QueueEvent, QueueSnapshot } from './job-queue.js';
import { SchedulingPolicy } from './policy/scheduling-policy.js';
import { QueueProducer } from './queue-producer.js';
import { QueueWorker } from './queue-worker.js';
import { resolveScheduledJobQueueOptions, type ScheduledJobQueueOptions } from './scheduled-job-queue-options.js';

/** Options of a {@link ScheduledJobQueue}: the backend it owns, and the queue's settings. */
export interface ScheduledJobQueueSetup extends ScheduledJobQueueOptions {
  /** Where jobs live; the queue closes it on close(). */
  backend: QueueBackend;
}

/**
 * The queue the service talks to. Producing (enqueue, cancel, get, snapshot, subscribe) always works; running jobs
 * needs worker slots (`workerSlots`, by default `limits.maxConcurrent`). With `workerSlots: 0` the queue is
 * producer-only: `process()` keeps the handler but no job is ever run here.
 */
export class ScheduledJobQueue implements JobQueue {
  readonly limits: JobQueueLimits;
  readonly positions: 'exact' | 'estimate';
  readonly durable: boolean;
  readonly #backend: QueueBackend;
  readonly #producer: QueueProducer;
  readonly #worker: QueueWorker | null;
  #closeResult: Promise<CloseResult> | null = null;

  constructor(setup: ScheduledJobQueueSetup) {
    const options = resolveScheduledJobQueueOptions(setup);
    this.limits = options.limits;
    this.#backend = setup.backend;
    this.positions = setup.backend.positions;
    this.durable = setup.backend.durable;
    const policy = new SchedulingPolicy({
      limits: options.limits,
      now: options.now,
      assumedRunDurationMs: options.assumedRunDurationMs,
      durationSamples: options.durationSamples,
      durationRooms: options.durationRooms,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds,
    });
    this.#producer = new QueueProducer({
      backend: setup.backend,
      policy,
      now: options.now,
      onListenerError: options.onListenerError,
      positionsCpuShare: options.positionsCpuShare,
    });
    this.#worker =
      options.workerSlots === 0 ? null : new QueueWorker({ backend: setup.backend, policy, slots: options.workerSlots, leaseMs: options.leaseMs, logger: options.logger });
  }

  /** True when this queue runs jobs itself (it has worker slots). */
  get runsJobs(): boolean {
    return this.#worker !== null;
  }

  enqueue(job: QueuedJob): Promise<EnqueueResult> {
    return this.#producer.enqueue(job);
  }

  /** Removes a queued job; `userId` names who cancelled (for the event) and is not checked: ownership is the caller's rule. */
  cancel(jobId: string, userId: string): Promise<QueueEntry> {
    return this.#producer.cancel(jobId, userId);
  }

  process(handler: JobHandler): void {
    this.#worker?.start(handler);
  }

  get(jobId: string): Promise<QueueEntry | null> {
    return this.#producer.get(jobId);
  }

  snapshot(roomId: string | null = null): Promise<QueueSnapshot> {
    return this.#producer.snapshot(roomId);
  }

  subscribe(listener: (event: QueueEvent) => void): () => void {
    return this.#producer.subscribe(listener);
  }

  close(graceMs: number): Promise<CloseResult> {
    this.#closeResult ??= this.#close(graceMs);
    return this.#closeResult;
  }

  async #close(graceMs: number): Promise<CloseResult> {
    this.#producer.stopAdmitting();
    const aborted = (await this.#worker?.stop(graceMs)) ?? [];
    this.#producer.close();
    const left = await this.#backend.close();
    // A durable backend keeps queued jobs and takes back the aborted ones: nothing is lost with this node.
    if (this.#backend.durable) return { unfinished: [] };
    return { unfinished: [...left.queued.map(({ job }) => job.data), ...aborted] };
  }
}
