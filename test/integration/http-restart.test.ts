// Restart recovery: submissions a dead process left queued or running are failed ("server restarted") when a new service starts on the file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSubmission } from '../../src/store/conformance/fixtures.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { call } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let dir: string;
let stack: TestStack;
const queued = makeSubmission({ createdAt: new Date(Date.now() - 2_000) });
const running = makeSubmission({ createdAt: new Date(Date.now() - 1_000) });
const finished = makeSubmission({ createdAt: new Date(Date.now() - 3_000) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runlane-restart-'));
  const databasePath = join(dir, 'runlane.db');
  // What a process killed mid-work leaves behind: one row queued, one running, one finished.
  const previous = await createSqliteStore(databasePath);
  for (const submission of [queued, running, finished]) await previous.createSubmission(submission);
  await previous.transition(running.id, ['queued'], { status: 'running', startedAt: new Date() });
  await previous.transition(finished.id, ['queued', 'running'], { status: 'cancelled', verdict: null, result: null, error: 'cancelled by its owner', finishedAt: new Date() });
  await previous.close();
  stack = await createTestStack({}, { databasePath });
});

afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('when a new service starts on a store with unfinished submissions', () => {
  it('should mark queued and running ones failed with internal_error and "server restarted"', async () => {
    const user = await makeUser();
    for (const submission of [queued, running]) {
      const response = await call(stack.app, 'GET', `/api/v1/submissions/${submission.id}`, { headers: user.headers });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ id: submission.id, status: 'failed', verdict: 'internal_error', message: 'server restarted', finishedAt: expect.any(String) });
    }
  });

  it('should leave finished ones as they were', async () => {
    const user = await makeUser();
    const response = await call(stack.app, 'GET', `/api/v1/submissions/${finished.id}`, { headers: user.headers });
    expect(response.body).toMatchObject({ status: 'cancelled', message: 'cancelled by its owner' });
  });

  it('should count them as failed and keep serving new submissions', async () => {
    const user = await makeUser();
    const stats = await call(stack.app, 'GET', '/api/v1/stats', { headers: user.headers });
    expect(stats.body.failed).toBe(2);
    const fresh = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload: { language: 'python', source: 'print("after restart")' } });
    expect(fresh.body).toMatchObject({ status: 'completed', stdout: 'after restart\n' });
  });
});
