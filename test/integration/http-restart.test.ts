// Restart recovery in process: what a dead node left queued or running is run again in order; a run interrupted twice fails.
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
const withStdin = (stdin: string, createdAt: number) => {
  const submission = makeSubmission({ createdAt: new Date(Date.now() - createdAt) });
  return { ...submission, request: { ...submission.request, version: null, stdin } };
};
const queued = withStdin('was queued\n', 2_000);
const running = withStdin('was running\n', 3_000);
const interruptedTwice = withStdin('interrupted twice\n', 4_000);
const finished = withStdin('finished\n', 5_000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runlane-restart-'));
  const databasePath = join(dir, 'runlane.db');
  // What a node killed mid-work leaves behind: one row queued, one running (first attempt), one running again after a
  // retry, one finished. The dead node never released itself, and its heartbeat is long past.
  const previous = await createSqliteStore(databasePath);
  await previous.registerNode('dead-node', new Date(Date.now() - 3_600_000));
  for (const submission of [queued, running, interruptedTwice, finished]) await previous.createSubmission(submission, { nodeId: 'dead-node' });
  await previous.transition(running.id, ['queued'], { status: 'running', startedAt: new Date(), nodeId: 'dead-node' });
  await previous.transition(interruptedTwice.id, ['queued'], { status: 'running', startedAt: new Date(), nodeId: 'dead-node' });
  await previous.transition(interruptedTwice.id, ['running'], { status: 'queued' });
  await previous.transition(interruptedTwice.id, ['queued'], { status: 'running', startedAt: new Date(), nodeId: 'dead-node' });
  await previous.transition(finished.id, ['queued'], { status: 'cancelled', verdict: null, result: null, error: 'cancelled by its owner', finishedAt: new Date() });
  await previous.close();
  stack = await createTestStack({}, { databasePath });
});

afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('when a new service starts on a store a dead node left unfinished work in', () => {
  it('should run the queued one and retry the interrupted one, each to completion', async () => {
    const user = await makeUser();
    for (const [submission, stdout] of [[queued, 'was queued\n'], [running, 'was running\n']] as const) {
      let body: Record<string, unknown> = {};
      for (let attempt = 0; attempt < 300 && body.status !== 'completed'; attempt++) {
        body = (await call(stack.app, 'GET', `/api/v1/submissions/${submission.id}`, { headers: user.headers })).body as Record<string, unknown>;
        if (body.status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(body).toMatchObject({ id: submission.id, status: 'completed', verdict: 'accepted', stdout, message: null });
    }
  });

  it('should fail a run interrupted a second time with internal_error "interrupted twice"', async () => {
    const user = await makeUser();
    const response = await call(stack.app, 'GET', `/api/v1/submissions/${interruptedTwice.id}`, { headers: user.headers });
    expect(response.body).toMatchObject({ status: 'failed', verdict: 'internal_error', message: 'interrupted twice' });
  });

  it('should leave finished ones as they were and keep serving new submissions', async () => {
    const user = await makeUser();
    const response = await call(stack.app, 'GET', `/api/v1/submissions/${finished.id}`, { headers: user.headers });
    expect(response.body).toMatchObject({ status: 'cancelled', message: 'cancelled by its owner' });
    const fresh = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload: { language: 'python', source: 'print("after restart")' } });
    expect(fresh.body).toMatchObject({ status: 'completed', stdout: 'after restart\n' });
  });
});
