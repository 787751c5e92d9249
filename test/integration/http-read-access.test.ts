// Read access over REST: private executions stay with their owner and staff; room executions are shared; histories are personal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;
let ann: Awaited<ReturnType<typeof makeUser>>;
let bob: Awaited<ReturnType<typeof makeUser>>;
let teacher: Awaited<ReturnType<typeof makeUser>>;
let privateId: string;
let roomId: string;

beforeAll(async () => {
  stack = await createTestStack();
  [ann, bob, teacher] = await Promise.all([makeUser('Ann'), makeUser('Bob'), makeUser('Tess', 'teacher')]);
  const alone = await call(stack.app, 'POST', '/api/v1/submissions', { headers: ann.headers, payload: { language: 'python', source: 'print("private")' } });
  const inRoom = await call(stack.app, 'POST', '/api/v1/submissions', { headers: ann.headers, payload: { language: 'python', source: 'print("shared")', roomId: 'study-group' } });
  privateId = alone.body.id;
  roomId = inRoom.body.id;
  await waitForSubmission(stack.app, privateId, ann.headers);
  await waitForSubmission(stack.app, roomId, ann.headers);
});

afterAll(async () => {
  await stack.close();
});

describe('reading executions', () => {
  it('should show a private execution to its owner and to staff', async () => {
    expect((await call(stack.app, 'GET', `/api/v1/submissions/${privateId}`, { headers: ann.headers })).body.stdout).toBe('private\n');
    expect((await call(stack.app, 'GET', `/api/v1/submissions/${privateId}`, { headers: teacher.headers })).statusCode).toBe(200);
  });

  it('should answer 404 to anyone else, on the native and the compatibility routes', async () => {
    for (const url of [`/api/v1/submissions/${privateId}`, `/submission/${privateId}`, `/api/execution/history/execution/${privateId}`]) {
      const response = await call(stack.app, 'GET', url, { headers: bob.headers });
      expect(response.statusCode).toBe(404);
      expect(response.text).not.toContain('private');
    }
  });

  it('should show an execution run in a room to other users, without its source', async () => {
    expect((await call(stack.app, 'GET', `/api/v1/submissions/${roomId}`, { headers: bob.headers })).body.stdout).toBe('shared\n');
    const detail = await call(stack.app, 'GET', `/api/execution/history/execution/${roomId}`, { headers: bob.headers });
    expect(detail.statusCode).toBe(200);
    expect(detail.body.execution.code).toBeUndefined();
  });
});

describe('reading a user\'s history', () => {
  it('should let the user and staff read it', async () => {
    expect((await call(stack.app, 'GET', `/api/v1/users/${ann.userId}/history`, { headers: ann.headers })).body.count).toBe(2);
    expect((await call(stack.app, 'GET', `/api/v1/users/${ann.userId}/history`, { headers: teacher.headers })).body.count).toBe(2);
  });

  it('should refuse anyone else with 403', async () => {
    for (const url of [`/api/v1/users/${ann.userId}/history`, `/api/execution/history/user/${ann.userId}`]) {
      const response = await call(stack.app, 'GET', url, { headers: bob.headers });
      expect(response.statusCode).toBe(403);
      expect(response.body.error.code).toBe('RUNLANE_ERR_AUTH_FORBIDDEN');
    }
  });
});
