// Runs one queued submission wherever it is dispatched: records it running, executes it, records how it ended, then notifies.
import type { ExecutionResult } from '../domain/result.js';
import type { Engine, InteractiveStart } from '../engine/engine.js';
import type { Delivery, QueuedJob, QueueEntry } from '../queue/job-queue.js';
import type { FinishPatch, StartPatch, Store } from '../store/store.js';
import { describeFailure } from './describe-failure.js';
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
}

/**
 * The job handler. Every write is a guarded store transition, so whoever runs a job (this node or, later, another
 * worker) records it the same way, and a second delivery of the same job finds it no longer queued and runs nothing.
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
    const start: StartPatch = { status: 'running', startedAt, nodeId: this.deps.nodeId };
    if (!(await this.deps.store.transition(job.id, ['queued'], start)) && !(await this.#takeOverInterrupted(job, delivery, start))) {
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
      await this.#finish(job, entry, { status: 'failed', verdict: 'internal_error', result: null, error: message, finishedAt: new Date() });
      throw error;
    }
    if (this.#leftForRestart(signal)) return outcome.result;
    // A program its owner killed has no verdict to give.
    const patch: FinishPatch = outcome.stoppedByOwner
      ? { status: 'cancelled', verdict: null, result: null, error: 'stopped by its owner', finishedAt: new Date() }
      : { status: 'completed', verdict: outcome.result.verdict, result: outcome.result, error: null, finishedAt: new Date() };
    await this.#finish(job, entry, patch);
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

  /** Records the final state; the event follows only when this write is the one that finished the submission. */
  async #finish(job: QueuedJob, entry: QueueEntry, patch: FinishPatch): Promise<void> {
    if (!(await this.deps.store.transition(job.id, ['running'], patch))) return;
    const finishedAt = patch.finishedAt.getTime();
    switch (patch.status) {
      case 'completed':
        if (job.roomId) await this.deps.store.recordRoomExecution(job.roomId, patch.finishedAt);
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
  async #takeOverInterrupted(job: QueuedJob, delivery: Delivery, start: StartPatch): Promise<boolean> {
    const recovery = this.deps.leaseRecovery;
    if (recovery === null || delivery.attempt < 2) return false;
    if (delivery.attempt > recovery.maxAttempts) {
      const error = `interrupted ${delivery.attempt - 1} times: the workers running it stopped before it finished`;
      const failed = await this.deps.store.transition(job.id, ['running'], { status: 'failed', verdict: 'internal_error', result: null, error, finishedAt: new Date() });
      if (failed) this.deps.publish({ type: 'failed', entry: entryOf(job, null), error, finishedAt: Date.now() });
      throw new Error(`submission ${job.id} was ${error}`);
    }
    if (await this.deps.store.transition(job.id, ['running'], { status: 'queued' })) {
      return this.deps.store.transition(job.id, ['queued'], start);
    }
    return false;
  }

  #leftForRestart(signal: AbortSignal): boolean {
    return signal.aborted && this.deps.stopping();
  }
}
