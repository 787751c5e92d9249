// The Redis worker registry against the real Redis: the WorkerRegistry contract, and the Redis queue refusing a language no live worker in it serves.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_ERRORS } from '../../src/errors/index.js';
import type { BackendJobSpec } from '../../src/queue/backend.js';
import { expectAppError, makeJob, type JobSpec } from '../../src/queue/conformance/harness.js';
import { describeWorkerRegistryContract, makeWorker } from '../../src/queue/conformance/worker-registry-contract.js';
import { laneOf } from '../../src/queue/policy/scheduling-policy.js';
import { RedisQueueBackend } from '../../src/queue/redis/redis-queue-backend.js';
import { RedisWorkerRegistry } from '../../src/queue/redis/redis-worker-registry.js';
import { executionRequest } from '../../src/domain/submission.js';
import { deleteQueueKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';

const SKIP = process.env.RUNLANE_TEST_REDIS === 'skip';
if (SKIP) console.warn('\n*** RUNLANE_TEST_REDIS=skip: the Redis worker registry is NOT tested in this run ***\n');

const prefixes = new Set<string>();
function uniquePrefix(): string {
  const prefix = `test-${randomUUID()}`;
  prefixes.add(prefix);
  return prefix;
}

const TTL_MS = 1_000;
const admitAll = (): null => null;

/** A backend job spec in `language`. */
function spec(language: string, jobSpec: JobSpec = {}): BackendJobSpec {
  const job = { ...makeJob(jobSpec), language };
  job.request = executionRequest(language, job.request.files);
  return { id: job.id, priority: job.priority, lane: laneOf(job), roomId: job.roomId, userId: job.user.userId, keyId: job.user.keyId ?? null, enqueuedAt: job.enqueuedAt, data: job };
}

describe.skipIf(SKIP)('RedisWorkerRegistry against the real Redis', () => {
  let admin: Redis;

  beforeAll(async () => {
    admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
    admin.on('error', () => undefined);
    await admin.ping().catch((error: unknown) => {
      throw new Error(`Redis is not reachable at ${TEST_REDIS_URL}; start it, or set RUNLANE_TEST_REDIS=skip to skip these tests: ${String(error)}`);
    });
  });

  afterAll(async () => {
    for (const prefix of prefixes) await deleteQueueKeys(admin, prefix);
    await admin.quit();
  });

  describeWorkerRegistryContract('RedisWorkerRegistry', {
    makeRegistry: () => {
      const prefix = uniquePrefix();
      return Promise.resolve({
        registry: new RedisWorkerRegistry({ url: TEST_REDIS_URL, prefix }),
        otherView: () => Promise.resolve(new RedisWorkerRegistry({ url: TEST_REDIS_URL, prefix })),
      });
    },
    // Redis's own clock decides expiry: only real time passes it.
    expire: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ttlMs: TTL_MS,
  });

  describe('with the Redis queue on the same prefix', () => {
    const opened: Array<{ close(): Promise<unknown> }> = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((thing) => thing.close()));
    });

    async function cluster(): Promise<{ registry: RedisWorkerRegistry; backend: RedisQueueBackend }> {
      const prefix = uniquePrefix();
      const registry = new RedisWorkerRegistry({ url: TEST_REDIS_URL, prefix });
      const backend = await RedisQueueBackend.open({ url: TEST_REDIS_URL, prefix, requireServedLanguage: true });
      opened.push(registry, backend);
      return { registry, backend };
    }

    describe('when a job\'s language has no live worker', () => {
      it('should refuse it with 503 RUNLANE_ERR_QUEUE_LANGUAGE_UNSERVED and keep nothing', async () => {
        const { registry, backend } = await cluster();
        await registry.heartbeat(makeWorker({ languages: ['python'] }), 60_000);
        const job = spec('c');
        await expectAppError(backend.add(job, admitAll), QUEUE_ERRORS.languageUnserved.code, 503);
        const error = (await backend.add(job, admitAll).catch((caught: unknown) => caught)) as Error;
        expect(error.message).toContain('"c"');
        expect(error.message).toContain('--languages c');
        expect(await backend.counts()).toEqual({ queued: 0, active: 0 });
        expect(await backend.get(job.id)).toBeNull();
        await expect(backend.add(spec('python'), admitAll)).resolves.toMatchObject({ place: { position: 1 } });
      });

      it('should refuse it again once the only worker serving it expired', async () => {
        const { registry, backend } = await cluster();
        await registry.heartbeat(makeWorker({ languages: ['c'] }), TTL_MS);
        await backend.add(spec('c'), admitAll);
        await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
        await expectAppError(backend.add(spec('c'), admitAll), QUEUE_ERRORS.languageUnserved.code, 503);
      });
    });
  });
});
