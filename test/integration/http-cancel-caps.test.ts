// Cancellation rules and admission caps over HTTP: own queued ok, others' 403 (room) or 404 (private), running 409; room/user caps 429, node cap 503.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, eventually, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;

/** A program that holds the node's only slot long enough for the test to look at the queue. */
const HOLD = { language: 'python', source: 'import time\ntime.sleep(2)\nprint("held")' };

beforeEach(async () => {
  stack = await createTestStack({ scheduler: { maxConcurrent: 1, roomMaxQueued: 2, maxQueued: 4 }, shutdown: { graceMs: 100 } });
});

afterEach(async () => {
  await stack?.close();
});

async function holdTheSlot(headers: Record<string, string>): Promise<string> {
  const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers, payload: HOLD });
  expect(response.statusCode).toBe(202);
  const running = await eventually(async () => (await call(stack.app, 'GET', `/api/v1/submissions/${response.body.id}`, { headers })).body.status === 'running');
  expect(running).toBe(true);
  return response.body.id;
}

describe('DELETE /api/v1/submissions/:id', () => {
  describe('when the owner cancels a queued submission', () => {
    it('should cancel it and never run it', async () => {
      const alice = await makeUser('Alice');
      await holdTheSlot(alice.headers);
      const queued = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload: { language: 'python', source: 'print("never")' } });
      expect(queued.body.status).toBe('queued');
      const cancelled = await call(stack.app, 'DELETE', `/api/v1/submissions/${queued.body.id}`, { headers: alice.headers });
      expect(cancelled.statusCode).toBe(200);
      expect(cancelled.body).toMatchObject({ id: queued.body.id, status: 'cancelled', verdict: null, stdout: null });
      const later = await call(stack.app, 'GET', `/api/v1/submissions/${queued.body.id}`, { headers: alice.headers });
      expect(later.body.status).toBe('cancelled');
    });
  });

  describe('when another user tries to cancel it', () => {
    it('should refuse a room execution with 403, a private one with 404, and leave both queued', async () => {
      const alice = await makeUser('Alice');
      const bob = await makeUser('Bob');
      await holdTheSlot(alice.headers);
      const inRoom = await call(stack.app, 'POST', '/api/v1/submissions', { headers: bob.headers, payload: { language: 'python', source: 'print("bob")', roomId: `room-${randomUUID()}` } });
      const alone = await call(stack.app, 'POST', '/api/v1/submissions', { headers: bob.headers, payload: { language: 'python', source: 'print("bob alone")' } });
      const refused = await call(stack.app, 'DELETE', `/api/v1/submissions/${inRoom.body.id}`, { headers: alice.headers });
      expect(refused.statusCode).toBe(403);
      expect(refused.body.error.code).toBe('RUNLANE_ERR_QUEUE_CANCEL_FORBIDDEN');
      const unseen = await call(stack.app, 'DELETE', `/api/v1/submissions/${alone.body.id}`, { headers: alice.headers });
      expect(unseen.statusCode).toBe(404);
      expect(unseen.body.error.code).toBe('RUNLANE_ERR_QUEUE_NOT_FOUND');
      expect((await waitForSubmission(stack.app, inRoom.body.id, bob.headers)).body).toMatchObject({ status: 'completed', stdout: 'bob\n' });
      expect((await waitForSubmission(stack.app, alone.body.id, bob.headers)).body).toMatchObject({ status: 'completed', stdout: 'bob alone\n' });
    });
  });

  describe('when the submission is already running', () => {
    it('should refuse with 409', async () => {
      const alice = await makeUser('Alice');
      const running = await holdTheSlot(alice.headers);
      const refused = await call(stack.app, 'DELETE', `/api/v1/submissions/${running}`, { headers: alice.headers });
      expect(refused.statusCode).toBe(409);
      expect(refused.body.error.code).toBe('RUNLANE_ERR_QUEUE_NOT_CANCELLABLE');
    });
  });

  describe('when the id is unknown', () => {
    it('should answer 404', async () => {
      const alice = await makeUser('Alice');
      const response = await call(stack.app, 'DELETE', `/api/v1/submissions/${randomUUID()}`, { headers: alice.headers });
      expect(response.statusCode).toBe(404);
      expect(response.body.error.code).toBe('RUNLANE_ERR_QUEUE_NOT_FOUND');
    });
  });
});

describe('admission caps', () => {
  describe('when a user already has an execution in the room', () => {
    it('should answer 429 RUNLANE_ERR_QUEUE_USER_BUSY with Retry-After', async () => {
      const alice = await makeUser('Alice');
      const roomId = `room-${randomUUID()}`;
      await holdTheSlot(alice.headers);
      const first = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload: { language: 'python', source: 'print(1)', roomId } });
      expect(first.statusCode).toBe(202);
      const second = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload: { language: 'python', source: 'print(2)', roomId } });
      expect(second.statusCode).toBe(429);
      expect(second.body.error.code).toBe('RUNLANE_ERR_QUEUE_USER_BUSY');
      expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });
  });

  describe('when the room\'s queue is full', () => {
    it('should answer 429 RUNLANE_ERR_QUEUE_ROOM_FULL with Retry-After, while other rooms still get in', async () => {
      const roomId = `room-${randomUUID()}`;
      const holder = await makeUser('Holder');
      await holdTheSlot(holder.headers);
      for (const name of ['A', 'B']) {
        const user = await makeUser(name);
        const admitted = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, payload: { language: 'python', source: 'print(1)', roomId } });
        expect(admitted.statusCode).toBe(202);
      }
      const late = await makeUser('Late');
      const refused = await call(stack.app, 'POST', '/api/v1/submissions', { headers: late.headers, payload: { language: 'python', source: 'print(1)', roomId } });
      expect(refused.statusCode).toBe(429);
      expect(refused.body.error).toMatchObject({ code: 'RUNLANE_ERR_QUEUE_ROOM_FULL', details: { roomId } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const elsewhere = await call(stack.app, 'POST', '/api/v1/submissions', { headers: late.headers, payload: { language: 'python', source: 'print(1)', roomId: `room-${randomUUID()}` } });
      expect(elsewhere.statusCode).toBe(202);
    });
  });

  describe('when the node\'s queue is full', () => {
    it('should answer 503 RUNLANE_ERR_QUEUE_FULL with Retry-After and count the rejection', async () => {
      const alice = await makeUser('Alice');
      await holdTheSlot(alice.headers);
      for (let index = 0; index < stack.config.scheduler.maxQueued; index += 1) {
        const admitted = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload: { language: 'python', source: `print(${index})` } });
        expect(admitted.statusCode).toBe(202);
      }
      const refused = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload: { language: 'python', source: 'print("over")' } });
      expect(refused.statusCode).toBe(503);
      expect(refused.body.error.code).toBe('RUNLANE_ERR_QUEUE_FULL');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const metrics = await call(stack.app, 'GET', '/metrics');
      expect(metrics.text).toContain('runlane_submissions_rejected_total{code="RUNLANE_ERR_QUEUE_FULL"} 1');
    });
  });
});
