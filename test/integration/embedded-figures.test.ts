// The embedded node (no Redis): its own queue figures as before, itself as the one worker, readiness on its SQLite file; and readiness naming a dependency that is down.
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { Metrics } from '../../src/metrics/index.js';
import { probeDependencies } from '../../src/node/dependency-health.js';
import { RedisWorkerRegistry } from '../../src/queue/redis/redis-worker-registry.js';
import { call, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

describe('the embedded node', () => {
  let stack: TestStack;
  let admin: Record<string, string>;

  beforeAll(async () => {
    stack = await createTestStack({ scheduler: { maxConcurrent: 3 } });
    admin = (await makeUser('Admin', 'admin')).headers;
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  describe('when its figures are read', () => {
    it('should report its own queue and maxConcurrent, and its SQLite file as up', async () => {
      const health = await call(stack.app, 'GET', '/health');
      expect(health.statusCode).toBe(200);
      expect(health.body).toMatchObject({ status: 'healthy', queue_length: 0, processing: 0, max_concurrent: 3, dependencies: [{ name: 'sqlite', status: 'up', error: null }] });
      expect((await call(stack.app, 'GET', '/api/v1/queue')).body).toMatchObject({ maxConcurrent: 3, queueLength: 0, activeCount: 0 });
      expect(await call(stack.app, 'GET', '/ready')).toMatchObject({ statusCode: 200, body: { status: 'ready', dependencies: [{ name: 'sqlite', status: 'up', error: null }] } });
    });

    it('should still run every installed language (a filter is for shared queues only)', async () => {
      const submitted = await call(stack.app, 'POST', '/api/v1/submissions', { payload: { language: 'python', source: 'print(6 * 7)' } });
      expect(submitted.statusCode).toBe(202);
      expect((await waitForSubmission(stack.app, submitted.body.id)).body).toMatchObject({ status: 'completed', stdout: '42\n' });
    }, 60_000);
  });

  describe('when staff list the workers', () => {
    it('should list the node itself as the one worker; a user gets 403', async () => {
      const listed = await call(stack.app, 'GET', '/api/v1/workers', { headers: admin });
      expect(listed.statusCode).toBe(200);
      expect(listed.body).toMatchObject({ count: 1, slots: 3 });
      expect(listed.body.workers[0]).toMatchObject({ host: hostname(), pid: process.pid, slots: 3, running: 0 });
      expect(listed.body.workers[0].languages).toContain('python');
      const user = await makeUser('Student', 'user');
      expect(await call(stack.app, 'GET', '/api/v1/workers', { headers: user.headers })).toMatchObject({ statusCode: 403, body: { error: { code: 'RUNLANE_ERR_AUTH_FORBIDDEN' } } });
      expect((await call(stack.app, 'GET', '/api/v1/workers')).statusCode).toBe(403);
    });
  });

  describe('when a dependency does not answer', () => {
    it('should answer /ready with 503 naming it, while /health stays 200 and says degraded', async () => {
      // Port 1 on the loopback: nothing listens there, so the Redis connection is refused at once.
      const registry = new RedisWorkerRegistry({ url: 'redis://127.0.0.1:1', prefix: 'unreachable' });
      const app = await buildHttpApp({
        service: stack.service,
        authenticator: stack.authenticator,
        config: stack.config,
        logger: silentLogger(),
        metrics: new Metrics({ defaultMetrics: false }),
        cluster: { workers: () => registry.list(), dependencies: probeDependencies({ store: stack.store, storeKind: 'sqlite', redis: registry, timeoutMs: 5_000 }) },
      });
      try {
        const ready = await call(app, 'GET', '/ready');
        expect(ready.statusCode).toBe(503);
        expect(ready.body).toEqual({
          status: 'unavailable',
          dependencies: [
            { name: 'sqlite', status: 'up', error: null },
            { name: 'redis', status: 'down', error: expect.any(String) },
          ],
        });
        // No address in what the public route says.
        expect(ready.text).not.toContain('127.0.0.1');
        const health = await call(app, 'GET', '/health');
        expect(health.statusCode).toBe(200);
        expect(health.body).toMatchObject({ status: 'degraded', max_concurrent: 3 });
      } finally {
        await app.close();
        await registry.close();
      }
    }, 30_000);
  });
});
