// REST submissions over the real stack: submit (202, ?wait), idempotency, read, batch, test cases, multi-file programs.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;
let alice: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  stack = await createTestStack();
  alice = await makeUser('Alice');
});

afterAll(async () => {
  await stack?.close();
});

describe('POST /api/v1/submissions', () => {
  describe('when submitted without wait', () => {
    it('should answer 202 with id, status queued, position and the echoed correlationId', async () => {
      const correlationId = `corr-${randomUUID()}`;
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        payload: { language: 'python', source: 'print("async")', correlationId },
      });
      expect(response.statusCode).toBe(202);
      expect(response.body).toEqual({ id: expect.any(String), status: 'queued', queuePosition: expect.any(Number), roomPosition: null, position: expect.any(Number), correlationId });
      expect(response.body.position).toBe(response.body.queuePosition);
      expect(response.headers.location).toBe(`/api/v1/submissions/${response.body.id}`);
      const finished = await waitForSubmission(stack.app, response.body.id, alice.headers);
      expect(finished.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: 'async\n', correlationId });
    });

    it('should give a room position when the submission is in a room', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        payload: { language: 'python', source: 'print(1)', roomId: `room-${randomUUID()}` },
      });
      expect(response.statusCode).toBe(202);
      expect(response.body.roomPosition).toBe(1);
      await waitForSubmission(stack.app, response.body.id, alice.headers);
    });
  });

  describe('when submitted with ?wait=true', () => {
    it('should answer 200 with the finished submission and its figures', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        query: { wait: 'true' },
        payload: { language: 'python', source: 'import sys\nprint(sys.stdin.read().upper())', stdin: 'shout', title: 'Upper' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({
        status: 'completed',
        verdict: 'accepted',
        stdout: 'SHOUT\n',
        stderr: '',
        exitCode: 0,
        signal: null,
        title: 'Upper',
        language: 'python',
        priority: 'run',
        user: { userId: alice.userId, displayName: 'Alice', avatar: expect.stringContaining(alice.userId) },
        compile: null,
      });
      expect(response.body.wallTimeMs).toBeGreaterThan(0);
      expect(response.body.memoryKb).toBeGreaterThanOrEqual(0);
      expect(new Date(response.body.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(response.body.createdAt).getTime());
      expect(response.body).not.toHaveProperty('source');
      expect(response.body).not.toHaveProperty('request');
    });

    it('should report a program\'s failure as a verdict, not an error', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        query: { wait: 'true' },
        payload: { language: 'python', source: 'import sys\nsys.stderr.write("bad\\n")\nsys.exit(3)' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ status: 'completed', verdict: 'runtime_error', exitCode: 3, stderr: 'bad\n' });
    });
  });

  describe('when the wait is shorter than the run', () => {
    it('should answer 202 with where the submission stands', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        query: { wait: '100' },
        payload: { language: 'python', source: 'import time\ntime.sleep(1.5)\nprint("late")' },
      });
      expect(response.statusCode).toBe(202);
      expect(['queued', 'running']).toContain(response.body.status);
      const finished = await waitForSubmission(stack.app, response.body.id, alice.headers);
      expect(finished.body.stdout).toBe('late\n');
    });
  });

  describe('when the wait is above the server maximum', () => {
    it('should refuse it with a validation error naming the maximum', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        query: { wait: String(stack.config.scheduler.maxWaitMs + 1) },
        payload: { language: 'python', source: 'print(1)' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.body.error.code).toBe('RUNLANE_ERR_HTTP_VALIDATION');
      expect(response.body.error.message).toContain(String(stack.config.scheduler.maxWaitMs));
    });
  });

  describe('when the same correlationId is sent again by the same user', () => {
    it('should return the existing submission (202 while unfinished, 200 once finished) and never run it twice', async () => {
      const correlationId = `idem-${randomUUID()}`;
      const payload = { language: 'python', source: 'import time\ntime.sleep(0.5)\nprint("once")', correlationId };
      const first = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload });
      const again = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload });
      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(202);
      expect(again.body.id).toBe(first.body.id);
      await waitForSubmission(stack.app, first.body.id, alice.headers);
      const afterFinish = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload });
      expect(afterFinish.statusCode).toBe(200);
      expect(afterFinish.body).toMatchObject({ id: first.body.id, status: 'completed', stdout: 'once\n' });
      const history = await call(stack.app, 'GET', `/api/v1/users/${alice.userId}/history`, { headers: alice.headers, query: { limit: '200' } });
      expect(history.body.items.filter((item: { correlationId: string }) => item.correlationId === correlationId)).toHaveLength(1);
    });

    it('should share one submission between concurrent duplicates', async () => {
      const correlationId = `race-${randomUUID()}`;
      const payload = { language: 'python', source: 'print("race")', correlationId };
      const answers = await Promise.all(Array.from({ length: 5 }, () => call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload })));
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
      const history = await call(stack.app, 'GET', `/api/v1/users/${alice.userId}/history`, { headers: alice.headers, query: { limit: '200' } });
      expect(history.body.items.filter((item: { correlationId: string }) => item.correlationId === correlationId)).toHaveLength(1);
    });

    it('should refuse the same correlationId with a different body with 409, before and after the first has finished', async () => {
      const correlationId = `mismatch-${randomUUID()}`;
      const payload = { language: 'python', source: 'print("first")', correlationId };
      const first = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload });
      expect(first.statusCode).toBe(202);
      for (const changed of [{ ...payload, source: 'print("second")' }, { ...payload, stdin: 'other input' }, { ...payload, title: 'renamed' }]) {
        const refused = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload: changed });
        expect(refused.statusCode).toBe(409);
        expect(refused.body.error.code).toBe('RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH');
        expect(refused.body.error.message).toContain('already used for a different request');
      }
      await waitForSubmission(stack.app, first.body.id, alice.headers);
      const late = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, query: { wait: 'true' }, payload: { ...payload, source: 'print("late")' } });
      expect(late.statusCode).toBe(409);
      const same = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload });
      expect(same).toMatchObject({ statusCode: 200, body: { id: first.body.id, stdout: 'first\n' } });
    });

    it('should answer each item of a batch on its own: the same body with the submission, a different one with 409', async () => {
      const correlationId = `batch-${randomUUID()}`;
      const payload = { language: 'python', source: 'print("b")', correlationId };
      const response = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: alice.headers, payload: { submissions: [payload, payload, { ...payload, source: 'print("c")' }] } });
      const [one, two, three] = response.body.results;
      expect(two.id).toBe(one.id);
      expect(three).toMatchObject({ statusCode: 409, error: { code: 'RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH' } });
    });

    it('should keep another user\'s equal correlationId apart', async () => {
      const bob = await makeUser('Bob');
      const correlationId = `shared-${randomUUID()}`;
      const payload = { language: 'python', source: 'print(2)', correlationId };
      const mine = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, payload });
      const theirs = await call(stack.app, 'POST', '/api/v1/submissions', { headers: bob.headers, payload });
      expect(theirs.body.id).not.toBe(mine.body.id);
    });
  });

  describe('when the submission has test cases', () => {
    it('should give one verdict per case and an overall verdict', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        query: { wait: 'true' },
        payload: {
          language: 'python',
          source: 'a, b = map(int, input().split())\nprint(a + b)',
          priority: 'submit',
          testCases: [
            { stdin: '1 2', expectedOutput: '3' },
            { stdin: '2 2', expectedOutput: '5' },
            { stdin: '10 5', expectedOutput: '15\n' },
          ],
        },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body.priority).toBe('submit');
      expect(response.body.verdict).toBe('wrong_answer');
      expect(response.body.testCases.map((testCase: { verdict: string }) => testCase.verdict)).toEqual(['accepted', 'wrong_answer', 'accepted']);
      expect(response.body.testCases[1]).toMatchObject({ index: 1, stdout: '4\n', expectedOutput: '5' });
    });
  });

  describe('when the program has several files and arguments', () => {
    it('should run the entry file with the other files importable', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        query: { wait: 'true' },
        payload: {
          language: 'python',
          files: [
            { name: 'helper.py', content: 'def greet(name):\n    return "hi " + name\n' },
            { name: 'app.py', content: 'import sys\nfrom helper import greet\nprint(greet(sys.argv[1]))' },
          ],
          entry: 'app.py',
          args: ['there'],
        },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ verdict: 'accepted', stdout: 'hi there\n' });
    });
  });

  describe('when a compiled language is used', () => {
    it('should report the compile stage', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: alice.headers,
        query: { wait: 'true' },
        payload: { language: 'c', source: '#include <stdio.h>\nint main(void) { puts("compiled"); return 0; }\n' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ verdict: 'accepted', stdout: 'compiled\n', compile: { verdict: 'accepted', cached: expect.any(Boolean) } });
    });
  });
});

describe('GET /api/v1/submissions/:id', () => {
  describe('when the id exists', () => {
    it('should return a room execution to any authenticated user, and a private one only to its owner', async () => {
      const shared = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, query: { wait: 'true' }, payload: { language: 'python', source: 'print("read")', roomId: `room-${randomUUID()}` } });
      const private_ = await call(stack.app, 'POST', '/api/v1/submissions', { headers: alice.headers, query: { wait: 'true' }, payload: { language: 'python', source: 'print("mine")' } });
      const bob = await makeUser('Bob');
      const read = await call(stack.app, 'GET', `/api/v1/submissions/${shared.body.id}`, { headers: bob.headers });
      expect(read.statusCode).toBe(200);
      expect(read.body).toMatchObject({ id: shared.body.id, stdout: 'read\n', user: { userId: alice.userId } });
      expect((await call(stack.app, 'GET', `/api/v1/submissions/${private_.body.id}`, { headers: bob.headers })).statusCode).toBe(404);
      expect((await call(stack.app, 'GET', `/api/v1/submissions/${private_.body.id}`, { headers: alice.headers })).body.stdout).toBe('mine\n');
    });
  });

  describe('when the id is unknown', () => {
    it('should answer 404 with a stable code', async () => {
      const response = await call(stack.app, 'GET', `/api/v1/submissions/${randomUUID()}`, { headers: alice.headers });
      expect(response.statusCode).toBe(404);
      expect(response.body.error.code).toBe('RUNLANE_ERR_QUEUE_NOT_FOUND');
    });
  });
});

describe('POST /api/v1/submissions/batch', () => {
  describe('when the batch mixes good and bad items', () => {
    it('should admit each item on its own and report per-item outcomes in order', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions/batch', {
        headers: alice.headers,
        payload: {
          submissions: [
            { language: 'python', source: 'print("b1")' },
            { language: 'no-such-language', source: 'x' },
            { language: 'python', source: 'print("b3")' },
          ],
        },
      });
      expect(response.statusCode).toBe(200);
      const [first, second, third] = response.body.results;
      expect(first).toMatchObject({ statusCode: 202, status: 'queued', id: expect.any(String) });
      expect(second).toMatchObject({ statusCode: 400, error: { code: 'RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE' } });
      expect(third).toMatchObject({ statusCode: 202, status: 'queued' });
      const done = await waitForSubmission(stack.app, third.id, alice.headers);
      expect(done.body.stdout).toBe('b3\n');
    });
  });

  describe('when the batch has 20 items', () => {
    it('should accept all of them', async () => {
      const submissions = Array.from({ length: 20 }, (_, index) => ({ language: 'python', source: `print(${index})` }));
      const response = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: alice.headers, payload: { submissions } });
      expect(response.statusCode).toBe(200);
      expect(response.body.results.every((item: { statusCode: number }) => item.statusCode === 202)).toBe(true);
      for (const [index, item] of response.body.results.entries()) {
        const done = await waitForSubmission(stack.app, item.id, alice.headers);
        expect(done.body.stdout).toBe(`${index}\n`);
      }
    });
  });

  describe('when the batch has more than 20 items', () => {
    it('should refuse the whole batch with RUNLANE_ERR_HTTP_BATCH_TOO_LARGE', async () => {
      const submissions = Array.from({ length: 21 }, () => ({ language: 'python', source: 'print(1)' }));
      const response = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: alice.headers, payload: { submissions } });
      expect(response.statusCode).toBe(400);
      expect(response.body.error.code).toBe('RUNLANE_ERR_HTTP_BATCH_TOO_LARGE');
    });
  });
});
