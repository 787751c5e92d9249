// Tests what the composition root refuses before it starts anything, and which store it picks.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { CONFIG_ERRORS } from '../errors/index.js';
import { silentLogger } from '../logging/logger.js';
import { createNode } from './create-node.js';
import { assertSharedStore } from './cluster-plan.js';
import { describeQueuePlan, planQueue } from './create-queue.js';
import { describeStorePlan, planStore } from './create-store.js';

const config = (flags: Record<string, unknown> = {}) => loadConfig({ env: {}, flags: { dataDir: '/srv/runlane', ...flags } });

describe('planStore', () => {
  describe('when database.url is empty', () => {
    it('should use the SQLite file in the data dir', () => {
      expect(planStore(config())).toEqual({ kind: 'sqlite', path: '/srv/runlane/runlane.db' });
    });
  });

  describe('when an explicit SQLite file is given', () => {
    it('should use it instead of database.url', () => {
      expect(planStore(config({ 'database.url': 'postgres://db/runlane' }), '/tmp/earlier.db')).toEqual({ kind: 'sqlite', path: '/tmp/earlier.db' });
    });
  });

  describe('when database.url names PostgreSQL', () => {
    it('should plan the PostgreSQL store with the URL as given', () => {
      const url = 'postgres://runlane:pw@db:5432/runlane?schema=tenant_a';
      expect(planStore(config({ 'database.url': url }))).toEqual({ kind: 'postgres', url });
    });

    it('should describe it without the password', () => {
      const plan = planStore(config({ 'database.url': 'postgresql://runlane:hunter2-password@db:5432/runlane?schema=tenant_a' }));
      expect(describeStorePlan(plan)).toBe('postgres://runlane@db:5432/runlane (schema tenant_a)');
    });

    it.each([
      ['a schema that is not a plain identifier', 'postgres://db/runlane?schema=Bad-Name'],
      ['a pool size that is not a positive number', 'postgres://db/runlane?poolSize=0'],
    ])('should refuse %s with the config code, naming the key', (_what, url) => {
      expect(() => planStore(config({ 'database.url': url }))).toThrowError(
        expect.objectContaining({ code: CONFIG_ERRORS.invalid.code, details: { key: 'database.url' } }),
      );
    });
  });
});

describe('planQueue', () => {
  describe('when the node has every role and no redis.url', () => {
    it('should pick the in-process queue', () => {
      expect(planQueue(config(), 'all')).toEqual({ kind: 'memory' });
    });
  });

  describe('when redis.url is set', () => {
    it('should plan the shared queue with the prefix, running maxConcurrent jobs on an "all" node', () => {
      expect(planQueue(config({ 'redis.url': 'redis://cache:6379', 'redis.prefix': 'blue', 'scheduler.maxConcurrent': 3 }), 'all')).toEqual({
        kind: 'redis',
        url: 'redis://cache:6379',
        prefix: 'blue',
        workerSlots: 3,
      });
    });

    it('should give a worker the slots scheduler.workerSlots names, and an API node none', () => {
      const shared = config({ 'redis.url': 'redis://cache:6379', 'scheduler.workerSlots': 5 });
      expect(planQueue(shared, 'worker')).toMatchObject({ kind: 'redis', workerSlots: 5 });
      expect(planQueue(shared, 'api')).toMatchObject({ kind: 'redis', workerSlots: 0 });
    });

    it('should refuse a worker with no slots, naming the key', () => {
      expect(() => planQueue(config({ 'redis.url': 'redis://cache:6379', 'scheduler.workerSlots': 0 }), 'worker')).toThrowError(
        expect.objectContaining({ code: CONFIG_ERRORS.invalid.code, details: { key: 'scheduler.workerSlots' } }),
      );
    });

    it('should describe the plan without the password', () => {
      const plan = planQueue(config({ 'redis.url': 'redis://:hunter2-password@cache:6379/2', 'scheduler.workerSlots': 0 }), 'api');
      expect(describeQueuePlan(plan)).toBe('redis://cache:6379/2 (prefix queue, 0 worker slots)');
    });
  });

  describe.each(['api', 'worker'] as const)('when the role is %s and redis.url is empty', (role) => {
    it('should refuse, as the in-process queue is not shared between processes', () => {
      expect(() => planQueue(config(), role)).toThrowError(
        expect.objectContaining({ code: CONFIG_ERRORS.invalid.code, message: expect.stringContaining(`"${role}"`), details: { key: 'redis.url' } }),
      );
    });
  });
});

describe('assertSharedStore', () => {
  describe('when the queue is shared and the store is a SQLite file', () => {
    it('should refuse with the config code, naming database.url', () => {
      const shared = config({ 'redis.url': 'redis://cache:6379' });
      expect(() => assertSharedStore(planQueue(shared, 'worker'), planStore(shared))).toThrowError(
        expect.objectContaining({ code: CONFIG_ERRORS.invalid.code, details: { key: 'database.url' }, message: expect.stringContaining('postgres://') }),
      );
    });
  });

  describe('when the queue is shared and the store is PostgreSQL, or the queue is in-process', () => {
    it('should accept', () => {
      const cluster = config({ 'redis.url': 'redis://cache:6379', 'database.url': 'postgres://db/runlane?schema=blue' });
      expect(() => assertSharedStore(planQueue(cluster, 'api'), planStore(cluster))).not.toThrow();
      expect(() => assertSharedStore(planQueue(config(), 'all'), planStore(config()))).not.toThrow();
    });
  });
});

describe('createNode', () => {
  describe('when the settings cannot be honoured', () => {
    it('should refuse a cluster node on a SQLite file before starting the sandbox', async () => {
      const unstartable = config({ 'redis.url': 'redis://127.0.0.1:1', 'sandbox.bwrapPath': '/nonexistent/bwrap' });
      await expect(createNode(unstartable, { role: 'worker', logger: silentLogger() })).rejects.toMatchObject({ code: CONFIG_ERRORS.invalid.code, details: { key: 'database.url' } });
    });

    it('should refuse before starting the sandbox', async () => {
      // With a bwrap that does not exist, starting the sandbox first would fail with a sandbox code instead.
      const unstartable = config({ 'database.url': 'postgres://db/runlane?schema=Not-An-Identifier', 'sandbox.bwrapPath': '/nonexistent/bwrap' });
      await expect(createNode(unstartable, { role: 'all', logger: silentLogger() })).rejects.toMatchObject({
        code: CONFIG_ERRORS.invalid.code,
      });
    });
  });
});
