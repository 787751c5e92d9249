// SubmissionService against the real memory queue and an in-memory SQLite store, with a scripted engine.
import { describe, expect, it, afterEach } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { Identity } from '../domain/identity.js';
import type { ExecutionResult } from '../domain/result.js';
import { executionRequest, type ExecutionRequest, type Submission } from '../domain/submission.js';
import type { Engine, InteractiveStart } from '../engine/engine.js';
import { isAppError } from '../errors/index.js';
import { CATALOGUE } from '../languages/catalogue.js';
import type { LanguageStatus } from '../languages/language.js';
import { silentLogger } from '../logging/logger.js';
import { MemoryJobQueue } from '../queue/memory/memory-job-queue.js';
import { queueLimitsFromConfig } from '../queue/queue-limits.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { SubmissionService } from './submission-service.js';
import type { SubmissionEvent } from './types.js';

const alice: Identity = { userId: 'alice', displayName: 'Alice', avatar: null, role: 'user' };
const bob: Identity = { userId: 'bob', displayName: 'Bob', avatar: null, role: 'user' };

function request(code = 'print(1)'): ExecutionRequest {
  return executionRequest('python', [{ name: 'main.py', content: code }]);
}

function resultFor(stdout: string): ExecutionResult {
  return {
    verdict: 'accepted', compile: null, compileCached: false, testCases: [], stdout, stderr: '', exitCode: 0, signal: null,
    cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3, message: null,
  };
}

/** An engine whose runs finish only when the test says so. */
class ScriptedEngine implements Engine {
  readonly pending = new Map<string, (result: ExecutionResult) => void>();
  /** When set, startInteractive waits for it: the window between dispatch and hand-over. */
  interactiveGate: Promise<void> | null = null;
  readonly killed: string[] = [];
  /** Python as if installed: the service normalises every request against the engine's languages. */
  languages(): LanguageStatus[] {
    return CATALOGUE.filter((language) => language.id === 'python').map((language) => ({ ...language, installed: true, version: '3.11.2', unavailableReason: null }));
  }
  execute(executionRequest: ExecutionRequest): Promise<ExecutionResult> {
    return new Promise((resolve) => this.pending.set(executionRequest.files[0]!.content, resolve));
  }
  async startInteractive(executionRequest: ExecutionRequest): Promise<InteractiveStart> {
    if (this.interactiveGate) await this.interactiveGate;
    const code = executionRequest.files[0]!.content;
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const process = { kill: () => {
      this.killed.push(code);
      end();
    } } as unknown as InteractiveStart['process'];
    // A program that runs until it is killed, unless the test script ends it sooner.
    this.pending.set(code, () => end());
    return { compileError: null, process, limits: loadConfig({ env: {} }).limits.run, outcome: ended.then(() => resultFor('interactive')) };
  }
  finish(code: string, stdout = code): void {
    this.pending.get(code)!(resultFor(stdout));
    this.pending.delete(code);
  }
}

interface Harness {
  service: SubmissionService;
  engine: ScriptedEngine;
  store: Store;
  events: SubmissionEvent[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function harness(env: Record<string, string> = {}, store?: Store): Promise<Harness> {
  const config = loadConfig({ env: { MAX_CONCURRENT_EXECUTIONS: '1', ...env } });
  const engine = new ScriptedEngine();
  const usedStore = store ?? (await createSqliteStore(':memory:'));
  const queue = new MemoryJobQueue({ limits: queueLimitsFromConfig(config.scheduler) });
  const service = new SubmissionService({ engine, queue, store: usedStore, config, logger: silentLogger(), sandboxCapabilities: { implementation: 'test', version: 'test', enforces: { memory: true, cpuTotal: true, pids: true, network: true, filesystem: true, seccomp: true, memoryPeak: true }, cgroups: 'v1', warnings: [] } });
  const events: SubmissionEvent[] = [];
  service.subscribe((event) => events.push(event));
  await service.start();
  cleanups.push(async () => {
    await service.shutdown(0);
    if (!store) await usedStore.close();
  });
  return { service, engine, store: usedStore, events };
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not reached');
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(isAppError(error) ? error.code : error).toBe(code);
}

describe('SubmissionService', () => {
  describe('when a submission runs to completion', () => {
    it('should store it, report queued → started → completed in order, and return the result', async () => {
      const { service, engine, events } = await harness();
      const outcome = await service.submit({ request: request('a'), user: alice, roomId: 'r1' });
      expect(outcome.submission.status).toBe('queued');
      await until(() => engine.pending.has('a'));
      engine.finish('a', 'out-a');
      const finished = await service.waitFor(outcome.submission.id, 2000);
      expect(finished?.status).toBe('completed');
      expect(finished?.result?.stdout).toBe('out-a');
      expect(finished?.user.userId).toBe('alice');
      expect(events.map((event) => event.type).filter((type) => type !== 'positions')).toEqual(['queued', 'started', 'completed']);
    });
  });

  describe('when the queue is idle and the store is slow to insert', () => {
    it('should store the row before enqueueing, and record running before the engine starts', async () => {
      const real = await createSqliteStore(':memory:');
      cleanups.push(() => real.close());
      const order: string[] = [];
      const slow = Object.create(real) as Store;
      slow.createSubmission = async (submission) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        await real.createSubmission(submission);
        order.push('inserted');
      };
      slow.transition = async (id, from, patch) => {
        order.push(patch.status);
        return real.transition(id, from, patch);
      };
      const { service, engine } = await harness({}, slow);
      const originalExecute = engine.execute.bind(engine);
      engine.execute = (executionRequest) => (order.push('execute'), originalExecute(executionRequest));
      const { submission } = await service.submit({ request: request('a'), user: alice });
      await until(() => engine.pending.has('a'));
      engine.finish('a');
      expect((await service.waitFor(submission.id, 2000))?.status).toBe('completed');
      expect(order).toEqual(['inserted', 'running', 'execute', 'completed']);
    });
  });

  describe('when admission is refused', () => {
    it('should leave no row behind and keep serving', async () => {
      const { service, store } = await harness({ RUNLANE_SCHEDULER__ROOM_MAX_QUEUED: '1', RUNLANE_SCHEDULER__ROOM_MAX_RUNNING: '1' });
      await service.submit({ request: request('a'), user: alice, roomId: 'r1' });
      await service.submit({ request: request('b'), user: bob, roomId: 'r1' });
      await expectCode(service.submit({ request: request('c'), user: { ...bob, userId: 'carol' }, roomId: 'r1' }), 'RUNLANE_ERR_QUEUE_ROOM_FULL');
      expect((await store.roomHistory('r1', { limit: 10 })).length).toBe(2);
    });

    it('should reject a second active execution of the same user in the same room', async () => {
      const { service } = await harness();
      await service.submit({ request: request('a'), user: alice, roomId: 'r1' });
      await expectCode(service.submit({ request: request('b'), user: alice, roomId: 'r1' }), 'RUNLANE_ERR_QUEUE_USER_BUSY');
    });

    it('should reject oversized code and limits above the maxima before queueing', async () => {
      const { service } = await harness();
      await expectCode(service.submit({ request: request('x'.repeat(70_000)), user: alice }), 'RUNLANE_ERR_HTTP_CODE_TOO_LARGE');
      await expectCode(service.submit({ request: { ...request(), limits: { memoryMb: 1_000_000 } }, user: alice }), 'RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH');
    });
  });

  describe('when the same correlationId is sent twice', () => {
    it('should return the existing submission for concurrent and later duplicates', async () => {
      const { service, store } = await harness();
      const [first, second] = await Promise.all([
        service.submit({ request: request('a'), user: alice, correlationId: 'c-1' }),
        service.submit({ request: request('a'), user: alice, correlationId: 'c-1' }),
      ]);
      const third = await service.submit({ request: request('a'), user: alice, correlationId: 'c-1' });
      expect(second.submission.id).toBe(first.submission.id);
      expect(third.submission.id).toBe(first.submission.id);
      expect([first.duplicate, second.duplicate, third.duplicate]).toEqual([false, true, true]);
      expect((await store.userHistory('alice', { limit: 10 })).length).toBe(1);
    });

    it('should treat the same correlationId from another user as a new submission', async () => {
      const { service } = await harness();
      const first = await service.submit({ request: request('a'), user: alice, correlationId: 'c-1' });
      const other = await service.submit({ request: request('b'), user: bob, correlationId: 'c-1' });
      expect(other.submission.id).not.toBe(first.submission.id);
    });
 
    it.each([
      ['other source', { request: request('b') }],
      ['other stdin', { request: { ...request('a'), stdin: 'x' } }],
      ['other test cases', { request: { ...request('a'), testCases: [{ stdin: '1', expectedOutput: '2' }] } }],
      ['other limits', { request: { ...request('a'), limits: { wallTimeMs: 1000 } } }],
      ['another room', { request: request('a'), roomId: 'r9' }],
      ['another priority kind', { request: request('a'), priorityKind: 'submit' as const }],
      ['another title', { request: request('a'), title: 'Attempt 2' }],
    ])('should refuse a later request with %s with 409 RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH', async (_name, changed) => {
      const { service, store } = await harness();
      const first = await service.submit({ request: request('a'), user: alice, correlationId: 'c-1' });
      await expectCode(service.submit({ user: alice, correlationId: 'c-1', ...changed }), 'RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH');
      const error = await service.submit({ user: alice, correlationId: 'c-1', ...changed }).catch((caught: unknown) => caught);
      expect((error as Error).message).toContain('was already used for a different request');
      expect((await store.userHistory('alice', { limit: 10 })).map((submission) => submission.id)).toEqual([first.submission.id]);
    });

    it('should refuse a concurrent request with a different body while the first is being admitted', async () => {
      const { service, store } = await harness();
      const [first, second] = await Promise.allSettled([
        service.submit({ request: request('a'), user: alice, correlationId: 'c-1' }),
        service.submit({ request: request('b'), user: alice, correlationId: 'c-1' }),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(second.status === 'rejected' && isAppError(second.reason) ? second.reason.code : second.status).toBe('RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH');
      expect((await store.userHistory('alice', { limit: 10 })).length).toBe(1);
    });

    it('should take a submission stored before fingerprints were recorded as matching any retry', async () => {
      const store = await createSqliteStore(':memory:');
      cleanups.push(() => store.close());
      const legacy: Submission = {
        id: 'legacy', correlationId: 'c-old', roomId: null, user: alice, title: null, priorityKind: 'run', priority: 1, request: request('old'),
        status: 'completed', verdict: 'accepted', result: null, error: null, createdAt: new Date(), startedAt: null, finishedAt: new Date(),
      };
      await store.createSubmission(legacy);
      const { service } = await harness({}, store);
      const retry = await service.submit({ request: request('changed since'), user: alice, correlationId: 'c-old' });
      expect(retry).toMatchObject({ duplicate: true, submission: { id: 'legacy' } });
    });
  });

  describe('when two nodes on one database store the same correlationId at once', () => {
    async function twoNodes() {
      const shared = await createSqliteStore(':memory:');
      cleanups.push(() => shared.close());
      return { first: await harness({}, shared), second: await harness({}, shared), shared };
    }

    it('should keep one row and answer the other request with it, never with an error', async () => {
      const { first, second, shared } = await twoNodes();
      const [a, b] = await Promise.all([
        first.service.submit({ request: request('same'), user: alice, correlationId: 'c-race' }),
        second.service.submit({ request: request('same'), user: alice, correlationId: 'c-race' }),
      ]);
      expect(b.submission.id).toBe(a.submission.id);
      expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
      expect((await shared.userHistory('alice', { limit: 10 })).length).toBe(1);
    });

    it('should answer 409 RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH when the request differs', async () => {
      const { first, second } = await twoNodes();
      const outcomes = await Promise.allSettled([
        first.service.submit({ request: request('one'), user: alice, correlationId: 'c-race' }),
        second.service.submit({ request: request('two'), user: alice, correlationId: 'c-race' }),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((outcome) => outcome.status === 'rejected');
      expect(refused && isAppError(refused.reason) ? refused.reason.code : null).toBe('RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH');
    });
  });

  describe('when cancelling', () => {
    it('should let the owner cancel a queued execution, refuse others (403 in a room, 404 for private work) and running ones (409)', async () => {
      const { service, engine } = await harness();
      const running = await service.submit({ request: request('a'), user: alice });
      const queued = await service.submit({ request: request('b'), user: alice });
      const inRoom = await service.submit({ request: request('c'), user: alice, roomId: 'r1' });
      await until(() => engine.pending.has('a'));
      await expectCode(service.cancel(queued.submission.id, bob), 'RUNLANE_ERR_QUEUE_NOT_FOUND');
      await expectCode(service.cancel(inRoom.submission.id, bob), 'RUNLANE_ERR_QUEUE_CANCEL_FORBIDDEN');
      await expectCode(service.cancel(running.submission.id, alice), 'RUNLANE_ERR_QUEUE_NOT_CANCELLABLE');
      await expectCode(service.cancel('no-such-id', alice), 'RUNLANE_ERR_QUEUE_NOT_FOUND');
      const cancelled = await service.cancel(queued.submission.id, alice);
      expect(cancelled.status).toBe('cancelled');
    });
  });

  describe('when waiting', () => {
    it('should return the current state at the timeout', async () => {
      const { service } = await harness();
      const { submission } = await service.submit({ request: request('slow'), user: alice });
      const waited = await service.waitFor(submission.id, 30);
      expect(waited?.status).toMatch(/queued|running/);
    });
  });

  describe('when the process restarts', () => {
    function stranded(id: string, createdAt: number): Submission {
      return {
        id, correlationId: id, roomId: null, user: alice, title: null, priorityKind: 'run', priority: 1, request: request(id),
        status: 'queued', verdict: null, result: null, error: null, createdAt: new Date(createdAt), startedAt: null, finishedAt: null,
      };
    }

    it('should queue again, oldest first, what a stopped node left, retry an interrupted run once and fail one interrupted twice', async () => {
      const store = await createSqliteStore(':memory:');
      cleanups.push(() => store.close());
      const base = Date.now() - 10_000;
      for (const [index, id] of ['first', 'second', 'third'].entries()) await store.createSubmission(stranded(id, base + index), { nodeId: 'gone' });
      await store.createSubmission(stranded('twice', base + 3), { nodeId: 'gone' });
      await store.transition('first', ['queued'], { status: 'running', startedAt: new Date(base + 5), nodeId: 'gone' });
      for (const attempt of [1, 2]) {
        if (attempt > 1) await store.transition('twice', ['running'], { status: 'queued' });
        await store.transition('twice', ['queued'], { status: 'running', startedAt: new Date(base + 5), nodeId: 'gone' });
      }
      const { service, engine } = await harness({}, store);
      expect((await service.get('twice'))?.submission).toMatchObject({ status: 'failed', verdict: 'internal_error', error: 'interrupted twice' });
      for (const id of ['first', 'second', 'third']) {
        await until(() => engine.pending.has(id));
        engine.finish(id);
        expect((await service.waitFor(id, 2000))?.status).toBe('completed');
      }
    });

    it('should fail an interactive run, whose client is gone, instead of running it', async () => {
      const store = await createSqliteStore(':memory:');
      cleanups.push(() => store.close());
      await store.createSubmission(stranded('typed-into', Date.now()), { nodeId: 'gone', interactive: true });
      const { service } = await harness({}, store);
      expect((await service.get('typed-into'))?.submission).toMatchObject({ status: 'failed', verdict: 'internal_error', error: 'interactive run interrupted by a restart' });
    });

    it('should leave alone what a live node holds', async () => {
      const store = await createSqliteStore(':memory:');
      cleanups.push(() => store.close());
      await store.registerNode('alive', new Date());
      await store.createSubmission(stranded('held', Date.now()), { nodeId: 'alive' });
      const { service } = await harness({}, store);
      expect((await service.snapshot()).queueLength).toBe(0);
      expect((await service.get('held'))?.submission.status).toBe('queued');
    });
  });

  describe('when shutting down', () => {
    it('should keep queued work queued and an aborted run running, for the next start to take over', async () => {
      const { service, store } = await harness();
      const { submission } = await service.submit({ request: request('never'), user: alice });
      const queued = await service.submit({ request: request('behind'), user: alice });
      await until(async () => (await store.getSubmission(submission.id))?.status === 'running');
      await service.shutdown(10);
      expect((await store.getSubmission(submission.id))?.status).toBe('running');
      expect((await store.getSubmission(queued.submission.id))?.status).toBe('queued');
      expect((await store.claimOrphans('next', new Date(0))).map((orphan) => orphan.submission.id)).toEqual([submission.id, queued.submission.id]);
    });

    it('should answer a caller waiting for the result with 503 RUNLANE_ERR_QUEUE_SHUTTING_DOWN', async () => {
      const { service } = await harness();
      const { submission } = await service.submit({ request: request('never'), user: alice });
      // The expectation is attached before the shutdown rejects the wait, so the rejection is never unhandled.
      const refused = expectCode(service.waitFor(submission.id, 10_000), 'RUNLANE_ERR_QUEUE_SHUTTING_DOWN');
      await service.shutdown(10);
      await refused;
    });
  });

  describe('when an interactive run is started', () => {
    it('should hand the started program to the caller once it gets a slot', async () => {
      const { service, engine } = await harness();
      const session = await service.startInteractive({ request: request('i'), user: alice });
      const start = await session.started;
      expect(start.compileError).toBeNull();
      engine.finish('i');
      await until(async () => (await service.get(session.id))?.submission.status === 'completed');
    });

    it('should end as cancelled, not with a verdict, when its owner stops it while running', async () => {
      const { service, engine } = await harness();
      const session = await service.startInteractive({ request: request('i'), user: alice });
      await session.started;
      await session.stop();
      expect(engine.killed).toEqual(['i']);
      await until(async () => (await service.get(session.id))?.submission.status === 'cancelled');
      expect((await service.get(session.id))?.submission).toMatchObject({ verdict: null, error: 'stopped by its owner' });
    });

    it('should kill the program on hand-over when the stop came after dispatch', async () => {
      const { service, engine } = await harness();
      let openGate!: () => void;
      engine.interactiveGate = new Promise((resolve) => (openGate = resolve));
      const session = await service.startInteractive({ request: request('i'), user: alice });
      await until(async () => (await service.get(session.id))?.submission.status === 'running');
      await session.stop();
      openGate();
      await session.started;
      expect(engine.killed).toEqual(['i']);
      await until(async () => (await service.get(session.id))?.submission.status === 'cancelled');
    });

    it('should cancel it while it is still queued', async () => {
      const { service, engine } = await harness();
      await service.submit({ request: request('busy'), user: bob });
      await until(() => engine.pending.has('busy'));
      const session = await service.startInteractive({ request: request('i'), user: alice });
      await session.stop();
      await expect(session.started).rejects.toThrow('cancelled');
      expect((await service.get(session.id))?.submission.status).toBe('cancelled');
    });
  });
});
