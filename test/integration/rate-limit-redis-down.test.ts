// The REST limiter with counters in Redis when Redis cannot be reached: it fails open, loudly, and enforces again once it can.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { installRateLimit } from '../../src/http/rate-limit.js';
import { deleteQueueKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';

const SKIP = process.env.RUNLANE_TEST_REDIS === 'skip';
if (SKIP) announceSkip('the Redis rate-limit store tests', 'RUNLANE_TEST_REDIS=skip: nothing here checks limits kept in Redis');

const prefix = `test-${randomUUID()}`;
const apps: FastifyInstance[] = [];

/** A port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A bare app with the limiter on Redis counters and one route; its log lines are collected. */
async function appOn(url: string, maxRequests: number): Promise<{ app: FastifyInstance; logs: string[] }> {
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(chunk.toString()), done()) }));
  const app = Fastify();
  apps.push(app);
  await installRateLimit(app, { maxRequests, windowMs: 60_000 }, { kind: 'redis', url, prefix, logger });
  app.get('/ping', async () => ({ ok: true }));
  await app.ready();
  return { app, logs };
}

describe.skipIf(SKIP)('the REST limiter with counters in Redis', () => {
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      await deleteQueueKeys(admin, prefix);
    } finally {
      admin.disconnect();
    }
  });

  describe('when Redis cannot be reached', () => {
    it('should let requests through, quickly, and log once that limits are not enforced', async () => {
      const { app, logs } = await appOn(`redis://127.0.0.1:${await closedPort()}`, 2);
      const started = performance.now();
      const statuses: number[] = [];
      for (let index = 0; index < 5; index += 1) statuses.push((await app.inject({ method: 'GET', url: '/ping' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      // No request waits for a reconnect (generous bound for a loaded machine; a queued command would wait far longer).
      expect(performance.now() - started).toBeLessThan(10_000);
      const warnings = logs.filter((line) => line.includes('rate limits are NOT enforced'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 50 });
    });
  });

  describe('when two apps share one Redis', () => {
    it('should count one budget for both and log nothing', async () => {
      const first = await appOn(TEST_REDIS_URL, 3);
      const second = await appOn(TEST_REDIS_URL, 3);
      const statuses: number[] = [];
      for (let index = 0; index < 6; index += 1) statuses.push((await (index % 2 === 0 ? first : second).app.inject({ method: 'GET', url: '/ping' })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      expect([...first.logs, ...second.logs].filter((line) => line.includes('rate limits'))).toEqual([]);
    });
  });
});
