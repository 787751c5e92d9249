// Per-key rate limits: each API key counts in a bucket of its own, with its own budget when it has one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { bearer } from '../support/tokens.js';

const BURSTY = `bursty-${randomUUID()}`;
const CALM = `calm-${randomUUID()}`;
const SAME_USER_OTHER_KEY = `other-${randomUUID()}`;

describe('per-key rate limits', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack({
      rateLimit: { maxRequests: 5, windowMs: 60_000 },
      auth: {
        anonymous: false,
        apiKeys: [
          { key: BURSTY, userId: 'backend', displayName: 'Bursty backend', role: 'service', rateLimit: { maxRequests: 3, windowMs: 60_000 } },
          { key: SAME_USER_OTHER_KEY, userId: 'backend', displayName: 'Same backend, second key', role: 'service' },
          { key: CALM, userId: 'calm', displayName: 'Calm backend', rateLimit: { maxRequests: 20 } },
        ],
      },
    });
  });
  afterAll(async () => stack?.close());

  const languages = (key: string, headers: Record<string, string> = {}) => call(stack.app, 'GET', '/api/v1/languages', { headers: { ...bearer(key), ...headers } });

  describe('when one key bursts past its own limit', () => {
    it('should answer that key 429 with Retry-After while another key is served', async () => {
      const statuses = [];
      for (let index = 0; index < 4; index += 1) statuses.push((await languages(BURSTY)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await languages(BURSTY);
      expect(refused.body.error).toMatchObject({ code: 'RUNLANE_ERR_HTTP_RATE_LIMITED', details: { limit: 3, windowMs: 60_000 } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await languages(CALM)).statusCode).toBe(200);
      // A second key of the same user is a bucket of its own, with the global budget.
      expect((await languages(SAME_USER_OTHER_KEY)).statusCode).toBe(200);
    });

    it('should count the end users a service acts for in the key\'s bucket', async () => {
      const response = await languages(BURSTY, { 'runlane-act-as': `someone-${randomUUID()}` });
      expect(response.statusCode).toBe(429);
    });
  });

  describe('when a key sets a higher budget than the global one', () => {
    it('should allow it beyond the global limit', async () => {
      const statuses = [];
      for (let index = 0; index < 8; index += 1) statuses.push((await languages(CALM)).statusCode);
      expect(statuses.filter((status) => status === 429)).toEqual([]);
    });
  });
});
