// Results through the real REST stack: figures on every case, the toolchain version, priorities as names, batch ?wait.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;

beforeAll(async () => {
  // One slot, so a sleeping blocker keeps the next submissions queued long enough to list them.
  stack = await createTestStack({ scheduler: { maxConcurrent: 1, maxWaitMs: 20_000, roomMaxQueued: 50 } });
});

afterAll(async () => {
  await stack.close();
});

const pythonVersion = () => stack.service.languages().find((language) => language.id === 'python')!.version;

describe('when a finished submission is read', () => {
  it('should give the toolchain version and CPU and wall time on the submission and every test case', async () => {
    const user = await makeUser('Figures');
    const testCases = [{ stdin: '1', expectedOutput: '2' }, { stdin: '2', expectedOutput: '3' }, { stdin: '3', expectedOutput: '4' }];
    const submitted = await call(stack.app, 'POST', '/api/v1/submissions', {
      headers: user.headers,
      query: { wait: 'true' },
      payload: { language: 'python', source: 'print(int(input()) + 1)', testCases },
    });
    expect(submitted.statusCode, JSON.stringify(submitted.body)).toBe(200);
    const body = submitted.body;
    expect(body.verdict).toBe('accepted');
    expect(body.version).toBe(pythonVersion());
    expect(body.version).toMatch(/^\d+\.\d+/);
    expect(body.testCases).toHaveLength(3);
    for (const testCase of body.testCases as { cpuTimeMs: unknown; wallTimeMs: unknown }[]) {
      expect(testCase.cpuTimeMs).toEqual(expect.any(Number));
      expect(testCase.wallTimeMs).toEqual(expect.any(Number));
    }
    const cases = body.testCases as { cpuTimeMs: number; wallTimeMs: number }[];
    expect(body.cpuTimeMs).toBe(Math.max(...cases.map((testCase) => testCase.cpuTimeMs)));
    expect(body.wallTimeMs).toBe(Math.max(...cases.map((testCase) => testCase.wallTimeMs)));

    const read = await call(stack.app, 'GET', `/api/v1/submissions/${body.id}`, { headers: user.headers });
    expect(read.body.version).toBe(pythonVersion());
  });
});

describe('when priorities are listed', () => {
  it('should name the kind and the role that boosted it, never a number', async () => {
    const blocker = await makeUser('Blocker');
    const student = await makeUser('Student');
    const teacher = await makeUser('Teacher', 'teacher');
    const sleeper = await call(stack.app, 'POST', '/api/v1/submissions', { headers: blocker.headers, payload: { language: 'python', source: 'import time\ntime.sleep(1.5)' } });
    expect(sleeper.statusCode, JSON.stringify(sleeper.body)).toBe(202);
    const graded = await call(stack.app, 'POST', '/api/v1/submissions', { headers: student.headers, payload: { language: 'python', source: 'print(1)', priority: 'submit' } });
    const boosted = await call(stack.app, 'POST', '/api/v1/submissions', { headers: teacher.headers, payload: { language: 'python', source: 'print(1)', roomId: `room-${randomUUID()}` } });
    expect([graded.statusCode, boosted.statusCode]).toEqual([202, 202]);

    const studentView = await call(stack.app, 'GET', '/api/v1/queue', { headers: student.headers });
    const listed = [...studentView.body.queued, ...studentView.body.active] as { id: string; priority: unknown; priorityBoostedBy: unknown }[];
    expect(listed.find((entry) => entry.id === graded.body.id)).toMatchObject({ priority: 'submit', priorityBoostedBy: null });
    expect(listed.find((entry) => entry.id === boosted.body.id)).toMatchObject({ priority: 'run', priorityBoostedBy: 'teacher' });
    for (const entry of listed) expect(['run', 'submit']).toContain(entry.priority);

    const teacherRead = await call(stack.app, 'GET', `/api/v1/submissions/${boosted.body.id}`, { headers: teacher.headers });
    expect(teacherRead.body).toMatchObject({ priority: 'run', priorityBoostedBy: 'teacher' });
    for (const [id, headers] of [[sleeper.body.id, blocker.headers], [graded.body.id, student.headers], [boosted.body.id, teacher.headers]] as const) {
      expect((await waitForSubmission(stack.app, id as string, headers)).body.status).toBe('completed');
    }
  });
});

describe('when a batch is submitted with ?wait', () => {
  it('should answer once every item has finished, each with its whole result', async () => {
    const user = await makeUser('Batch');
    const submissions = [1, 2, 3].map((value) => ({ language: 'python', source: `print(${value} * 10)` }));
    const answer = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: user.headers, query: { wait: '20000' }, payload: { submissions } });
    expect(answer.statusCode).toBe(200);
    const results = answer.body.results as { statusCode: number; status: string; verdict: string; stdout: string; version: string }[];
    expect(results.map((item) => [item.statusCode, item.status, item.verdict, item.stdout])).toEqual([
      [200, 'completed', 'accepted', '10\n'],
      [200, 'completed', 'accepted', '20\n'],
      [200, 'completed', 'accepted', '30\n'],
    ]);
    expect(results[0]!.version).toBe(pythonVersion());
  });

  it('should end the wait at its bound and give unfinished items their 202 body as they stand', async () => {
    const user = await makeUser('Slow batch');
    const submissions = [{ language: 'python', source: 'print("quick")' }, { language: 'python', source: 'import time\ntime.sleep(3)\nprint("slow")' }];
    const started = Date.now();
    const answer = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: user.headers, query: { wait: '1500' }, payload: { submissions } });
    const tookMs = Date.now() - started;
    expect(answer.statusCode).toBe(200);
    const [quick, slow] = answer.body.results as { statusCode: number; status: string; id: string; stdout?: string }[];
    expect(quick).toMatchObject({ statusCode: 200, status: 'completed', stdout: 'quick\n' });
    expect(slow!.statusCode).toBe(202);
    expect(['queued', 'running']).toContain(slow!.status);
    expect(slow).not.toHaveProperty('stdout');
    expect(tookMs).toBeLessThan(1500 + 1000);
    expect((await waitForSubmission(stack.app, slow!.id, user.headers)).body.stdout).toBe('slow\n');
  });

  it('should refuse a wait above the maximum, and unknown query parameters', async () => {
    const user = await makeUser('Bad batch');
    const payload = { submissions: [{ language: 'python', source: 'print(1)' }] };
    const tooLong = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: user.headers, query: { wait: '20001' }, payload });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body.error.code).toBe('RUNLANE_ERR_HTTP_VALIDATION');
    expect(tooLong.body.error.message).toContain('20000 ms');
    const typo = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: user.headers, query: { wiat: '1000' }, payload });
    expect(typo.statusCode).toBe(400);
    expect(typo.body.error.message).toContain('querystring.wiat');
    expect(typo.body.error.message).toContain('`wait`');
    // Neither refused request queued anything.
    expect(await eventually(async () => (await stack.service.snapshot(null)).queued.every((entry) => entry.userId !== user.userId), 1_000)).toBe(true);
  });

  it('should answer at once without ?wait, as before', async () => {
    const user = await makeUser('Plain batch');
    const answer = await call(stack.app, 'POST', '/api/v1/submissions/batch', { headers: user.headers, payload: { submissions: [{ language: 'python', source: 'print(1)' }] } });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.results[0]).toMatchObject({ statusCode: 202 });
    expect(answer.body.results[0]).not.toHaveProperty('stdout');
    expect((await waitForSubmission(stack.app, answer.body.results[0].id as string, user.headers)).body.status).toBe('completed');
  });
});
