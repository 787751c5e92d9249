// The admin dead-letter routes on the real stack (SQLite, real sandbox): only admins list and retry; a retry runs the same submission again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSubmission } from '../../src/store/conformance/fixtures.js';
import { call, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
}, 60_000);

afterAll(async () => {
  await stack.close();
});

/** A submission the service failed for good, as a worker leaves it after its last interrupted attempt. */
async function deadLetter(): Promise<string> {
  const submission = makeSubmission({ createdAt: new Date() });
  await stack.store.createSubmission(submission);
  await stack.store.transition(submission.id, ['queued'], { status: 'running', startedAt: new Date(), nodeId: 'gone', runToken: 'run-1' });
  await stack.store.transition(submission.id, ['running'], { status: 'failed', verdict: 'internal_error', result: null, error: 'interrupted 2 times', finishedAt: new Date(), runToken: 'run-1', deadLetter: true });
  return submission.id;
}

describe('admin dead letters', () => {
  describe('when someone who is not an admin asks', () => {
    it('should refuse the list and the retry with 403', async () => {
      const id = await deadLetter();
      for (const role of ['user', 'teacher'] as const) {
        const { headers } = await makeUser('Not Admin', role);
        expect((await call(stack.app, 'GET', '/api/v1/admin/dead-letters', { headers })).body).toMatchObject({ error: { code: 'RUNLANE_ERR_AUTH_FORBIDDEN' } });
        const retry = await call(stack.app, 'POST', `/api/v1/admin/dead-letters/${id}/retry`, { headers });
        expect(retry.statusCode).toBe(403);
      }
      expect((await call(stack.app, 'GET', '/api/v1/admin/dead-letters')).statusCode).toBe(403);
    });
  });

  describe('when an admin lists and retries one', () => {
    it('should list it, run it again under the same id, and list it no more', async () => {
      const id = await deadLetter();
      const { headers } = await makeUser('Admin', 'admin');
      const listed = await call(stack.app, 'GET', '/api/v1/admin/dead-letters', { headers });
      expect(listed.statusCode).toBe(200);
      expect(listed.body.items.find((item: { submission: { id: string } }) => item.submission.id === id)).toMatchObject({
        attempts: 1,
        retries: 0,
        submission: { id, status: 'failed', verdict: 'internal_error' },
      });

      const retry = await call(stack.app, 'POST', `/api/v1/admin/dead-letters/${id}/retry`, { headers });
      expect(retry.statusCode).toBe(202);
      expect(retry.body).toMatchObject({ id, status: 'queued' });
      const finished = await waitForSubmission(stack.app, id, headers);
      expect(finished.body).toMatchObject({ id, status: 'completed', verdict: 'accepted', stdout: 'hello\n' });

      const after = await call(stack.app, 'GET', '/api/v1/admin/dead-letters', { headers });
      expect(after.body.items.map((item: { submission: { id: string } }) => item.submission.id)).not.toContain(id);
      // A second retry finds nothing to retry.
      expect((await call(stack.app, 'POST', `/api/v1/admin/dead-letters/${id}/retry`, { headers })).body).toMatchObject({ error: { code: 'RUNLANE_ERR_QUEUE_NOT_FOUND' } });
    }, 60_000);
  });
});
