// Socket token buckets in Redis against the real Redis: two stores (two API nodes) draw on one bucket per key; the in-process store does not share.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { MemoryTokenBucketStore, RedisTokenBucketStore } from '../../src/rooms/rate-limiter.js';
import { deleteQueueKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';

const SKIP = process.env.RUNLANE_TEST_REDIS === 'skip';
if (SKIP) announceSkip('the shared socket rate-limit store tests', 'RUNLANE_TEST_REDIS=skip: nothing here checks buckets kept in Redis');

const prefix = `test-${randomUUID()}`;
const keyPrefix = `runlane:${prefix}:rate:socket:`;
// One token a second: the few milliseconds a test takes refill next to nothing.
const options = { burst: 5, perSecond: 1 };

describe.skipIf(SKIP)('socket token buckets', () => {
  let first: Redis;
  let second: Redis;

  beforeAll(() => {
    first = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    second = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await deleteQueueKeys(first, prefix);
    first.disconnect();
    second.disconnect();
  });

  describe('when two nodes take from one key in Redis at the same time', () => {
    it('should grant the burst once in total, not once per node', async () => {
      const nodes = [new RedisTokenBucketStore(first, keyPrefix), new RedisTokenBucketStore(second, keyPrefix)];
      const key = `user:${randomUUID()}`;
      const taken = await Promise.all(Array.from({ length: 20 }, (_, index) => nodes[index % 2]!.take(key, options)));
      expect(taken.filter(Boolean)).toHaveLength(options.burst);
      // Another key is a bucket of its own.
      expect(await nodes[1]!.take(`user:${randomUUID()}`, options)).toBe(true);
    });

    it('should refill at perSecond and leave a key that expires', async () => {
      const store = new RedisTokenBucketStore(first, keyPrefix);
      const key = `user:${randomUUID()}`;
      for (let index = 0; index < options.burst; index += 1) expect(await store.take(key, options)).toBe(true);
      expect(await store.take(key, options)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect(await new RedisTokenBucketStore(second, keyPrefix).take(key, options)).toBe(true);
      expect(await first.pttl(`${keyPrefix}${key}`)).toBeGreaterThan(0);
    });
  });

  describe('when each node keeps its buckets in its own process', () => {
    it('should grant the burst per node (the embedded default, unchanged)', async () => {
      const nodes = [new MemoryTokenBucketStore(), new MemoryTokenBucketStore()];
      const taken = await Promise.all(Array.from({ length: 20 }, (_, index) => nodes[index % 2]!.take('user:same', options)));
      expect(taken.filter(Boolean)).toHaveLength(options.burst * 2);
    });
  });
});
