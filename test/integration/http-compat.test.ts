// The seed documents' own example requests against the compatible routes, answered in the seeds' shapes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { bearer, makeUser, signToken } from '../support/tokens.js';

let stack: TestStack;
let token: string;

beforeAll(async () => {
  // Anonymous on (loopback), as the seeds' local setups ran; tokens are used where the seeds send one.
  stack = await createTestStack();
  token = await signToken({ sub: 'seed-user', name: 'Seed User' });
});

afterAll(async () => {
  await stack?.close();
});

async function pollSubmission(id: string) {
  let last = await call(stack.app, 'GET', `/submission/${id}`, { headers: bearer(token) });
  await eventually(async () => {
    last = await call(stack.app, 'GET', `/submission/${id}`, { headers: bearer(token) });
    return last.body.status === 'completed' || last.body.status === 'failed';
  }, 30_000);
  return last;
}

describe('seed 000 (CodeRank)', () => {
  describe('when POST /execute gets the seed\'s example request', () => {
    it('should answer 202 { success, data: { submissionId, status: queued, message } } and the poll should give the output', async () => {
      const response = await call(stack.app, 'POST', '/execute', {
        headers: bearer(token),
        payload: { code: "print('hello')", language: 'python', input: '', title: 'My Script' },
      });
      expect(response.statusCode).toBe(202);
      expect(response.body).toEqual({ success: true, data: { submissionId: expect.any(String), status: 'queued', message: 'Code execution queued' } });
      const finished = await pollSubmission(response.body.data.submissionId);
      expect(finished.statusCode).toBe(200);
      expect(finished.body).toMatchObject({ status: 'completed', output: 'hello\n', executionTime: expect.any(Number), title: 'My Script' });
    });
  });

  describe('when the seed\'s 20-parallel test runs', () => {
    it('should queue all 20, run them all, and report them in /stats while in progress', async () => {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          call(stack.app, 'POST', '/execute', { headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"code":"print(123)","language":"python"}' }),
        ),
      );
      expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(202));
      const stats = await call(stack.app, 'GET', '/stats', { headers: bearer(token) });
      expect(stats.statusCode).toBe(200);
      expect(stats.body).toEqual({ success: true, data: { activeExecutions: expect.any(Number), queuedExecutions: expect.any(Number), totalInProgress: expect.any(Number) } });
      expect(stats.body.data.totalInProgress).toBe(stats.body.data.activeExecutions + stats.body.data.queuedExecutions);
      expect(stats.body.data.totalInProgress).toBeGreaterThan(0);
      const ids = new Set(responses.map((response) => response.body.data.submissionId));
      expect(ids.size).toBe(20);
      for (const id of ids) {
        const finished = await pollSubmission(id);
        expect(finished.body).toMatchObject({ status: 'completed', output: '123\n' });
      }
    });
  });

  describe('when GET /submission/:id is polled before the run has finished', () => {
    it('should answer with the current status', async () => {
      const held = await call(stack.app, 'POST', '/execute', { headers: bearer(token), payload: { code: 'import time\ntime.sleep(0.5)', language: 'python' } });
      const status = await call(stack.app, 'GET', `/submission/${held.body.data.submissionId}`, { headers: bearer(token) });
      expect(['queued', 'running', 'completed']).toContain(status.body.status);
      await pollSubmission(held.body.data.submissionId);
    });
  });

  describe('when the submission does not exist', () => {
    it('should answer 404 with success false', async () => {
      const response = await call(stack.app, 'GET', `/submission/${randomUUID()}`, { headers: bearer(token) });
      expect(response.statusCode).toBe(404);
      expect(response.body).toMatchObject({ success: false, error: { code: 'RUNLANE_ERR_QUEUE_NOT_FOUND' } });
    });
  });
});

describe('seed 003 (JustCoding)', () => {
  const roomId = `abc123-${randomUUID()}`;

  describe('when POST /compile gets the seed\'s example request anonymously', () => {
    it('should run it synchronously as the claimed user behind this address, and echo the id history records', async () => {
      const correlationId = `optional-custom-id-${randomUUID()}`;
      const response = await call(stack.app, 'POST', '/compile', {
        payload: { language: 'python', code: "print('Hello World')", stdin: '', roomId, userId: 'user-001', username: 'JohnDoe', correlationId },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({
        success: true,
        executionId: expect.any(String),
        correlationId,
        userId: 'anon:127.0.0.1:user-001',
        username: 'JohnDoe',
        roomId,
        output: 'Hello World\n',
        language: 'python',
        executionTime: expect.any(Number),
        timestamp: expect.any(String),
      });
      expect(new Date(response.body.timestamp).toISOString()).toBe(response.body.timestamp);
    });
  });

  describe('when POST /compile repeats a correlationId', () => {
    it('should answer the same claimed user with the earlier run, and run another claimed user\'s request as its own', async () => {
      const correlationId = `repeat-${randomUUID()}`;
      const body = { language: 'python', code: 'print("kept")', roomId: `repeat-room-${randomUUID()}`, correlationId };
      const first = await call(stack.app, 'POST', '/compile', { payload: { ...body, userId: 'user-first', username: 'First' } });
      expect(first.body).toMatchObject({ userId: 'anon:127.0.0.1:user-first', username: 'First', output: 'kept\n' });
      const repeated = await call(stack.app, 'POST', '/compile', { payload: { ...body, userId: 'user-first', username: 'First' } });
      expect(repeated.statusCode).toBe(200);
      expect(repeated.body.executionId).toBe(first.body.executionId);
      // correlationIds are per user: another claimed user's request is a run of its own and never touches the first one.
      const other = await call(stack.app, 'POST', '/compile', { payload: { ...body, userId: 'user-intruder', username: 'Intruder' } });
      expect(other.body.executionId).not.toBe(first.body.executionId);
      expect(other.body.userId).toBe('anon:127.0.0.1:user-intruder');
    });

    it('should refuse a different body under the same correlationId with 409', async () => {
      const user = await makeUser('Repeat');
      const correlationId = `repeat-${randomUUID()}`;
      const ran = await call(stack.app, 'POST', '/compile', { headers: user.headers, payload: { language: 'python', code: 'print(1)', correlationId } });
      expect(ran.statusCode).toBe(200);
      const refused = await call(stack.app, 'POST', '/compile', { headers: user.headers, payload: { language: 'python', code: 'print(2)', correlationId } });
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toMatchObject({ success: false, error: { code: 'RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH' } });
    });
  });

  describe('when POST /compile is sent with a token', () => {
    it('should attribute the result to the token\'s user whatever the body claims', async () => {
      const user = await makeUser('Real Name');
      const response = await call(stack.app, 'POST', '/compile', {
        headers: user.headers,
        payload: { language: 'python', code: 'print(1)', roomId, userId: 'someone-else', username: 'Impostor' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ userId: user.userId, username: 'Real Name' });
      const stored = await call(stack.app, 'GET', `/api/v1/submissions/${response.body.executionId}`, { headers: user.headers });
      expect(stored.body.user.userId).toBe(user.userId);
    });
  });

  describe('when two users compile in the same room at once (the seed\'s scenario 1)', () => {
    it('should run both and attribute each result to its user', async () => {
      const room = `test123-${randomUUID()}`;
      const [first, second] = await Promise.all([
        call(stack.app, 'POST', '/compile', { payload: { language: 'python', code: 'print("User1")', roomId: room, userId: 'user1' } }),
        call(stack.app, 'POST', '/compile', { payload: { language: 'python', code: 'print("User2")', roomId: room, userId: 'user2' } }),
      ]);
      expect(first.body).toMatchObject({ success: true, userId: 'anon:127.0.0.1:user1', output: 'User1\n' });
      expect(second.body).toMatchObject({ success: true, userId: 'anon:127.0.0.1:user2', output: 'User2\n' });
    });
  });

  describe('when the seed\'s load test sends 100 requests 10 at a time for one user in one room', () => {
    it('should complete every one', async () => {
      const payload = { language: 'python', code: "print('Load test')", roomId: `loadtest-${randomUUID()}`, userId: 'lt-user' };
      const user = await makeUser('Load');
      let done = 0;
      const worker = async () => {
        while (done < 100) {
          done += 1;
          const response = await call(stack.app, 'POST', '/compile', { headers: user.headers, payload });
          expect(response.body).toMatchObject({ success: true, output: 'Load test\n' });
        }
      };
      await Promise.all(Array.from({ length: 10 }, worker));
    }, 120_000);
  });

  describe('when the /api/execution routes are read', () => {
    it('should give history, execution, stats and queue status in the seed\'s shapes', async () => {
      const user = await makeUser('History');
      const room = `abc123-${randomUUID()}`;
      const ran = await call(stack.app, 'POST', '/compile', { headers: user.headers, payload: { language: 'python', code: 'print("h")', roomId: room } });
      const headers = user.headers;

      const byRoom = await call(stack.app, 'GET', `/api/execution/history/room/${room}`, { headers, query: { limit: '20' } });
      expect(byRoom.statusCode).toBe(200);
      expect(byRoom.body).toMatchObject({ success: true, roomId: room, count: 1 });
      expect(byRoom.body.history[0]).toMatchObject({
        executionId: ran.body.executionId,
        userId: user.userId,
        username: 'History',
        language: 'python',
        success: true,
        executionTime: expect.any(Number),
        completedAt: expect.any(String),
      });

      const byUser = await call(stack.app, 'GET', `/api/execution/history/user/${user.userId}`, { headers });
      expect(byUser.body).toMatchObject({ success: true, userId: user.userId, count: 1, history: [{ executionId: ran.body.executionId }] });

      const one = await call(stack.app, 'GET', `/api/execution/history/execution/${ran.body.executionId}`, { headers });
      expect(one.body).toMatchObject({ success: true, execution: { executionId: ran.body.executionId, code: 'print("h")', output: 'h\n', status: 'completed' } });
      const other = await makeUser('Other');
      const seenByOther = await call(stack.app, 'GET', `/api/execution/history/execution/${ran.body.executionId}`, { headers: other.headers });
      expect(seenByOther.body.execution).not.toHaveProperty('code');

      const stats = await call(stack.app, 'GET', `/api/execution/stats/room/${room}`, { headers, query: { timeRange: '3600000' } });
      expect(stats.body).toMatchObject({
        success: true,
        roomId: room,
        timeRange: 3_600_000,
        stats: { totalExecutions: 1, successfulExecutions: 1, failedExecutions: 0, avgExecutionTime: expect.any(Number), totalExecutionTime: expect.any(Number) },
      });

      const roomQueue = await call(stack.app, 'GET', `/api/execution/queue/status/${room}`, { headers });
      expect(roomQueue.body).toMatchObject({ success: true, roomId: room, queueLength: 0, oldestAge: 0 });
      const nodeQueue = await call(stack.app, 'GET', '/api/execution/queue/status', { headers });
      expect(nodeQueue.body).toMatchObject({ success: true, queueLength: expect.any(Number), oldestAge: expect.any(Number) });
    });

    it('should answer 404 with success false for an unknown execution', async () => {
      const response = await call(stack.app, 'GET', `/api/execution/history/execution/exec-${randomUUID()}`);
      expect(response.statusCode).toBe(404);
      expect(response.body).toMatchObject({ success: false, error: { code: 'RUNLANE_ERR_QUEUE_NOT_FOUND' } });
    });
  });
});

describe('seed 004 (CodeWar)', () => {
  describe('when POST /run gets python and cpp code with input', () => {
    it('should answer synchronously with output, executionTime and jobId', async () => {
      const py = await call(stack.app, 'POST', '/run', { payload: { code: 'print(input()[::-1])', language: 'python', input: 'abc' } });
      expect(py.statusCode).toBe(200);
      expect(py.body).toEqual({ output: 'cba\n', executionTime: expect.any(Number), jobId: expect.any(String), status: 'completed', verdict: 'accepted' });
      const cpp = await call(stack.app, 'POST', '/run', {
        payload: { code: '#include <iostream>\nint main(){int a,b;std::cin>>a>>b;std::cout<<a*b<<std::endl;}', language: 'cpp', input: '6 7' },
      });
      expect(cpp.statusCode).toBe(200);
      expect(cpp.body).toMatchObject({ output: '42\n', verdict: 'accepted' });
    });

    it('should give compiler messages as output for code that does not compile', async () => {
      const response = await call(stack.app, 'POST', '/run', { payload: { code: 'int main( {', language: 'cpp' } });
      expect(response.statusCode).toBe(200);
      expect(response.body.verdict).toBe('compilation_error');
      expect(response.body.output).toContain('error');
    });
  });

  describe('when GET /health is called (seed 002 and 004)', () => {
    it('should give status, queue_length, processing, max_concurrent and uptime', async () => {
      const response = await call(stack.app, 'GET', '/health');
      expect(response.body).toMatchObject({ status: 'healthy', queue_length: expect.any(Number), processing: expect.any(Number), max_concurrent: expect.any(Number), uptime: expect.any(Number) });
    });
  });
});
