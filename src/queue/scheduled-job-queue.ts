// ScheduledJobQueue: the JobQueue façade — a scheduling policy over a backend, with a producer role and an optional worker role.
import type { QueueBackend } from './backend.js';
import type { CloseResult, EnqueueResult, JobHandler, JobQueue, JobQueueLimits, QueuedJob, QueueEntry, QueueEvent, QueueSnapshot } from './job-queue.js';
import { SchedulingPolicy } from './policy/scheduling-policy.js';
import { QueueProducer } from './queue-producer.js';
import { QueueWorker } from './queue-worker.js';
import { resolveScheduledJobQueueOptions, type ScheduledJobQueueOptions } from './scheduled-job-queue-options.js';
import { WorkerHeartbeat } from './worker-registry-heartbeat.js';
import type { WorkerInfo, WorkerRegistry } from './worker-registry.js';

/** How the queue's worker appears in the worker registry. */
export interface WorkerPresence {
  /** Where live workers are listed; the queue closes it on close(). */
  registry: WorkerRegistry;
  /** Languages the worker is listed with (on a shared queue, the same as it claims). */
  languages: readonly string[];
  /** The machine's host name and this process's pid, as listed. */
  host: string;
  pid: number;
  /** Between two heartbeats, ms (an entry lives three). */
  heartbeatMs: number;
  /**
   * `cluster`: the whole-queue snapshot's `maxConcurrent` is the live workers' slots summed (capped by
   * `limits.maxConcurrent`, which holds across them). `node`: it stays `limits.maxConcurrent` (the embedded node).
   */
  capacity: 'cluster' | 'node';
}

/** Options of a {@link ScheduledJobQueue}: the backend it owns, and the queue's settings. */
export interface ScheduledJobQueueSetup extends ScheduledJobQueueOptions {
  /** Where jobs live; the queue closes it on close(). */
  backend: QueueBackend;
  /** Registers this queue's worker (if it has slots) while it takes jobs. @defaultValue none: no registry */
  presence?: WorkerPresence;
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
  readonly #presence: WorkerPresence | null;
  readonly #heartbeat: WorkerHeartbeat | null;
  #closeResult: Promise<CloseResult> | null = null;
  #registered: Promise<void> = Promise.resolve();

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
      livePositions: options.livePositions,
    });
    const worker =
      options.workerSlots === 0
        ? null
        : new QueueWorker({
            backend: setup.backend,
            policy,
            slots: options.workerSlots,
            leaseMs: options.leaseMs,
            logger: options.logger,
            languages: options.languages,
            claimPollMs: options.claimPollMs,
          });
    this.#worker = worker;
    this.#presence = setup.presence ?? null;
    this.#heartbeat =
      worker === null || this.#presence === null
        ? null
        : new WorkerHeartbeat({
            registry: this.#presence.registry,
            worker: { id: worker.id, host: this.#presence.host, pid: this.#presence.pid, languages: this.#presence.languages, slots: options.workerSlots },
            running: () => worker.running,
            intervalMs: this.#presence.heartbeatMs,
            logger: options.logger,
          });
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

  /** Starts the worker (when this queue has slots) and its registry heartbeat. */
  process(handler: JobHandler): void {
    this.#worker?.start(handler);
    this.#registered = this.#heartbeat?.start() ?? Promise.resolve();
  }

  /**
   * Resolves once the first heartbeat after `process()` landed (or failed, and was logged): from then on the cluster
   * counts this worker's slots and admits its languages.
   */
  registered(): Promise<void> {
    return this.#registered;
  }

  /** Live workers of this queue (every node's, on a shared registry); none without a registry. */
  async workers(): Promise<WorkerInfo[]> {
    return (await this.#presence?.registry.list()) ?? [];
  }

  /** The worker registry, for readiness checks and listings; null without one. */
  get registry(): WorkerRegistry | null {
    return this.#presence?.registry ?? null;
  }

  get(jobId: string): Promise<QueueEntry | null> {
    return this.#producer.get(jobId);
  }

  async snapshot(roomId: string | null = null): Promise<QueueSnapshot> {
    if (roomId !== null || this.#presence?.capacity !== 'cluster') return this.#producer.snapshot(roomId);
    const [snapshot, workers] = await Promise.all([this.#producer.snapshot(null), this.#presence.registry.list()]);
    const slots = workers.reduce((sum, worker) => sum + worker.slots, 0);
    return { ...snapshot, maxConcurrent: Math.min(slots, this.limits.maxConcurrent) };
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
    // Out of the registry first: a worker that takes no more jobs is no longer capacity nor a server of its languages.
    await this.#heartbeat?.stop();
    const aborted = (await this.#worker?.stop(graceMs)) ?? [];
    this.#producer.close();
    const left = await this.#backend.close();
    await this.#presence?.registry.close();
    // A durable backend keeps queued jobs and takes back the aborted ones: nothing is lost with this node.
    if (this.#backend.durable) return { unfinished: [] };
    return { unfinished: [...left.queued.map(({ job }) => job.data), ...aborted] };
  }
}
