// QueueWorker: the worker role — claims jobs under leases, renews them while the handler runs, and records the outcome.
import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from '../domain/result.js';
import { AppError, QUEUE_ERRORS, isAppError } from '../errors/index.js';
import type { BackendEvent, ClaimedJob, QueueBackend } from './backend.js';
import type { JobHandler, QueuedJob } from './job-queue.js';
import type { SchedulingPolicy } from './policy/scheduling-policy.js';
import type { QueueLogger } from './scheduled-job-queue-options.js';

/** What a worker is built from. */
export interface QueueWorkerOptions {
  backend: QueueBackend;
  policy: SchedulingPolicy;
  /** Jobs this worker runs at once (at least 1). */
  slots: number;
  leaseMs: number;
  logger: QueueLogger | null;
}

/** One job this worker holds. */
interface Run {
  readonly claimed: ClaimedJob;
  readonly controller: AbortController;
  readonly heartbeat: NodeJS.Timeout;
  /** Set when close() gave up on it: its outcome is no longer this worker's to record. */
  abandoned: boolean;
}

type Outcome = { result: ExecutionResult } | { error: unknown };

/** The message users see for a service fault; its details (host paths, tool output) stay in the server log. */
export function describeFailure(error: unknown): string {
  if (isAppError(error)) {
    return error.statusCode >= 500 ? `the service could not run this execution (${error.code}); the server log has the details` : `${error.message} (${error.code})`;
  }
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' && error !== '' ? error : 'The execution failed for an unknown reason.';
}

/**
 * Runs jobs from the backend, up to `slots` at once, whenever the backend reports something that may let one start.
 * Each claim carries a lease renewed every third of `leaseMs` while the handler runs; an outcome is recorded only
 * under the lease, so a job whose lease was lost (the process stalled) is finished once, by whoever holds it then.
 */
export class QueueWorker {
  readonly id = `worker-${randomUUID()}`;
  readonly #options: QueueWorkerOptions;
  readonly #runs = new Map<string, Run>();
  #handler: JobHandler | null = null;
  #unsubscribe: (() => void) | null = null;
  /** Claims now and then without an event: events from other nodes are missed while the connection to Redis is down. */
  #safetyFill: NodeJS.Timeout | null = null;
  #filling = false;
  #fillAgain = false;
  #stopped = false;
  #onIdle: (() => void) | null = null;

  constructor(options: QueueWorkerOptions) {
    this.#options = options;
  }

  /** Starts taking jobs; a worker takes one handler for its lifetime. */
  start(handler: JobHandler): void {
    if (this.#handler !== null) throw new Error('JobQueue.process() may be called only once');
    this.#handler = handler;
    this.#unsubscribe = this.#options.backend.subscribe((event) => this.#onBackendEvent(event));
    if (this.#options.backend.durable) {
      this.#safetyFill = setInterval(() => this.#fill(), this.#options.leaseMs);
      this.#safetyFill.unref();
    }
    this.#fill();
  }

  /**
   * Stops claiming at once; waits up to `graceMs` for running jobs, then aborts the rest through their signal and,
   * on a durable backend, gives them back to the queue. Returns the jobs it gave up on.
   */
  async stop(graceMs: number): Promise<QueuedJob[]> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#safetyFill) clearInterval(this.#safetyFill);
    if (this.#runs.size > 0) await this.#runsFinished(graceMs);
    const abandoned = [...this.#runs.values()];
    this.#runs.clear();
    const reason = new AppError(QUEUE_ERRORS.shuttingDown, 'The node shut down before the execution finished.');
    for (const run of abandoned) {
      run.abandoned = true;
      clearInterval(run.heartbeat);
      run.controller.abort(reason);
      if (this.#options.backend.durable) await this.#options.backend.release(run.claimed.job.id, run.claimed.lease.leaseId).catch(() => false);
    }
    return abandoned.map((run) => run.claimed.job.data);
  }

  #onBackendEvent(event: BackendEvent): void {
    // Each of these may let a job start: new work, a freed slot, a job back from a dead worker.
    if (event.type !== 'claimed') this.#fill();
  }

  /** Claims until the slots are full or nothing may start. Calls while a fill runs make it go round once more. */
  #fill(): void {
    if (this.#stopped || this.#handler === null) return;
    if (this.#filling) {
      this.#fillAgain = true;
      return;
    }
    this.#filling = true;
    void this.#fillLoop(this.#handler);
  }

  async #fillLoop(handler: JobHandler): Promise<void> {
    const { backend, policy, leaseMs, slots } = this.#options;
    try {
      do {
        this.#fillAgain = false;
        while (!this.#stopped && this.#runs.size < slots) {
          const claimed = await backend.claim({ workerId: this.id, leaseMs, mayStart: policy.mayStart, caps: policy.caps });
          if (claimed === null) break;
          if (this.#stopped) {
            // Stopped while the claim was in flight: the job is not ours to run any more.
            await backend.release(claimed.job.id, claimed.lease.leaseId);
            break;
          }
          this.#run(claimed, handler);
        }
      } while (this.#fillAgain && !this.#stopped);
    } catch (error) {
      this.#options.logger?.error({ err: error }, 'claiming a job from the queue failed');
    } finally {
      // In the same step as the last check of #fillAgain, so a wake-up cannot fall between the two.
      this.#filling = false;
    }
  }

  #run(claimed: ClaimedJob, handler: JobHandler): void {
    const { backend, leaseMs } = this.#options;
    const { job, lease } = claimed;
    const heartbeat = setInterval(() => {
      void backend.extendLease(job.id, lease.leaseId, leaseMs).then(
        (held) => {
          if (!held) this.#options.logger?.warn({ executionId: job.id }, 'the lease of a running execution was lost; its outcome will be discarded');
        },
        (error: unknown) => this.#options.logger?.warn({ err: error, executionId: job.id }, 'renewing the lease of a running execution failed'),
      );
    }, Math.max(1, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    const run: Run = { claimed, controller: new AbortController(), heartbeat, abandoned: false };
    this.#runs.set(job.id, run);
    // A later microtask, so a handler that throws synchronously is a failure like any other.
    void Promise.resolve()
      .then(() => handler(job.data, run.controller.signal, { attempt: job.attempts }))
      .then(
        (result) => this.#finish(run, { result }),
        (error: unknown) => this.#finish(run, { error }),
      );
  }

  async #finish(run: Run, outcome: Outcome): Promise<void> {
    if (run.abandoned) return;
    clearInterval(run.heartbeat);
    const { backend, logger } = this.#options;
    const { job, lease } = run.claimed;
    try {
      let recorded: boolean;
      if ('result' in outcome) {
        recorded = await backend.complete(job.id, lease.leaseId, outcome.result);
      } else {
        logger?.error({ err: outcome.error, executionId: job.id, correlationId: job.data.correlationId }, 'execution failed in the service');
        recorded = await backend.fail(job.id, lease.leaseId, describeFailure(outcome.error));
      }
      if (!recorded) logger?.warn({ executionId: job.id }, 'an execution finished after its lease was lost; its outcome was discarded');
    } catch (error) {
      logger?.error({ err: error, executionId: job.id }, 'recording the outcome of an execution failed');
    } finally {
      this.#runs.delete(job.id);
      if (this.#runs.size === 0) this.#onIdle?.();
      this.#fill();
    }
  }

  #runsFinished(graceMs: number): Promise<void> {
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
}
