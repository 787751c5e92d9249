// One user (or one API key) cannot monopolise the queue: per-user and per-key caps on every transport, and others still served.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, waitForSubmission } from '../support/http.js';
import { connect, createRealtimeStack, request, type RealtimeStack } from '../support/realtime.js';
import { bearer, makeUser } from '../support/tokens.js';

const API_KEY = `integration-key-${randomUUID()}`;

/** A program that keeps its slot far longer than any other run in these tests takes, even on a loaded machine. */
const SLEEPER = { language: 'python', source: 'import time\ntime.sleep(20)', limits: { wallTimeMs: 30_000 } };

type Headers = Record<string, string>;

/** Cancels whatever the user still has queued, so closing the stack does not wait for it. */
async function cancelQueued(stack: RealtimeStack, ids: string[], headers: Headers): Promise<void> {
  for (const id of ids) await call(stack.app, 'DELETE', `/api/v1/submissions/${id}`, { headers });
}

describe('per-user and per-key queue caps', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  // A fresh node per test, so no sleeper of an earlier test holds a slot.
  beforeEach(async () => {
    // Two slots: a user alone on the node may hold both (userMaxRunning is work-conserving), so the cap on queued work is what binds.
    stack = await createRealtimeStack({
      scheduler: { maxConcurrent: 2, maxQueued: 12, userMaxQueued: 5, keyMaxQueued: 3 },
      auth: { apiKeys: [{ key: API_KEY, userId: `backend-${randomUUID()}`, displayName: 'Backend' }] },
      shutdown: { graceMs: 100 },
    });
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await stack?.close();
  });

  describe('when one user floods the queue with a batch of sleeping jobs', () => {
    it('should queue up to the cap, refuse each further item with 429, and still serve another user first', async () => {
      const greedy = await makeUser('Greedy');
      const batch = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: greedy.headers, payload: { submissions: Array.from({ length: 20 }, () => SLEEPER) } });
      expect(batch.statusCode).toBe(200);
      const results = batch.body.results as Array<{ statusCode: number; id?: string; retryAfter?: number; error?: { code: string; message: string } }>;
      const admitted = results.filter((item) => item.statusCode === 202).map((item) => item.id!);
      cleanups.push(() => cancelQueued(stack, admitted, greedy.headers));
      // Two running (both slots: nobody else is waiting) plus five queued; every other item is refused on its own, none silently dropped.
      expect(results.map((item) => item.statusCode)).toEqual([...Array(7).fill(202), ...Array(13).fill(429)]);
      for (const item of results.slice(7)) {
        expect(item.error).toMatchObject({ code: 'RUNLANE_ERR_QUEUE_USER_QUOTA', message: expect.stringContaining('limit 5') });
        expect(item.retryAfter).toBeGreaterThanOrEqual(1);
      }

      const again = await call(stack.app, 'POST', '/api/v1/submissions', { headers: greedy.headers, payload: { ...SLEEPER, priority: 'submit' } });
      expect(again.statusCode).toBe(429);
      expect(again.body.error.code).toBe('RUNLANE_ERR_QUEUE_USER_QUOTA');
      expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);

      const other = await makeUser('Other');
      const served = await call(stack.app, 'POST', '/api/v1/submissions', { headers: other.headers, payload: { language: 'python', source: 'print("served")' } });
      expect(served.statusCode).toBe(202);
      const finished = await waitForSubmission(stack.app, served.body.id, other.headers, 60_000);
      expect(finished.body).toMatchObject({ status: 'completed', stdout: 'served\n' });
      // The other user took the first freed slot, ahead of the greedy user's backlog of five: most of it still waits (slots freed
      // after that go back to the greedy user, since nobody else is waiting, so one or two may have started by now).
      const greedyQueued = (await call(stack.app, 'GET', '/api/v1/queue', { headers: greedy.headers })).body.queued.filter((entry: { user: { userId: string } }) => entry.user.userId === greedy.userId);
      expect(greedyQueued.length).toBeGreaterThanOrEqual(3);
      expect(greedyQueued.length).toBeLessThanOrEqual(5);
    });

    it('should refuse the same user on the compatibility routes and in rooms too', async () => {
      const greedy = await makeUser('Greedy');
      const ids: string[] = [];
      cleanups.push(() => cancelQueued(stack, ids, greedy.headers));
      for (let index = 0; index < 7; index += 1) {
        const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: greedy.headers, payload: SLEEPER });
        expect(response.statusCode).toBe(202);
        ids.push(response.body.id);
      }
      const compat = await call(stack.app, 'POST', '/execute', { headers: greedy.headers, payload: { code: 'print(1)', language: 'python' } });
      expect(compat.statusCode).toBe(429);
      expect(compat.body).toMatchObject({ success: false, error: { code: 'RUNLANE_ERR_QUEUE_USER_QUOTA' } });

      const socket = await connect(stack.url, { token: greedy.token });
      sockets.push(socket);
      const roomId = `room-${randomUUID()}`;
      expect(await request(socket, 'join-room', { roomId })).toMatchObject({ ok: true });
      expect(await request(socket, 'execute-code', { roomId, language: 'python', code: 'print(1)' })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_QUEUE_USER_QUOTA' } });
    });
  });

  describe('when the users of one API key fill the key\'s cap', () => {
    it('should refuse further work of that key with 429 RUNLANE_ERR_QUEUE_KEY_QUOTA and admit others', async () => {
      const ids: string[] = [];
      cleanups.push(() => cancelQueued(stack, ids, bearer(API_KEY)));
      // Two running, three queued: the key's cap (3) binds before its user's (5).
      for (let index = 0; index < 5; index += 1) {
        const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: bearer(API_KEY), payload: SLEEPER });
        expect(response.statusCode).toBe(202);
        ids.push(response.body.id);
      }
      const refused = await call(stack.app, 'POST', '/api/v1/submissions', { headers: bearer(API_KEY), payload: { language: 'python', source: 'print(1)' } });
      expect(refused.statusCode).toBe(429);
      expect(refused.body.error.code).toBe('RUNLANE_ERR_QUEUE_KEY_QUOTA');
      expect(refused.text).not.toContain(API_KEY);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const other = await makeUser('Other');
      expect((await call(stack.app, 'POST', '/api/v1/submissions', { headers: other.headers, payload: { language: 'python', source: 'print(1)' } })).statusCode).toBe(202);
    });
  });
});

describe('fair dispatch for a user who may hold every slot', () => {
  let stack: RealtimeStack;

  beforeAll(async () => {
    stack = await createRealtimeStack({ scheduler: { maxConcurrent: 2, userMaxRunning: 2, userMaxQueued: 5 }, shutdown: { graceMs: 100 } });
  });
  afterAll(async () => stack?.close());

  describe('when the greedy user fills both slots and their queue', () => {
    it('should start another user\'s job within one freed slot, before the greedy user\'s backlog', async () => {
      const greedy = await makeUser('Greedy');
      const ids: string[] = [];
      for (let index = 0; index < 7; index += 1) {
        const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: greedy.headers, payload: { language: 'python', source: 'import time\ntime.sleep(2)' } });
        expect(response.statusCode).toBe(202);
        ids.push(response.body.id);
      }
      const other = await makeUser('Other');
      const served = await call(stack.app, 'POST', '/api/v1/submissions', { headers: other.headers, payload: { language: 'python', source: 'print("served")' } });
      expect(served.statusCode).toBe(202);
      expect(served.body.position).toBeLessThanOrEqual(2);
      const finished = await waitForSubmission(stack.app, served.body.id, other.headers, 60_000);
      expect(finished.body.status).toBe('completed');
      const backlog = await Promise.all(ids.map((id) => stack.service.get(id)));
      expect(backlog.filter((state) => state?.submission.status === 'queued').length).toBeGreaterThanOrEqual(3);
      for (const id of ids) await call(stack.app, 'DELETE', `/api/v1/submissions/${id}`, { headers: greedy.headers });
    });
  });
});
