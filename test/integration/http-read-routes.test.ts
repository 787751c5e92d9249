// Read-only REST routes over the real stack: languages, stats, queues, room and user history, room stats, health.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;
let alice: Awaited<ReturnType<typeof makeUser>>;
let bob: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  // One slot, so queue routes can be observed with something running and something waiting.
  stack = await createTestStack({ scheduler: { maxConcurrent: 1 } });
  alice = await makeUser('Alice');
  bob = await makeUser('Bob');
});

afterAll(async () => {
  await stack?.close();
});

async function runNow(user: typeof alice, payload: Record<string, unknown>) {
  const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload });
  expect(response.statusCode).toBe(200);
  return response.body;
}

describe('GET /api/v1/languages', () => {
  it('should list the catalogue with installed versions', async () => {
    const response = await call(stack.app, 'GET', '/api/v1/languages', { headers: alice.headers });
    expect(response.statusCode).toBe(200);
    const python = response.body.languages.find((language: { id: string }) => language.id === 'python');
    expect(python).toMatchObject({ installed: true, compiled: false, sourceFile: 'main.py', version: expect.stringMatching(/^3\./) });
    expect(python.aliases).toContain('python3');
    expect(response.body.languages.length).toBeGreaterThanOrEqual(10);
    expect(python.defaultLimits).toMatchObject({ wallTimeMs: stack.config.limits.run.wallTimeMs, memoryMb: expect.any(Number) });
    expect(response.body.maxLimits).toEqual({ ...stack.config.limits.max });
  });
});

describe('GET /api/v1/stats', () => {
  it('should count finished executions and give the success rate', async () => {
    await runNow(alice, { language: 'python', source: 'print(1)' });
    await runNow(alice, { language: 'python', source: 'raise SystemExit(1)' });
    const response = await call(stack.app, 'GET', '/api/v1/stats', { headers: alice.headers });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      active: expect.any(Number),
      queued: expect.any(Number),
      totalInProgress: expect.any(Number),
      completed: expect.any(Number),
      failed: expect.any(Number),
      cancelled: expect.any(Number),
      successRate: expect.any(Number),
    });
    expect(response.body.completed).toBeGreaterThanOrEqual(2);
    expect(response.body.successRate).toBeGreaterThan(0);
    expect(response.body.successRate).toBeLessThan(100);
  });
});

describe('queue routes', () => {
  describe('when one execution runs and others wait', () => {
    it('should list active and queued entries with their users, length and oldest age', async () => {
      const roomId = `room-${randomUUID()}`;
      const long = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        payload: { language: 'python', source: 'import time\ntime.sleep(1.5)', roomId },
      });
      expect(await eventually(async () => (await call(stack.app, 'GET', `/api/v1/submissions/${long.body.id}`, { headers: alice.headers })).body.status === 'running')).toBe(true);
      const waiting = await call(stack.app, 'POST', '/api/v1/submissions', { headers: bob.headers, payload: { language: 'python', source: 'print("b")', roomId } });
      expect(waiting.body).toMatchObject({ status: 'queued', position: 1, roomPosition: 1 });

      const room = await call(stack.app, 'GET', `/api/v1/rooms/${roomId}/queue`, { headers: alice.headers });
      expect(room.statusCode).toBe(200);
      expect(room.body).toMatchObject({ roomId, queueLength: 1, activeCount: 1, maxConcurrent: 1 });
      expect(room.body.oldestQueuedAgeMs).toBeGreaterThanOrEqual(0);
      expect(room.body.active[0]).toMatchObject({ id: long.body.id, user: { userId: alice.userId, displayName: 'Alice' }, position: null, startedAt: expect.any(String) });
      expect(room.body.queued[0]).toMatchObject({ id: waiting.body.id, user: { userId: bob.userId, displayName: 'Bob' }, position: 1, roomPosition: 1, language: 'python' });

      const node = await call(stack.app, 'GET', '/api/v1/queue', { headers: alice.headers });
      expect(node.statusCode).toBe(200);
      expect(node.body.roomId).toBeNull();
      expect(node.body.queued.map((entry: { id: string }) => entry.id)).toContain(waiting.body.id);

      await waitForSubmission(stack.app, waiting.body.id, bob.headers);
      const empty = await call(stack.app, 'GET', `/api/v1/rooms/${roomId}/queue`, { headers: alice.headers });
      expect(empty.body).toMatchObject({ queueLength: 0, activeCount: 0, oldestQueuedAgeMs: 0, active: [], queued: [] });
    });
  });
});

describe('history and room stats', () => {
  describe('when a room has executions from two users', () => {
    it('should list them newest first, per room and per user, and sum their figures', async () => {
      const roomId = `room-${randomUUID()}`;
      const carol = await makeUser('Carol');
      const first = await runNow(alice, { language: 'python', source: 'print("a1")', roomId });
      const second = await runNow(carol, { language: 'python', source: 'import sys\nsys.exit(2)', roomId });
      const third = await runNow(alice, { language: 'python', source: 'print("a2")', roomId });

      const history = await call(stack.app, 'GET', `/api/v1/rooms/${roomId}/history`, { headers: alice.headers });
      expect(history.statusCode).toBe(200);
      expect(history.body).toMatchObject({ roomId, count: 3 });
      expect(history.body.items.map((item: { id: string }) => item.id)).toEqual([third.id, second.id, first.id]);
      expect(history.body.items[1]).toMatchObject({ user: { userId: carol.userId, displayName: 'Carol' }, verdict: 'runtime_error' });

      const limited = await call(stack.app, 'GET', `/api/v1/rooms/${roomId}/history`, { headers: alice.headers, query: { limit: '1' } });
      expect(limited.body.items.map((item: { id: string }) => item.id)).toEqual([third.id]);

      // A user's history is personal: Carol reads her own; Alice may not read it.
      expect((await call(stack.app, 'GET', `/api/v1/users/${carol.userId}/history`, { headers: alice.headers })).statusCode).toBe(403);
      const theirs = await call(stack.app, 'GET', `/api/v1/users/${carol.userId}/history`, { headers: carol.headers });
      expect(theirs.statusCode).toBe(200);
      expect(theirs.body).toMatchObject({ userId: carol.userId, count: 1, items: [{ id: second.id }] });

      const stats = await call(stack.app, 'GET', `/api/v1/rooms/${roomId}/stats`, { headers: alice.headers, query: { timeRange: '3600000' } });
      expect(stats.statusCode).toBe(200);
      expect(stats.body).toMatchObject({ roomId, timeRangeMs: 3_600_000, total: 3, successful: 2, failed: 1 });
      expect(stats.body.totalExecutionTimeMs).toBeGreaterThan(0);
      expect(stats.body.avgExecutionTimeMs).toBeCloseTo(stats.body.totalExecutionTimeMs / 3, 0);
    });
  });

  describe('when the limit is out of range', () => {
    it('should refuse it naming the parameter', async () => {
      const response = await call(stack.app, 'GET', `/api/v1/rooms/${randomUUID()}/history`, { headers: alice.headers, query: { limit: '0' } });
      expect(response.statusCode).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'RUNLANE_ERR_HTTP_VALIDATION', details: { field: 'querystring.limit' } });
    });
  });
});

describe('GET /health', () => {
  it('should answer without a token with the seed 002 fields and the sandbox', async () => {
    const response = await call(stack.app, 'GET', '/health');
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      status: 'healthy',
      queue_length: expect.any(Number),
      processing: expect.any(Number),
      max_concurrent: 1,
      uptime: expect.any(Number),
      sandbox: { implementation: 'resident', version: expect.any(String), cgroups: expect.stringMatching(/^(v1|v2|none)$/), enforces: expect.objectContaining({ network: true, seccomp: true }) },
    });
  });
});

describe('GET /version', () => {
  it('should answer without a token with the versions of Runlane, Node.js and the sandbox, and nothing else', async () => {
    const response = await call(stack.app, 'GET', '/version');
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      name: 'runlane',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      node: process.version,
      sandbox: { implementation: 'resident', version: expect.any(String) },
    });
    expect(response.text).not.toContain(process.cwd());
    expect(response.text).not.toMatch(/secret|\/home\/|\/tmp\//i);
  });

  it('should be listed in the OpenAPI document', async () => {
    const response = await call(stack.app, 'GET', '/docs/json');
    expect(Object.keys(response.body.paths)).toContain('/version');
    expect(response.body.paths['/version'].get.security).toEqual([]);
  });
});

describe('GET /api/v1/submissions/:id?wait=', () => {
  const submitLater = async (source: string) => {
    const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload: { language: 'python', source } });
    expect(response.statusCode).toBe(202);
    return response.body.id as string;
  };
  const read = (id: string, wait: string, user = alice) => call(stack.app, 'GET', `/api/v1/submissions/${id}`, { headers: user.headers, query: { wait } });

  describe('when the submission finishes within the wait', () => {
    it('should answer with the finished submission', async () => {
      const id = await submitLater('import time\ntime.sleep(0.5)\nprint("waited")');
      const response = await read(id, 'true');
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ id, status: 'completed', verdict: 'accepted', stdout: 'waited\n' });
    });
  });

  describe('when the wait ends first', () => {
    it('should answer with the submission as it stands, not yet finished', async () => {
      const id = await submitLater('import time\ntime.sleep(3)\nprint("slow")');
      const response = await read(id, '100');
      expect(response.statusCode).toBe(200);
      expect(response.body.id).toBe(id);
      expect(['queued', 'running']).toContain(response.body.status);
      // The queue has one slot: let it drain so later tests and the stack's close do not wait on it.
      expect((await read(id, 'true')).body.status).toBe('completed');
    });
  });

  describe('when the wait is bad or the submission not visible', () => {
    it('should refuse a wait above the maximum, as submitting does', async () => {
      const response = await read(randomUUID(), String(stack.config.scheduler.maxWaitMs + 1));
      expect(response.statusCode).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'RUNLANE_ERR_HTTP_VALIDATION', details: { field: 'querystring.wait', maximum: stack.config.scheduler.maxWaitMs } });
    });

    it('should answer 404 at once for someone else\'s private submission, without waiting', async () => {
      const id = await submitLater('print("mine")');
      const response = await read(id, 'true', bob);
      expect(response.statusCode).toBe(404);
      expect(response.body.error.code).toBe('RUNLANE_ERR_QUEUE_NOT_FOUND');
      await read(id, 'true');
    });
  });
});
