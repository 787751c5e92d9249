// Runs one queued submission wherever it is dispatched: records it running, executes it, records how it ended, then notifies.
import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from '../domain/result.js';
import type { Engine, InteractiveStart } from '../engine/engine.js';
import type { Delivery, QueuedJob, QueueEntry } from '../queue/job-queue.js';
import type { FinishPatch, StartPatch, Store } from '../store/store.js';
import type { Logger } from '../logging/logger.js';
import { describeFailure } from './describe-failure.js';
import { persistently, type StoreRetryOptions } from './store-retry.js';
import type { InteractiveRegistry } from './interactive-registry.js';
import { entryOf } from './queued-job.js';
import type { SubmissionEvent } from './types.js';

export interface SubmissionRunnerDeps {
  engine: Engine;
  store: Store;
  interactive: InteractiveRegistry;
  /** Hands an event to subscribers; called only after the store holds what the event reports. */
  publish(event: SubmissionEvent): void;
  /** True once the node is shutting down: a run aborted then is left as the store has it, for the restart to deal with. */
  stopping(): boolean;
  /** This node's id, recorded on the rows it runs. */
  nodeId: string;
  /**
   * Set when the queue recovers through leases (a shared queue): a job claimed again after its lease expired finds its
   * row still `running` (its worker died) and is taken over, up to `maxAttempts` claims. Null for the in-process queue,
   * whose interrupted runs are recovered at start-up instead.
   */
  leaseRecovery: { maxAttempts: number } | null;
  /** Where dropped late results and store retries are reported. @defaultValue none */
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** How writes are retried while the store is unreachable (see {@link persistently}). @defaultValue its defaults */
  storeRetry?: StoreRetryOptions;
}

/**
 * The job handler. Every write is a guarded store transition, so whoever runs a job (this node or, later, another
 * worker) records it the same way, and a second delivery of the same job finds it no longer queued and runs nothing.
 * Each run writes its own token with `running` and fences its finish on it: a worker that stalled past its lease while
 * another took the job over finds its result refused, drops it (logged) and publishes nothing, so exactly one outcome
 * reaches the client, the room and the history. While the store is unreachable a write is retried with backoff (the
 * queue renews the lease meanwhile, as the handler has not returned), so a finished result is kept, not lost.
 * Service faults are rethrown to the queue, which logs them once; the user reads the message stored with the failure.
 */
export class SubmissionRunner {
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: SubmissionRunnerDeps) {}

  /** The JobHandler given to the queue. */
  readonly run = (job: QueuedJob, signal: AbortSignal, delivery: Delivery = { attempt: 1 }): Promise<ExecutionResult> => {
    const running = this.#run(job, signal, delivery);
    const tracked = running.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(tracked);
    void tracked.then(() => this.#inFlight.delete(tracked));
    return running;
  };

  /** Resolves once every run handed out so far has written its last state (or at the timeout). */
  async settled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.#inFlight]), timeout]);
    clearTimeout(timer);
  }

  async #run(job: QueuedJob, signal: AbortSignal, delivery: Delivery): Promise<ExecutionResult> {
    const startedAt = new Date();
    const runToken = randomUUID();
    const start: StartPatch = { status: 'running', startedAt, nodeId: this.deps.nodeId, runToken };
    const started = await this.#persist(job, signal, 'record the start', () => this.deps.store.transition(job.id, ['queued'], start));
    if (!started && !(await this.#takeOverInterrupted(job, signal, delivery, start))) {
      // Cancelled just before dispatch, or delivered twice: its row says it is no longer waiting to run.
      this.deps.interactive.fail(job.id, 'cancelled');
      throw new Error(`submission ${job.id} is no longer queued, so it was not run`);
    }
    const entry = entryOf(job, startedAt.getTime());
    this.deps.publish({ type: 'started', entry });
    let outcome: { result: ExecutionResult; stoppedByOwner: boolean };
    try {
      outcome = await this.#execute(job, signal);
    } catch (error) {
      if (this.#leftForRestart(signal)) throw error;
      const message = describeFailure(error);
      this.deps.interactive.fail(job.id, message);
      await this.#finish(job, signal, entry, { status: 'failed', verdict: 'internal_error', result: null, error: message, finishedAt: new Date(), runToken, deadLetter: true });
      throw error;
    }
    if (this.#leftForRestart(signal)) return outcome.result;
    // A program its owner killed has no verdict to give.
    const patch: FinishPatch = outcome.stoppedByOwner
      ? { status: 'cancelled', verdict: null, result: null, error: 'stopped by its owner', finishedAt: new Date(), runToken }
      : { status: 'completed', verdict: outcome.result.verdict, result: outcome.result, error: null, finishedAt: new Date(), runToken };
    await this.#finish(job, signal, entry, patch);
    return outcome.result;
  }

  async #execute(job: QueuedJob, signal: AbortSignal): Promise<{ result: ExecutionResult; stoppedByOwner: boolean }> {
    const session = this.deps.interactive.get(job.id);
    const context = { signal, executionId: job.id, correlationId: job.correlationId };
    if (!session) return { result: await this.deps.engine.execute(job.request, context), stoppedByOwner: false };
    const start: InteractiveStart = await this.deps.engine.startInteractive(job.request, context);
    const abort = (): void => start.process?.kill();
    signal.addEventListener('abort', abort, { once: true });
    session.deliver(start);
    try {
      const result = await start.outcome;
      return { result, stoppedByOwner: this.deps.interactive.wasStopped(job.id) };
    } finally {
      signal.removeEventListener('abort', abort);
      this.deps.interactive.release(job.id);
    }
  }

  /**
   * Records the final state; the event follows only when this write is the one that finished the submission. A write
   * the fence refused is a late result: another run took the job over (or it was stopped) and owns its outcome.
   */
  async #finish(job: QueuedJob, signal: AbortSignal, entry: QueueEntry, patch: FinishPatch): Promise<void> {
    if (!(await this.#persist(job, signal, `record it ${patch.status}`, () => this.deps.store.transition(job.id, ['running'], patch)))) {
      this.deps.logger?.warn({ executionId: job.id, status: patch.status }, 'a run finished after the execution had moved on (its lease was lost and another run took it over, or it was stopped); its result was dropped');
      return;
    }
    const finishedAt = patch.finishedAt.getTime();
    switch (patch.status) {
      case 'completed':
        if (job.roomId) {
          // The count is bookkeeping: a failure to store it must not hide a result that is already stored.
          await this.deps.store.recordRoomExecution(job.roomId, patch.finishedAt).catch((error: unknown) => this.deps.logger?.warn({ err: error, executionId: job.id }, 'could not count the execution in its room'));
        }
        this.deps.publish({ type: 'completed', entry, result: patch.result!, finishedAt });
        return;
      case 'failed':
        this.deps.publish({ type: 'failed', entry, error: patch.error ?? 'failed', finishedAt });
        return;
      case 'cancelled':
        this.deps.publish({ type: 'cancelled', entry, byUserId: job.user.userId, finishedAt });
        return;
    }
  }

  /**
   * A job claimed again after its lease expired: its worker died (or was cut off) mid-run, so its row still says
   * `running`. The run is the service's failure, not the program's: it starts again (back to `queued`, then `running`,
   * which counts the attempt in the store) until `maxAttempts` claims are spent, then fails with internal_error. Resolves
   * true when this node now holds the row as running; throws when the job was failed here.
   */
  async #takeOverInterrupted(job: QueuedJob, signal: AbortSignal, delivery: Delivery, start: StartPatch): Promise<boolean> {
    const recovery = this.deps.leaseRecovery;
    if (recovery === null || delivery.attempt < 2) return false;
    const { store } = this.deps;
    if (delivery.attempt > recovery.maxAttempts) {
      const error = `interrupted ${delivery.attempt - 1} times: the workers running it stopped before it finished`;
      const patch: FinishPatch = { status: 'failed', verdict: 'internal_error', result: null, error, finishedAt: new Date(), deadLetter: true };
      const failed = await this.#persist(job, signal, 'record it failed', () => store.transition(job.id, ['running'], patch));
      if (failed) this.deps.publish({ type: 'failed', entry: entryOf(job, null), error, finishedAt: Date.now() });
      throw new Error(`submission ${job.id} was ${error}`);
    }
    if (await this.#persist(job, signal, 'take the run over', () => store.transition(job.id, ['running'], { status: 'queued' }))) {
      return this.#persist(job, signal, 'record the start', () => store.transition(job.id, ['queued'], start));
    }
    return false;
  }

  /** A store write, retried while the store is unreachable and this node is not shutting down. */
  #persist<T>(job: QueuedJob, signal: AbortSignal, what: string, write: () => Promise<T>): Promise<T> {
    return persistently(write, {
      ...this.deps.storeRetry,
      giveUp: () => this.#leftForRestart(signal),
      onRetry: (error, delayMs) => this.deps.logger?.warn({ err: error, executionId: job.id, delayMs }, `the store is unreachable; will retry to ${what}`),
    });
  }

  #leftForRestart(signal: AbortSignal): boolean {
    return signal.aborted && this.deps.stopping();
  }
}
