// One test over a real socket: the app listens on a free port and answers fetch() like any client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;
let base: string;

beforeAll(async () => {
  stack = await createTestStack();
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  const address = stack.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await stack?.close();
});

describe('when a client talks to the server over TCP', () => {
  it('should submit, wait and read the result, and answer errors as JSON', async () => {
    const user = await makeUser('Socket User');
    const submitted = await fetch(`${base}/api/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { ...user.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', source: 'print("over tcp")' }),
    });
    expect(submitted.status).toBe(200);
    const body = (await submitted.json()) as { stdout: string; user: { displayName: string } };
    expect(body).toMatchObject({ stdout: 'over tcp\n', user: { displayName: 'Socket User' } });

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);

    const malformed = await fetch(`${base}/api/v1/submissions`, { method: 'POST', headers: { ...user.headers, 'content-type': 'application/json' }, body: '{oops' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('RUNLANE_ERR_HTTP_MALFORMED_JSON');
  });
});
