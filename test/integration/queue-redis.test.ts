// The Redis backend against the real Redis: the backend contract and scheduling-policy suites, then what only a shared queue must hold (two nodes).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionResult } from '../../src/domain/result.js';
import { loadConfig } from '../../src/config/index.js';
import { CONFIG_ERRORS, QUEUE_ERRORS } from '../../src/errors/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createQueue, planSharedQueue } from '../../src/node/create-queue.js';
import type { BackendEvent, BackendJobSpec, ClaimedJob, RunningCaps } from '../../src/queue/backend.js';
import { describeQueueBackendContract } from '../../src/queue/conformance/backend-contract.js';
import { EventLog, expectAppError, FakeHandler, makeJob, resultFor, roomName, waitUntil, type JobSpec } from '../../src/queue/conformance/harness.js';
import { describeSchedulingPolicyConformance } from '../../src/queue/conformance/policy-conformance.js';
import { laneOf, SchedulingPolicy } from '../../src/queue/policy/scheduling-policy.js';
import { RedisQueueBackend } from '../../src/queue/redis/redis-queue-backend.js';
import type { RedisQueueBackendOptions } from '../../src/queue/redis/redis-queue-backend-options.js';
import { deleteQueueKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';

const REDIS_URL = TEST_REDIS_URL;
const SKIP = process.env.RUNLANE_TEST_REDIS === 'skip';

/** Every prefix a test used, so its keys are deleted after the file. */
const prefixes = new Set<string>();

function uniquePrefix(): string {
  const prefix = `test-${randomUUID()}`;
  prefixes.add(prefix);
  return prefix;
}

/** A backend on a fresh prefix (an empty queue), or on `prefix` to share a queue with another instance. */
function openBackend(prefix = uniquePrefix(), options: Partial<RedisQueueBackendOptions> = {}): Promise<RedisQueueBackend> {
  return RedisQueueBackend.open({ url: REDIS_URL, prefix, ...options });
}

/** Lets events published by another instance land: a pub/sub round trip. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 30));
}

/** Waits until `count` connections listen to the queue's event channel. */
async function waitForSubscribers(admin: Redis, prefix: string, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const [, subscribed] = (await admin.pubsub('NUMSUB', `runlane:${prefix}:events`)) as [string, number];
    if (Number(subscribed) >= count) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} subscribers (have ${subscribed})`);
    await settle();
  }
}

if (SKIP) {
  console.warn('\n*** RUNLANE_TEST_REDIS=skip: the Redis queue backend is NOT tested in this run ***\n');
}

describe.skipIf(SKIP)('RedisQueueBackend against the real Redis', () => {
  let admin: Redis;

  beforeAll(async () => {
    // Unreachable Redis fails the file (it must not pass by skipping); set RUNLANE_TEST_REDIS=skip to opt out.
    admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
    admin.on('error', () => undefined);
    await admin.ping().catch((error: unknown) => {
      throw new Error(`Redis is not reachable at ${REDIS_URL} (RUNLANE_TEST_REDIS_URL); start it, or set RUNLANE_TEST_REDIS=skip to skip these tests: ${String(error)}`);
    });
  });

  afterAll(async () => {
    for (const prefix of prefixes) await deleteQueueKeys(admin, prefix);
    await admin.quit();
  });

  describeQueueBackendContract('RedisQueueBackend', () => openBackend(), { shortLeaseMs: 200 });
  describeSchedulingPolicyConformance('RedisQueueBackend', () => openBackend(), { settle, shortLeaseMs: 200 });
  // Every claim reads the lanes one page of one lane at a time: turns, skips and spares must come out the same.
  describeQueueBackendContract('RedisQueueBackend, one lane per claim page', () => openBackend(undefined, { claimPageLanes: 1 }), { shortLeaseMs: 200 });
  describeSchedulingPolicyConformance('RedisQueueBackend, one lane per claim page', () => openBackend(undefined, { claimPageLanes: 1 }), { settle, shortLeaseMs: 200 });

  describe('RedisQueueBackend shared by two nodes', () => {
    const opened: RedisQueueBackend[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((backend) => backend.close()));
    });

    /** Two instances on one prefix, each with its own connections: two nodes sharing a queue. */
    async function twoNodes(options: Partial<RedisQueueBackendOptions> = {}): Promise<[RedisQueueBackend, RedisQueueBackend]> {
      const prefix = uniquePrefix();
      const nodes = await Promise.all([openBackend(prefix, options), openBackend(prefix, options)]);
      opened.push(...nodes);
      return nodes;
    }

    describe('when both claim at once', () => {
      it('should never exceed the running caps, with the policy\'s predicate', async () => {
        const [a, b] = await twoNodes();
        const limits = { maxConcurrent: 12, maxQueued: 1000, roomMaxRunning: 3, roomMaxQueued: 100, userMaxQueued: 100, userMaxRunning: 2, keyMaxQueued: 100 };
        const policy = new SchedulingPolicy({ limits, now: Date.now, assumedRunDurationMs: 1000, durationSamples: 5, durationRooms: 10, maxRetryAfterSeconds: 60 });
        const busy = roomName('busy');
        const others = [roomName('o1'), roomName('o2'), roomName('o3')];
        for (let index = 0; index < 30; index += 1) await a.add(spec({ roomId: busy }), admitAll);
        for (let index = 0; index < 15; index += 1) await b.add(spec({ roomId: others[index % 3]! }), admitAll);
        const options = { workerId: 'race', leaseMs: 60_000, mayStart: policy.mayStart, caps: policy.caps };
        const claims = await Promise.all(Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? a : b).claim(options)));
        const claimed = claims.filter((claim): claim is ClaimedJob => claim !== null);
        // Claims only add running jobs here, so the final state is the most that ever ran at once.
        expect(claimed.length).toBeLessThanOrEqual(12);
        for (const room of [busy, ...others]) expect(claimed.filter((claim) => claim.job.roomId === room).length).toBeLessThanOrEqual(3);
        expect(new Set(claimed.map((claim) => claim.job.id)).size).toBe(claimed.length);
        // A claim that lost every race returns null; whatever it left free is still there to take.
        while ((await a.claim(options)) !== null);
        const { active } = await b.list();
        expect(active).toHaveLength(12);
        for (const room of [busy, ...others]) expect(active.filter((job) => job.roomId === room)).toHaveLength(3);
      });

      it('should hold the caps in Redis even when the predicate decided on a stale view', async () => {
        const [a, b] = await twoNodes();
        const room = roomName('r');
        for (let index = 0; index < 10; index += 1) await a.add(spec({ roomId: room }), admitAll);
        // A predicate that never says no: only the claim script's own check of the caps stands between them and the room.
        const caps: RunningCaps = { maxRunning: 100, roomMaxRunning: 2, userMaxRunning: 100 };
        const claims = await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? a : b).claim({ workerId: 'stale', leaseMs: 60_000, mayStart: () => 'take', caps })));
        expect(claims.filter((claim) => claim !== null)).toHaveLength(2);
        expect(await a.counts()).toEqual({ queued: 8, active: 2 });
      });
    });

    describe('when one node changes the queue', () => {
      it('should tell the other node\'s listeners, in order', async () => {
        const [a, b] = await twoNodes();
        const heard: BackendEvent[] = [];
        b.subscribe((event) => heard.push(event));
        const jobs = [spec(), spec(), spec()];
        for (const job of jobs) await a.add(job, admitAll);
        const claimed = (await a.claim({ workerId: 'a', leaseMs: 60_000, mayStart: () => 'take', caps: UNCAPPED }))!;
        await a.complete(claimed.job.id, claimed.lease.leaseId, resultFor(claimed.job.id));
        await waitUntil(() => heard.length >= 5, 'five events on the other node');
        expect(heard.map((event) => [event.type, event.job.id])).toEqual([
          ['added', jobs[0]!.id],
          ['added', jobs[1]!.id],
          ['added', jobs[2]!.id],
          ['claimed', jobs[0]!.id],
          ['completed', jobs[0]!.id],
        ]);
        expect(heard[4]).toMatchObject({ result: resultFor(jobs[0]!.id) });
      });

      it('should carry a result too large for a message through a parked key', async () => {
        const [a, b] = await twoNodes({ largeEventBytes: 1024 });
        const heard: BackendEvent[] = [];
        b.subscribe((event) => heard.push(event));
        const job = spec();
        await a.add(job, admitAll);
        const claimed = (await a.claim({ workerId: 'a', leaseMs: 60_000, mayStart: () => 'take', caps: UNCAPPED }))!;
        const result: ExecutionResult = { ...resultFor(job.id), stdout: 'x'.repeat(300_000) };
        await a.complete(job.id, claimed.lease.leaseId, result);
        await waitUntil(() => heard.some((event) => event.type === 'completed'), 'the completion on the other node');
        expect(heard.find((event) => event.type === 'completed')).toMatchObject({ result: { stdout: result.stdout } });
      });
    });

    describe('when a node dies holding a lease', () => {
      it('should let the lease expire and the other node claim the job, and keep what it had queued', async () => {
        const [a, b] = await twoNodes({ sweepIntervalMs: 50 });
        const heard: BackendEvent[] = [];
        b.subscribe((event) => heard.push(event));
        // One room, so one lane: the expired job goes back ahead of the one that waited behind it.
        const room = roomName('r');
        const running = spec({ roomId: room });
        const waiting = spec({ roomId: room });
        await a.add(running, admitAll);
        await a.add(waiting, admitAll);
        const lost = (await a.claim({ workerId: 'a', leaseMs: 300, mayStart: () => 'take', caps: UNCAPPED }))!;
        // The node goes away without completing, failing or releasing anything.
        await a.close();
        await waitUntil(() => heard.some((event) => event.type === 'expired' && event.job.id === running.id), 'the lease to expire on the other node');
        const again = (await b.claim({ workerId: 'b', leaseMs: 60_000, mayStart: () => 'take', caps: UNCAPPED }))!;
        expect(again.job).toMatchObject({ id: running.id, attempts: 2 });
        expect(await b.complete(running.id, lost.lease.leaseId, resultFor(running.id))).toBe(false);
        expect(await b.complete(running.id, again.lease.leaseId, resultFor(running.id))).toBe(true);
        expect((await b.claim({ workerId: 'b', leaseMs: 60_000, mayStart: () => 'take', caps: UNCAPPED }))?.job.id).toBe(waiting.id);
      });
    });

    describe('when a node\'s event connection drops', () => {
      it('should subscribe again by itself and hear the other node\'s changes', async () => {
        const prefix = uniquePrefix();
        const a = await openBackend(prefix);
        const b = await openBackend(prefix);
        opened.push(a, b);
        const heard: BackendEvent[] = [];
        b.subscribe((event) => heard.push(event));
        const clients = (await admin.client('LIST')) as string;
        const killed = [...clients.matchAll(/id=(\d+) .*name=(\S+)/g)].find((match) => match[2] === `runlane-queue-events-${b.instanceId}`)?.[1];
        expect(killed).toBeDefined();
        await admin.client('KILL', 'ID', killed!);
        await waitForSubscribers(admin, prefix, 2);
        const job = spec();
        await a.add(job, admitAll);
        await waitUntil(() => heard.some((event) => event.type === 'added' && event.job.id === job.id), 'the add on the reconnected node');
      });
    });

    describe('when both add the same id at once', () => {
      it('should file it once and refuse the other with 409', async () => {
        const [a, b] = await twoNodes();
        for (let round = 0; round < 10; round += 1) {
          const job = spec();
          const outcomes = await Promise.allSettled([a.add(job, admitAll), b.add(job, admitAll)]);
          expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
          const refused = outcomes.find((outcome) => outcome.status === 'rejected')!;
          await expectAppError(Promise.reject(refused.reason), QUEUE_ERRORS.duplicateId.code, 409);
        }
        expect(await a.counts()).toEqual({ queued: 10, active: 0 });
      });
    });

    describe('when both admit against one cap at once', () => {
      it('should admit no more than the cap allows', async () => {
        const [a, b] = await twoNodes();
        const room = roomName('r');
        const roomCap = (view: { roomQueued: number }): Error | null => (view.roomQueued >= 5 ? new Error('room full') : null);
        const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, index) => (index % 2 === 0 ? a : b).add(spec({ roomId: room }), roomCap)));
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
        expect((await a.list(room)).queued).toHaveLength(5);
      });
    });
  });

  describe('when adds keep changing what admission decided on', () => {
    it('should decide again, and give up with 503 RUNLANE_ERR_QUEUE_CONTENDED only past maxAttempts', async () => {
      // One connection runs commands in order: all five admission reads land before the first add, so every add but
      // the first finds the counts changed under it.
      const patient = await openBackend();
      const hasty = await openBackend(uniquePrefix(), { maxAttempts: 1 });
      try {
        const admitted = await Promise.allSettled(Array.from({ length: 5 }, () => patient.add(spec(), admitAll)));
        expect(admitted.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
        const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => hasty.add(spec(), admitAll)));
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) if (outcome.status === 'rejected') await expectAppError(Promise.reject(outcome.reason), QUEUE_ERRORS.contended.code, 503);
        expect(await hasty.counts()).toEqual({ queued: 1, active: 0 });
      } finally {
        await Promise.all([patient.close(), hasty.close()]);
      }
    });
  });

  describe('createQueue with a Redis plan', () => {
    const config = (prefix: string | null) =>
      loadConfig({ env: {}, flags: { ...(prefix === null ? {} : { 'redis.url': REDIS_URL, 'redis.prefix': prefix }), 'scheduler.maxConcurrent': 2 } });

    it('should plan no worker slots for an API node and the node\'s concurrency for a worker', () => {
      const prefix = uniquePrefix();
      expect(planSharedQueue(config(prefix), 'api')).toEqual({ kind: 'redis', url: REDIS_URL, prefix, workerSlots: 0 });
      expect(planSharedQueue(config(prefix), 'worker')).toEqual({ kind: 'redis', url: REDIS_URL, prefix, workerSlots: 2 });
      expect(() => planSharedQueue(config(null), 'worker')).toThrowError(expect.objectContaining({ code: CONFIG_ERRORS.invalid.code, message: expect.stringContaining('redis.url') }));
    });

    it('should let an API node admit a job that a worker node runs, and hear its result', async () => {
      const prefix = uniquePrefix();
      const api = createQueue(planSharedQueue(config(prefix), 'api'), config(prefix), silentLogger(), ['python3']);
      const worker = createQueue(planSharedQueue(config(prefix), 'worker'), config(prefix), silentLogger(), ['python3']);
      try {
        const log = new EventLog(api);
        const handler = new FakeHandler();
        worker.process(handler.handler);
        // The worker hears the API node's add once its event subscription is up (both nodes subscribe).
        await waitForSubscribers(admin, prefix, 2);
        const job = makeJob({ roomId: roomName('r') });
        await api.enqueue(job);
        await handler.waitForCalls(1);
        handler.complete(job.id);
        const [completed] = await log.waitFor('completed');
        expect(completed).toMatchObject({ entry: { id: job.id }, result: resultFor(job.id) });
        expect(log.typesFor(job.id)).toEqual(['queued', 'started', 'completed']);
      } finally {
        await Promise.all([api.close(0), worker.close(0)]);
      }
    });
  });

  describe('RedisQueueBackend without a server', () => {
    it('should fail with 503 RUNLANE_ERR_QUEUE_UNAVAILABLE', async () => {
      // Port 1 on the loopback: nothing listens there, so every connection is refused at once.
      await expectAppError(RedisQueueBackend.open({ url: 'redis://127.0.0.1:1', prefix: uniquePrefix() }), QUEUE_ERRORS.unavailable.code, 503);
    });
  });
});

const admitAll = (): null => null;
const UNCAPPED: RunningCaps = { maxRunning: 1_000_000, roomMaxRunning: 1_000_000, userMaxRunning: 1_000_000 };

function spec(jobSpec: JobSpec = {}): BackendJobSpec {
  const job = makeJob(jobSpec);
  return { id: job.id, priority: job.priority, lane: laneOf(job), roomId: job.roomId, userId: job.user.userId, keyId: job.user.keyId ?? null, enqueuedAt: job.enqueuedAt, data: job };
}
