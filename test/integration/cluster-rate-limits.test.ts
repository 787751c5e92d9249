// REST rate limits across two real API node processes on one Redis: a client's budget is shared by the nodes, not doubled.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { dropSchemas, SKIP_POSTGRES, uniqueSchema, urlWithSchema } from '../support/postgres.js';
import { spawnRunlane, untilReady, type ReadyRunlane } from '../support/runlane-process.js';
import { deleteQueueKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';

const SKIP = SKIP_POSTGRES || process.env.RUNLANE_TEST_REDIS === 'skip';
if (process.env.RUNLANE_TEST_REDIS === 'skip') announceSkip('the cluster rate-limit tests', 'RUNLANE_TEST_REDIS=skip: nothing here checks limits shared through Redis');

/** The global budget per client, and a key with a smaller one of its own. */
const GLOBAL_MAX = 6;
const KEY_MAX = 4;
const KEYED = `keyed-${randomUUID()}`;
const OTHER = `other-${randomUUID()}`;

const dataDir = mkdtempSync(join(tmpdir(), 'runlane-cluster-rate-'));
const prefix = `test-${randomUUID()}`;
const schema = uniqueSchema();
const children = new Set<ChildProcess>();

function startApi(): Promise<ReadyRunlane> {
  const started = spawnRunlane(['serve', '--port', '0', '--data-dir', dataDir, '--workers', '0', '--redis', TEST_REDIS_URL, '--database', urlWithSchema(schema)], {
    RUNLANE_REDIS__PREFIX: prefix,
    RATE_LIMIT_MAX_REQUESTS: String(GLOBAL_MAX),
    RATE_LIMIT_WINDOW_MS: '120000',
    // Anonymous callers (counted per IP) beside the keys; with keys configured they are off unless asked for.
    RUNLANE_AUTH__ANONYMOUS: 'true',
    RUNLANE_AUTH__API_KEYS: JSON.stringify([
      { key: KEYED, userId: 'keyed-backend', displayName: 'Keyed backend', rateLimit: { maxRequests: KEY_MAX } },
      { key: OTHER, userId: 'other-backend', displayName: 'Other backend' },
    ]),
  });
  children.add(started.child);
  started.child.once('exit', () => children.delete(started.child));
  return untilReady(started);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

async function languages(url: string, key?: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/languages`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  await response.arrayBuffer();
  return response.status;
}

describe.skipIf(SKIP)('REST rate limits on two API nodes sharing one Redis', () => {
  let urls: [string, string];

  beforeAll(async () => {
    // One node first: it creates the schema, so the two do not race to migrate it.
    const first = await startApi();
    const second = await startApi();
    urls = [first.url!, second.url!];
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...children].map((child) => stop(child)));
    const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      await deleteQueueKeys(admin, prefix);
    } finally {
      admin.disconnect();
    }
    await dropSchemas();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  describe('when one API key alternates between the nodes', () => {
    it('should spend one budget: its own limit in total, then 429 on both nodes', async () => {
      const statuses: number[] = [];
      for (let index = 0; index < KEY_MAX + 2; index += 1) statuses.push(await languages(urls[index % 2]!, KEYED));
      expect(statuses).toEqual([...Array<number>(KEY_MAX).fill(200), 429, 429]);
      // Another key has a bucket of its own.
      expect(await languages(urls[0], OTHER)).toBe(200);
      expect(await languages(urls[1], OTHER)).toBe(200);
    });
  });

  describe('when one client without a key sends to both nodes at once', () => {
    it('should admit exactly the global budget across the nodes, not twice it', async () => {
      // Concurrent, so the nodes increment at the same moment: the count is atomic in Redis or this admits more.
      const statuses = await Promise.all(Array.from({ length: GLOBAL_MAX * 2 }, (_, index) => languages(urls[index % 2]!)));
      expect(statuses.filter((status) => status === 200)).toHaveLength(GLOBAL_MAX);
      expect(statuses.filter((status) => status === 429)).toHaveLength(GLOBAL_MAX);
    });
  });

  describe('when the counters are read in Redis', () => {
    it('should keep them under the cluster prefix, with an expiry and without the API key itself', async () => {
      const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        const keys = await admin.keys(`runlane:${prefix}:rate:http:*`);
        expect(keys.length).toBeGreaterThanOrEqual(2);
        for (const key of keys) {
          expect(key).not.toContain(KEYED);
          expect(await admin.pttl(key)).toBeGreaterThan(0);
        }
      } finally {
        admin.disconnect();
      }
    });
  });
});
