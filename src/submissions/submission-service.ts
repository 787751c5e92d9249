// The submission service: admits, persists, schedules and reports executions for every transport.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.js';
import { canViewExecution } from '../domain/access.js';
import type { Identity } from '../domain/identity.js';
import { effectivePriority } from '../domain/priority.js';
import type { ExecutionResult } from '../domain/result.js';
import type { Submission } from '../domain/submission.js';
import { isTerminal } from '../domain/lifecycle.js';
import type { Engine, InteractiveStart } from '../engine/engine.js';
import { AppError, QUEUE_ERRORS } from '../errors/index.js';
import type { LanguageStatus } from '../languages/language.js';
import type { Logger } from '../logging/logger.js';
import type { JobQueue, QueueEvent, QueueSnapshot, QueuedJob } from '../queue/job-queue.js';
import type { SandboxCapabilities, SandboxHealth } from '../sandbox/sandbox.js';
import { DuplicateCorrelationIdError } from '../store/store-errors.js';
import type { RoomStats, Store } from '../store/store.js';
import { InteractiveRegistry, type InteractiveSession } from './interactive-registry.js';
import { normaliseRequest } from './normalise-request.js';
import { OrderedPublisher } from './ordered-publisher.js';
import { requestFingerprint } from './request-fingerprint.js';
import { RetentionSweeper } from './retention-sweeper.js';
import type { RunOutcome, SubmissionEvent, SubmitInput, SubmitOutcome } from './types.js';

export interface SubmissionServiceDeps {
  engine: Engine;
  queue: JobQueue;
  store: Store;
  config: Config;
  logger: Logger;
  /** Reported by health(); the sandbox itself is used only through the engine. */
  sandboxCapabilities: SandboxCapabilities;
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

export class SubmissionService {
  private readonly publisher: OrderedPublisher<SubmissionEvent>;
  /** Inserts still in flight, so the worker never runs (and events never report) a row that is not stored yet. */
  private readonly pendingInserts = new Map<string, Promise<boolean>>();
  /** Concurrent submits with the same (user, correlationId) share one admission. */
  private readonly inflightCorrelations = new Map<string, Promise<SubmitOutcome>>();
  private readonly interactive = new InteractiveRegistry();
  /** Interactive runs their owner stopped: they end as cancelled, since a killed program has no verdict to give. */
  private readonly stoppedInteractive = new Set<string>();
  private readonly sweeper: RetentionSweeper;
  private readonly startedAt = Date.now();
  private unsubscribeQueue: (() => void) | null = null;

  constructor(private readonly deps: SubmissionServiceDeps) {
    this.publisher = new OrderedPublisher((error, event) =>
      deps.logger.error({ err: error, event: event.type }, 'failed to persist or publish a queue event'),
    );
    this.sweeper = new RetentionSweeper(deps.store, deps.config.retention, deps.logger);
  }

  /** Recovers from an earlier crash, then starts dispatching and sweeping. */
  async start(): Promise<void> {
    const interrupted = await this.deps.store.failInterrupted('server restarted', new Date());
    if (interrupted > 0) this.deps.logger.warn({ interrupted }, 'marked executions left queued or running by a previous process as failed');
    this.unsubscribeQueue = this.deps.queue.subscribe((event) => this.onQueueEvent(event));
    this.deps.queue.process((job, signal) => this.runJob(job, signal));
    this.sweeper.start();
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
    if (!input.correlationId) return this.admit(input, randomUUID(), fingerprint);
    const key = `${input.user.userId}\u0000${input.correlationId}`;
    const inflight = this.inflightCorrelations.get(key);
    if (inflight) {
      const first = await inflight;
      assertSameRequest(first.submission, fingerprint);
      return { ...first, duplicate: true };
    }
    const admission = this.admitOnce(input, input.correlationId, fingerprint);
    this.inflightCorrelations.set(key, admission);
    try {
      return await admission;
    } finally {
      this.inflightCorrelations.delete(key);
    }
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
    const submission = await this.readSubmission(id);
    if (!submission) return null;
    const entry = isTerminal(submission.status) ? null : await this.deps.queue.get(id);
    return { submission, position: entry?.position ?? null, roomPosition: entry?.roomPosition ?? null };
  }

  /** Resolves when the submission reaches a terminal status, or at the timeout with its state then; null when unknown. */
  async waitFor(id: string, timeoutMs: number): Promise<Submission | null> {
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const unsubscribe = this.publisher.subscribe((event) => {
        if (isFinishEvent(event) && event.entry.id === id) done();
      });
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
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
    const submission = await this.readSubmission(id);
    if (!submission || !canViewExecution(user, submission)) throw new AppError(QUEUE_ERRORS.notFound, `no submission has id ${id}`);
    if (submission.user.userId !== user.userId) throw new AppError(QUEUE_ERRORS.cancelForbidden, 'only the user who submitted an execution may cancel it');
    if (submission.status !== 'queued') {
      throw new AppError(QUEUE_ERRORS.notCancellable, `the execution is ${submission.status} and can no longer be cancelled`);
    }
    await this.deps.queue.cancel(id, user.userId);
    await this.publisher.drain();
    return (await this.deps.store.getSubmission(id)) ?? submission;
  }

  /** Queues an interactive run; it takes a slot like any execution and streams once started. */
  async startInteractive(input: SubmitInput): Promise<InteractiveSession> {
    const options: AdmitOptions = { interactive: true, session: null };
    await this.admit(input, randomUUID(), requestFingerprint(input), options);
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

  /** Events after persistence, in queue order. */
  subscribe(listener: (event: SubmissionEvent) => void): () => void {
    return this.publisher.subscribe(listener);
  }

  /** Stops admitting, lets running jobs finish within the grace period, and marks whatever is left as failed. */
  async shutdown(graceMs: number): Promise<void> {
    this.sweeper.stop();
    const { unfinished } = await this.deps.queue.close(graceMs);
    await this.publisher.drain();
    const now = new Date();
    for (const job of unfinished) {
      const current = await this.readSubmission(job.id);
      if (current && !isTerminal(current.status)) {
        await this.deps.store.markFinished(job.id, { status: 'failed', verdict: 'internal_error', result: null, error: 'server shutting down', finishedAt: now });
      }
    }
    this.unsubscribeQueue?.();
  }

  /** Reads a submission, waiting for its row when the insert is still in flight. */
  private async readSubmission(id: string): Promise<Submission | null> {
    await this.pendingInserts.get(id);
    return this.deps.store.getSubmission(id);
  }

  private async admitOnce(input: SubmitInput, correlationId: string, fingerprint: string): Promise<SubmitOutcome> {
    const existing = await this.deps.store.findByCorrelationId(input.user.userId, correlationId);
    if (existing) return this.repeated(existing, fingerprint);
    try {
      return await this.admit(input, correlationId, fingerprint);
    } catch (error) {
      // Another node (or process on the same database) stored the same (user, correlationId) between the lookup and the insert.
      if (!(error instanceof DuplicateCorrelationIdError)) throw error;
      const winner = await this.deps.store.findByCorrelationId(input.user.userId, correlationId);
      if (!winner) throw error;
      this.deps.logger.info({ correlationId, executionId: winner.id, userId: input.user.userId }, 'a concurrent submit stored this correlationId first; answering with its submission');
      return this.repeated(winner, fingerprint);
    }
  }

  /** The answer to a retry: the stored submission where it stands now, or 409 when the retry asks for something else. */
  private async repeated(existing: Submission, fingerprint: string): Promise<SubmitOutcome> {
    assertSameRequest(existing, fingerprint);
    const entry = isTerminal(existing.status) ? null : await this.deps.queue.get(existing.id);
    return { submission: existing, position: entry?.position ?? null, roomPosition: entry?.roomPosition ?? null, duplicate: true };
  }

  private async admit(input: SubmitInput, correlationId: string, fingerprint: string, options: AdmitOptions = { interactive: false, session: null }): Promise<SubmitOutcome> {
    const request = normaliseRequest(input.request, { languages: this.deps.engine.languages(), limits: this.deps.config.limits });
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
    const job: QueuedJob = {
      id: submission.id,
      correlationId,
      roomId: submission.roomId,
      user: submission.user,
      priority: submission.priority,
      language: submission.request.language,
      request: submission.request,
      enqueuedAt: submission.createdAt.getTime(),
    };
    let admittedPosition: number | null = null;
    if (options.interactive) {
      options.session = this.interactive.prepare(submission.id, () => admittedPosition, () =>
        this.cancel(submission.id, submission.user).then(() => undefined),
      );
    }
    // Admission first, so a rejected request leaves no row behind. An idle queue dispatches (and reports) the job inside
    // enqueue(), so the wait for the row is registered before it: the worker and the event steps await it.
    let settleInsert!: (stored: boolean) => void;
    this.pendingInserts.set(submission.id, new Promise<boolean>((resolve) => (settleInsert = resolve)));
    let entry;
    try {
      ({ entry } = await this.deps.queue.enqueue(job));
    } catch (error) {
      this.pendingInserts.delete(submission.id);
      settleInsert(false);
      this.interactive.fail(submission.id, 'not admitted');
      throw error;
    }
    try {
      await this.deps.store.insertSubmission(submission);
      settleInsert(true);
    } catch (error) {
      settleInsert(false);
      await this.deps.queue.cancel(submission.id, submission.user.userId).catch(() => undefined);
      throw error;
    } finally {
      this.pendingInserts.delete(submission.id);
    }
    admittedPosition = entry.position;
    this.deps.logger.info({ executionId: submission.id, correlationId, roomId: submission.roomId, userId: submission.user.userId }, 'execution queued');
    return { submission, position: entry.position, roomPosition: entry.roomPosition, duplicate: false };
  }

  private async runJob(job: QueuedJob, signal: AbortSignal): Promise<ExecutionResult> {
    if ((await this.pendingInserts.get(job.id)) === false) throw new Error('the submission could not be stored, so it was not run');
    const log = { executionId: job.id, correlationId: job.correlationId };
    const session = this.interactive.get(job.id);
    if (session) return this.runInteractiveJob(job, signal, session.deliver);
    this.deps.logger.debug(log, 'execution started');
    return this.deps.engine.execute(job.request, { signal, executionId: job.id, correlationId: job.correlationId });
  }

  private async runInteractiveJob(job: QueuedJob, signal: AbortSignal, deliver: (start: InteractiveStart) => void): Promise<ExecutionResult> {
    const start = await this.deps.engine.startInteractive(job.request, { signal, executionId: job.id, correlationId: job.correlationId });
    const abort = (): void => start.process?.kill();
    signal.addEventListener('abort', abort, { once: true });
    deliver(start);
    try {
      const outcome = await start.outcome;
      if (this.interactive.wasStopped(job.id)) this.stoppedInteractive.add(job.id);
      return outcome;
    } finally {
      signal.removeEventListener('abort', abort);
      this.interactive.release(job.id);
    }
  }

  private onQueueEvent(event: QueueEvent): void {
    const store = this.deps.store;
    switch (event.type) {
      case 'queued':
      case 'positions':
        this.publisher.publish(event, async () => {
          if (event.type === 'queued') await this.pendingInserts.get(event.entry.id);
        });
        return;
      case 'started':
        this.publisher.publish(event, () => store.markRunning(event.entry.id, new Date(event.entry.startedAt ?? Date.now())));
        return;
      case 'completed':
        if (this.stoppedInteractive.delete(event.entry.id)) {
          this.publisher.publish({ type: 'cancelled', entry: event.entry, byUserId: event.entry.userId, finishedAt: event.finishedAt }, () =>
            store.markFinished(event.entry.id, { status: 'cancelled', verdict: null, result: null, error: 'stopped by its owner', finishedAt: new Date(event.finishedAt) }),
          );
          return;
        }
        this.publisher.publish(event, async () => {
          await store.markFinished(event.entry.id, {
            status: 'completed',
            verdict: event.result.verdict,
            result: event.result,
            error: null,
            finishedAt: new Date(event.finishedAt),
          });
          if (event.entry.roomId) await store.recordRoomExecution(event.entry.roomId, new Date(event.finishedAt));
        });
        return;
      case 'failed':
        this.deps.logger.error({ executionId: event.entry.id, correlationId: event.entry.correlationId, error: event.error }, 'execution failed');
        this.interactive.fail(event.entry.id, event.error);
        this.publisher.publish(event, () =>
          store.markFinished(event.entry.id, { status: 'failed', verdict: 'internal_error', result: null, error: event.error, finishedAt: new Date(event.finishedAt) }),
        );
        return;
      case 'cancelled':
        this.interactive.fail(event.entry.id, 'cancelled');
        this.publisher.publish(event, () =>
          store.markFinished(event.entry.id, { status: 'cancelled', verdict: null, result: null, error: `cancelled by ${event.byUserId}`, finishedAt: new Date(event.finishedAt) }),
        );
        return;
    }
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

function isFinishEvent(event: SubmissionEvent): event is Extract<SubmissionEvent, { type: 'completed' | 'failed' | 'cancelled' }> {
  return event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled';
}
