// The submission service: admits, persists, schedules and reports executions for every transport.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.js';
import { canViewExecution } from '../domain/access.js';
import type { Identity } from '../domain/identity.js';
import { effectivePriority } from '../domain/priority.js';
import type { Submission } from '../domain/submission.js';
import { isTerminal } from '../domain/lifecycle.js';
import type { Engine } from '../engine/engine.js';
import { AppError, isAppError, QUEUE_ERRORS, STORE_ERRORS } from '../errors/index.js';
import type { LanguageStatus } from '../languages/language.js';
import type { Logger } from '../logging/logger.js';
import type { JobQueue, QueueSnapshot } from '../queue/job-queue.js';
import type { SandboxCapabilities, SandboxHealth } from '../sandbox/sandbox.js';
import { DuplicateCorrelationIdError } from '../store/store-errors.js';
import type { DeadLetter, RoomStats, Store } from '../store/store.js';
import { InteractiveRegistry, type InteractiveSession } from './interactive-registry.js';
import { LostJobRequeuer } from './lost-job-requeuer.js';
import { normaliseRequest } from './normalise-request.js';
import { interactiveCaps, withInteractiveDefaults } from './interactive-limits.js';
import { OrderedPublisher } from './ordered-publisher.js';
import { entryOf, jobOf } from './queued-job.js';
import { requestFingerprint } from './request-fingerprint.js';
import { RetentionSweeper } from './retention-sweeper.js';
import { resolveNodeOptions, type NodeOptions } from './node-options.js';
import { recoverOrphans } from './recover-orphans.js';
import type { RecoveryRule } from './recovery-rule.js';
import { RemoteOutcomeRelay } from './remote-outcome-relay.js';
import { SubmissionRunner } from './submission-runner.js';
import type { StoreRetryOptions } from './store-retry.js';
import type { RunOutcome, SubmissionEvent, SubmitInput, SubmitOutcome } from './types.js';

export interface SubmissionServiceDeps {
  engine: Engine;
  queue: JobQueue;
  store: Store;
  config: Config;
  logger: Logger;
  /** Reported by health(); the sandbox itself is used only through the engine. */
  sandboxCapabilities: SandboxCapabilities;
  /** This node's identity and liveness in the store. @defaultValue a random id, 5 s heartbeats, dead after 30 s */
  node?: NodeOptions;
  /**
   * How interrupted work is recovered (see {@link RecoveryRule}): start-up takeover for the in-process queue, the
   * queue's leases for a shared one. The composition root picks it from the queue's `durable` flag.
   * @defaultValue `'orphans'`
   */
  recovery?: RecoveryRule;
  /**
   * Whether this node runs jobs itself. A node that does not (an API node over a shared queue) relays the runs other
   * nodes report through the queue to its own subscribers. @defaultValue true
   */
  runsJobs?: boolean;
  /** How the job handler retries its writes while the store is unreachable. @defaultValue see `StoreRetryOptions` */
  storeRetry?: StoreRetryOptions;
}

export interface ServiceStats {
  active: number;
  queued: number;
  totalInProgress: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Percentage of finished executions whose verdict is `accepted`, two decimals. */
  successRate: number;
}

export interface ServiceHealth {
  queueLength: number;
  processing: number;
  maxConcurrent: number;
  uptimeMs: number;
  sandbox: SandboxCapabilities;
  /** Slot figures; null when the engine reports none. */
  sandboxHealth: SandboxHealth | null;
}

/**
 * The one entry point every transport (REST, seed routes, rooms) uses to submit, read, wait for and cancel executions.
 * It owns no lifecycle state of its own: the store does. A submission is stored first (its unique (user, correlationId)
 * being the idempotency rule), then enqueued by id; the job handler (`SubmissionRunner`) records `running` and the final
 * state through guarded `Store.transition`s; events are published to subscribers only after the write they report.
 * `start()` takes over what stopped nodes left; `shutdown()` keeps everything accepted for the next start.
 */
export class SubmissionService {
  private readonly publisher: OrderedPublisher<SubmissionEvent>;
  private readonly interactive = new InteractiveRegistry();
  private readonly runner: SubmissionRunner;
  private readonly recovery: RecoveryRule;
  private readonly relay: RemoteOutcomeRelay | null;
  private readonly sweeper: RetentionSweeper;
  /** On a shared queue: puts back what the store holds as queued and the queue lost. */
  private readonly requeuer: LostJobRequeuer | null;
  private readonly startedAt = Date.now();
  private readonly node: Required<NodeOptions>;
  private stopping = false;
  /** `?wait=` callers to answer with 503 when the node stops before their execution finishes. */
  private readonly waiters = new Set<() => void>();
  private heartbeat: NodeJS.Timeout | null = null;
  private unsubscribeQueue: (() => void) | null = null;

  constructor(private readonly deps: SubmissionServiceDeps) {
    this.publisher = new OrderedPublisher((error, event) =>
      deps.logger.error({ err: error, event: event.type }, 'a subscriber failed on a submission event'),
    );
    this.sweeper = new RetentionSweeper(deps.store, deps.config.retention, deps.logger);
    this.node = resolveNodeOptions(deps.node ?? {}, randomUUID);
    this.recovery = deps.recovery ?? 'orphans';
    this.relay = (deps.runsJobs ?? true) ? null : new RemoteOutcomeRelay({ store: deps.store, logger: deps.logger, publish: (event) => this.publisher.publish(event) });
    this.runner = new SubmissionRunner({
      nodeId: this.node.id,
      engine: deps.engine,
      store: deps.store,
      interactive: this.interactive,
      publish: (event) => this.publisher.publish(event),
      stopping: () => this.stopping,
      leaseRecovery: this.recovery === 'leases' ? { maxAttempts: deps.config.scheduler.maxAttempts } : null,
      logger: deps.logger,
      ...(deps.storeRetry ? { storeRetry: deps.storeRetry } : {}),
    });
    this.requeuer =
      this.recovery === 'leases' ? new LostJobRequeuer({ store: deps.store, queue: deps.queue, logger: deps.logger, afterMs: deps.config.scheduler.requeueLostAfterMs }) : null;
  }

  /**
   * Registers this node, takes over what stopped nodes left (never a live node's work: see `Store.claimOrphans`) and
   * queues it again in its original order, then starts dispatching, heartbeating and sweeping. Under the `leases` rule
   * nothing is taken over at start-up: the shared queue brings a dead worker's job back when its lease expires.
   */
  async start(): Promise<void> {
    const { store, queue, logger } = this.deps;
    const now = Date.now();
    await store.registerNode(this.node.id, new Date(now));
    // Only the queue's own news is forwarded; lifecycle events come from the runner and the service, after their writes
    // (on a node that runs nothing, from the relay, which reads the row another node wrote).
    this.unsubscribeQueue = queue.subscribe((event) => {
      if (event.type === 'queued' || event.type === 'positions') this.publisher.publish(event);
      else this.relay?.relay(event);
    });
    if (this.recovery === 'orphans') {
      const orphans = await store.claimOrphans(this.node.id, new Date(now - this.node.staleAfterMs));
      await recoverOrphans(orphans, store, queue, logger);
    }
    queue.process(this.runner.run);
    this.heartbeat = setInterval(() => {
      store.heartbeat(this.node.id, new Date()).catch((error: unknown) => logger.warn({ err: error }, 'node heartbeat could not be stored'));
    }, this.node.heartbeatIntervalMs);
    this.heartbeat.unref();
    this.sweeper.start();
    this.requeuer?.start();
  }

  languages(): LanguageStatus[] {
    return this.deps.engine.languages();
  }

  /**
   * Validates and admits one submission. A repeated correlationId from the same user is an idempotent retry, as with
   * Stripe's idempotency keys: the same request returns the earlier submission, a different one is refused with 409.
   */
  async submit(input: SubmitInput): Promise<SubmitOutcome> {
    const fingerprint = requestFingerprint(input);
    return this.admit(input, input.correlationId || randomUUID(), fingerprint);
  }

  /** Admits each input independently; one rejected item does not affect the others. */
  async submitBatch(inputs: SubmitInput[]): Promise<Array<SubmitOutcome | { error: AppError }>> {
    const outcomes: Array<SubmitOutcome | { error: AppError }> = [];
    for (const input of inputs) {
      try {
        outcomes.push(await this.submit(input));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        outcomes.push({ error });
      }
    }
    return outcomes;
  }

  async get(id: string): Promise<{ submission: Submission; position: number | null; roomPosition: number | null } | null> {
    const submission = await this.deps.store.getSubmission(id);
    if (!submission) return null;
    // A read needs only the store: while the queue is unreachable a waiting submission is shown without its place.
    const entry = isTerminal(submission.status) ? null : await this.deps.queue.get(id).catch(unlessQueueUnavailable);
    return { submission, position: entry?.position ?? null, roomPosition: entry?.roomPosition ?? null };
  }

  /**
   * Resolves when the submission reaches a terminal status, or at the timeout with its state then; null when unknown.
   * Rejects with 503 `RUNLANE_ERR_QUEUE_SHUTTING_DOWN` when the node stops first: the submission is kept and runs after the restart.
   */
  async waitFor(id: string, timeoutMs: number): Promise<Submission | null> {
    if (this.stopping) throw shuttingDownWhileWaiting(id);
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, timeoutMs);
      const unsubscribe = this.publisher.subscribe((event) => {
        if (isFinishEvent(event) && event.entry.id === id) done();
      });
      // On a shared queue the run may end on another node: its queue event says so, after that node wrote the row.
      const unsubscribeQueue = this.deps.queue.subscribe((event) => {
        if (isFinishEvent(event) && event.entry.id === id) done();
      });
      const stop = (): void => {
        reject(shuttingDownWhileWaiting(id));
        done();
      };
      this.waiters.add(stop);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
        unsubscribeQueue();
        waiters.delete(stop);
        resolve();
      }
      // Checked after subscribing so a finish between the read and the subscription is not missed.
      void this.get(id).then((current) => {
        if (!current || isTerminal(current.submission.status)) done();
      });
    });
    await finished;
    return (await this.get(id))?.submission ?? null;
  }

  /**
   * Submits and waits for the result: the synchronous routes (`/compile`, `/run`) use it. `duplicate` says the
   * correlationId named an earlier submission, whose own attribution the answer must then carry.
   */
  async run(input: SubmitInput): Promise<RunOutcome> {
    const { submission, duplicate } = await this.submit(input);
    const limits = submission.request.limits;
    const budget = (limits.wallTimeMs ?? this.deps.config.limits.run.wallTimeMs) * Math.max(1, submission.request.testCases.length);
    // The wait covers the queue as well as the run, so it is generous; the result is returned as soon as it exists.
    const finished = await this.waitFor(submission.id, budget + this.deps.config.limits.compile.wallTimeMs + this.deps.config.scheduler.maxWaitMs);
    return { submission: finished ?? submission, duplicate };
  }

  /**
   * The owner cancels a queued execution; running or finished ones answer 409. Someone else's room execution (or any, for
   * staff) answers 403; someone else's private one answers 404 exactly like an unknown id, so ids cannot be probed.
   */
  async cancel(id: string, user: Identity): Promise<Submission> {
    const submission = await this.deps.store.getSubmission(id);
    if (!submission || !canViewExecution(user, submission)) throw new AppError(QUEUE_ERRORS.notFound, `no submission has id ${id}`);
    if (submission.user.userId !== user.userId) throw new AppError(QUEUE_ERRORS.cancelForbidden, 'only the user who submitted an execution may cancel it');
    const finishedAt = new Date();
    const cancelled = await this.deps.store.transition(id, ['queued'], { status: 'cancelled', verdict: null, result: null, error: `cancelled by ${user.userId}`, finishedAt });
    if (!cancelled) {
      const current = (await this.deps.store.getSubmission(id)) ?? submission;
      throw new AppError(QUEUE_ERRORS.notCancellable, `the execution is ${current.status} and can no longer be cancelled`);
    }
    // The row decides; the queue only forgets the job. A job dispatched meanwhile finds its row cancelled and does not run.
    await this.deps.queue.cancel(id, submission.user.userId).catch(() => undefined);
    this.interactive.fail(id, 'cancelled');
    this.publisher.publish({ type: 'cancelled', entry: entryOf(jobOf(submission), null), byUserId: user.userId, finishedAt: finishedAt.getTime() });
    return (await this.deps.store.getSubmission(id)) ?? submission;
  }

  /** Queues an interactive run; it takes a slot like any execution and streams once started. */
  async startInteractive(input: SubmitInput): Promise<InteractiveSession> {
    const options: AdmitOptions = { interactive: true, session: null };
    const limits = withInteractiveDefaults(input.request.limits, this.deps.config.limits.interactive);
    const interactive = { ...input, request: { ...input.request, limits } };
    await this.admit(interactive, randomUUID(), requestFingerprint(interactive), options);
    return options.session!;
  }

  snapshot(roomId?: string | null): Promise<QueueSnapshot> {
    return this.deps.queue.snapshot(roomId);
  }

  async stats(): Promise<ServiceStats> {
    const [snapshot, totals] = await Promise.all([this.deps.queue.snapshot(), this.deps.store.globalStats()]);
    const finished = totals.completed + totals.failed;
    return {
      active: snapshot.activeCount,
      queued: snapshot.queueLength,
      totalInProgress: snapshot.activeCount + snapshot.queueLength,
      completed: totals.completed,
      failed: totals.failed,
      cancelled: totals.cancelled,
      successRate: finished === 0 ? 0 : Math.round((totals.accepted / finished) * 10_000) / 100,
    };
  }

  async health(): Promise<ServiceHealth> {
    const snapshot = await this.deps.queue.snapshot();
    return {
      queueLength: snapshot.queueLength,
      processing: snapshot.activeCount,
      maxConcurrent: snapshot.maxConcurrent,
      uptimeMs: Date.now() - this.startedAt,
      sandbox: this.deps.sandboxCapabilities,
      sandboxHealth: this.deps.engine.sandboxHealth?.() ?? null,
    };
  }

  /** A room's executions, newest first, each with its result as a preview (outputs cut to a few KiB, marked truncated). */
  roomHistory(roomId: string, limit: number): Promise<Submission[]> {
    return this.deps.store.roomHistory(roomId, { limit, outputPreview: true });
  }

  /** A user's executions, newest first, with previews as `roomHistory`. */
  userHistory(userId: string, limit: number): Promise<Submission[]> {
    return this.deps.store.userHistory(userId, { limit, outputPreview: true });
  }

  roomStats(roomId: string, sinceMs: number): Promise<RoomStats> {
    return this.deps.store.roomStats(roomId, new Date(Date.now() - sinceMs));
  }

  /** Submissions the service failed for good (their runs kept being interrupted, or the service faulted), newest first. */
  deadLetters(limit: number, before?: Date): Promise<DeadLetter[]> {
    return this.deps.store.listDeadLetters({ limit, ...(before ? { before } : {}) });
  }

  /**
   * Queues a dead letter again under its id, as a new attempt cycle: the row goes back to `queued` first (so a worker
   * that claims the job finds it waiting), then the job is enqueued; if the queue refuses it, the row is failed again
   * as the same dead letter and the refusal is thrown. 404 when `id` is no dead letter.
   */
  async retryDeadLetter(id: string): Promise<Submission> {
    const { store, queue } = this.deps;
    const submission = await store.requeueDeadLetter(id);
    if (!submission) throw new AppError(QUEUE_ERRORS.notFound, `no dead letter has id ${id}: it is unknown, did not fail in the service, or was retried already`);
    try {
      await queue.enqueue(jobOf(submission));
    } catch (error) {
      // Put back by the lost-job check meanwhile: queued either way.
      if (!(isAppError(error) && error.code === QUEUE_ERRORS.duplicateId.code)) {
        const message = 'queued again by an admin, but the queue refused it; it is still a dead letter';
        await store.transition(id, ['queued'], { status: 'failed', verdict: 'internal_error', result: null, error: message, finishedAt: new Date(), deadLetter: true });
        throw withRetryAfter(error);
      }
    }
    // The queue's own `queued` event tells subscribers, as for any admission.
    this.deps.logger.info({ executionId: id, correlationId: submission.correlationId }, 'dead letter queued again');
    return submission;
  }

  /** Events after persistence, in queue order. */
  subscribe(listener: (event: SubmissionEvent) => void): () => void {
    return this.publisher.subscribe(listener);
  }

  /**
   * Stops admitting and answers `?wait=` callers with 503; running jobs may finish within the grace period. Nothing
   * accepted is lost: queued submissions stay queued in the store, and runs aborted at the end of the grace period stay
   * running there, to be queued again (and retried once) by the next start. The node then leaves the store's node list,
   * so whichever node starts next takes its work over at once.
   */
  async shutdown(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const stop of [...this.waiters]) stop();
    this.sweeper.stop();
    await this.requeuer?.stop();
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.deps.queue.close(graceMs);
    // Aborted runs leave their rows alone once stopping; wait (briefly) for the last writes of those that ended.
    await this.runner.settled(Math.min(1_000, graceMs + 100));
    await this.relay?.drain();
    await this.publisher.drain();
    await this.deps.store.releaseNode(this.node.id).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not remove this node from the store'));
    this.unsubscribeQueue?.();
  }

  /**
   * The answer to a retry: the stored submission where it stands now, or 409 when the retry asks for something else.
   * Called when the store refused a second row for the same (user, correlationId).
   */
  private async repeated(input: SubmitInput, correlationId: string, fingerprint: string): Promise<SubmitOutcome> {
    const existing = await this.deps.store.findByCorrelationId(input.user.userId, correlationId);
    if (!existing) throw new AppError(QUEUE_ERRORS.notFound, `the submission with correlationId "${correlationId}" no longer exists; submit again`);
    assertSameRequest(existing, fingerprint);
    const entry = isTerminal(existing.status) ? null : await this.deps.queue.get(existing.id);
    return { submission: existing, position: entry?.position ?? null, roomPosition: entry?.roomPosition ?? null, duplicate: true };
  }

  private async admit(input: SubmitInput, correlationId: string, fingerprint: string, options: AdmitOptions = { interactive: false, session: null }): Promise<SubmitOutcome> {
    const caps = options.interactive ? interactiveCaps(this.deps.config.limits) : this.deps.config.limits;
    const request = normaliseRequest(input.request, { languages: this.deps.engine.languages(), limits: caps });
    const priorityKind = input.priorityKind ?? 'run';
    const submission: Submission = {
      id: randomUUID(),
      correlationId,
      roomId: input.roomId ?? null,
      user: input.user,
      title: input.title ?? null,
      priorityKind,
      priority: effectivePriority(priorityKind, input.user.role),
      request,
      status: 'queued',
      verdict: null,
      result: null,
      error: null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
      fingerprint,
    };
    try {
      await this.deps.store.createSubmission(submission, { nodeId: this.node.id, interactive: options.interactive });
    } catch (error) {
      // The unique (user, correlationId) pair is the idempotency rule, whichever node or request stored it first.
      if (error instanceof DuplicateCorrelationIdError) return this.repeated(input, correlationId, fingerprint);
      throw withRetryAfter(error);
    }
    let admittedPosition: number | null = null;
    if (options.interactive) {
      options.session = this.interactive.prepare(submission.id, () => admittedPosition, () =>
        this.cancel(submission.id, submission.user).then(() => undefined),
      );
    }
    let entry;
    try {
      ({ entry } = await this.deps.queue.enqueue(jobOf(submission)));
    } catch (error) {
      // A refused request leaves nothing behind. Should the delete fail too, the row stays queued and the lost-job
      // check enqueues it later: it runs once, and a retry with its correlationId finds it.
      await this.deps.store.deleteUnstarted(submission.id).catch((deleteError: unknown) =>
        this.deps.logger.warn({ err: deleteError, executionId: submission.id }, 'could not remove a submission the queue refused'),
      );
      this.interactive.fail(submission.id, 'not admitted');
      throw withRetryAfter(error);
    }
    admittedPosition = entry.position;
    this.deps.logger.info({ executionId: submission.id, correlationId, roomId: submission.roomId, userId: submission.user.userId }, 'execution queued');
    return { submission, position: entry.position, roomPosition: entry.roomPosition, duplicate: false };
  }
}

/** How `admit` treats an interactive run: its session is created before the job can be dispatched. */
interface AdmitOptions {
  interactive: boolean;
  session: InteractiveSession | null;
}

/**
 * A retry must ask for what the first request asked for. Submissions stored before fingerprints were recorded have
 * none and are taken as matching: what they asked for is unknown, and refusing every such retry would break clients.
 */
function assertSameRequest(existing: Submission, fingerprint: string): void {
  if (existing.fingerprint === undefined || existing.fingerprint === fingerprint) return;
  throw new AppError(
    QUEUE_ERRORS.idempotencyMismatch,
    `correlationId "${existing.correlationId}" was already used for a different request (submission ${existing.id}); repeat that request unchanged, or use a new correlationId for a new one`,
    { details: { correlationId: existing.correlationId, submissionId: existing.id } },
  );
}

/** Swallows an unreachable queue (answering null: no place known); rethrows anything else. */
function unlessQueueUnavailable(error: unknown): null {
  if (isAppError(error) && error.code === QUEUE_ERRORS.unavailable.code) return null;
  throw error;
}

/** Seconds a client should wait before submitting again when the queue (Redis) or the store (PostgreSQL) is unreachable. */
const BACKEND_RETRY_AFTER_SECONDS = 5;

/**
 * An unreachable queue or store is a 503 the client can retry: nothing was accepted (the row was not stored, or was
 * removed again), so it says so and when to come back.
 */
function withRetryAfter(error: unknown): unknown {
  if (!isAppError(error) || error.retryAfterSeconds !== undefined) return error;
  if (error.code === QUEUE_ERRORS.unavailable.code) {
    return new AppError(QUEUE_ERRORS.unavailable, 'The shared queue (Redis) cannot be reached, so the execution was not accepted; submit it again later (the same correlationId is safe to reuse).', {
      cause: error,
      retryAfterSeconds: BACKEND_RETRY_AFTER_SECONDS,
    });
  }
  if (error.code === STORE_ERRORS.unavailable.code) {
    return new AppError(STORE_ERRORS.unavailable, 'The database cannot be reached, so the execution was not accepted; submit it again later (the same correlationId is safe to reuse).', {
      cause: error,
      retryAfterSeconds: BACKEND_RETRY_AFTER_SECONDS,
    });
  }
  return error;
}

/** The 503 a waiting caller gets when the node stops first; retryable, as the submission is kept. */
function shuttingDownWhileWaiting(id: string): AppError {
  return new AppError(
    QUEUE_ERRORS.shuttingDown,
    `the server is shutting down before execution ${id} finished; it is kept and runs after the restart: read GET /api/v1/submissions/${id} later`,
    { details: { id }, retryAfterSeconds: 5 },
  );
}

function isFinishEvent(event: SubmissionEvent): event is Extract<SubmissionEvent, { type: 'completed' | 'failed' | 'cancelled' }> {
  return event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled';
}
