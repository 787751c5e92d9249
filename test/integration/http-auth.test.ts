// Authentication and rate limiting over HTTP: JWTs, API keys, anonymous mode on and off, per-user and per-IP limits.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { bearer, makeUser, signToken } from '../support/tokens.js';

const API_KEY = `key-${randomUUID()}`;

describe('when the server requires authentication', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack({
      auth: { anonymous: false, apiKeys: [{ key: API_KEY, userId: 'grader', displayName: 'Grading bot', role: 'admin' }] },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  const submit = (headers: Record<string, string> = {}) =>
    call(stack.app, 'POST', '/api/v1/submissions', { headers, query: { wait: 'true' }, payload: { language: 'python', source: 'print("auth")' } });

  it('should accept a valid JWT and attribute the submission to its subject, name and picture', async () => {
    const token = await signToken({ sub: 'jwt-user-1', name: 'Jay Doe', picture: 'https://avatars.example/jay.png', role: 'teacher' });
    const response = await submit(bearer(token));
    expect(response.statusCode).toBe(200);
    expect(response.body.user).toEqual({ userId: 'jwt-user-1', displayName: 'Jay Doe', avatar: 'https://avatars.example/jay.png' });
  });

  it('should refuse a request without a token with 401 RUNLANE_ERR_AUTH_MISSING_TOKEN', async () => {
    const response = await submit();
    expect(response.statusCode).toBe(401);
    expect(response.body.error.code).toBe('RUNLANE_ERR_AUTH_MISSING_TOKEN');
  });

  it('should treat an empty `Bearer` header as no token: 401 RUNLANE_ERR_AUTH_MISSING_TOKEN', async () => {
    for (const authorization of ['Bearer ', 'Bearer    ']) {
      const response = await submit({ authorization });
      expect(response.statusCode).toBe(401);
      expect(response.body.error.code).toBe('RUNLANE_ERR_AUTH_MISSING_TOKEN');
    }
  });

  it('should refuse an expired JWT with 401 RUNLANE_ERR_AUTH_INVALID_TOKEN saying it expired', async () => {
    const response = await submit(bearer(await signToken({}, { expiresInSeconds: -60 })));
    expect(response.statusCode).toBe(401);
    expect(response.body.error.code).toBe('RUNLANE_ERR_AUTH_INVALID_TOKEN');
    expect(response.body.error.message).toContain('expired');
  });

  it('should refuse a JWT signed with another secret', async () => {
    const response = await submit(bearer(await signToken({}, { secret: 'a-different-secret-of-enough-length' })));
    expect(response.statusCode).toBe(401);
    expect(response.body.error).toMatchObject({ code: 'RUNLANE_ERR_AUTH_INVALID_TOKEN', message: expect.stringContaining('signature') });
  });

  it('should refuse a JWT with another algorithm', async () => {
    const response = await submit(bearer(await signToken({}, { algorithm: 'HS512' })));
    expect(response.statusCode).toBe(401);
    expect(response.body.error.code).toBe('RUNLANE_ERR_AUTH_INVALID_TOKEN');
  });

  it('should refuse an unsigned (alg none) token', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'admin', role: 'admin', exp: Math.floor(Date.now() / 1000) + 60 })}.`;
    const response = await submit(bearer(unsigned));
    expect(response.statusCode).toBe(401);
  });

  it('should refuse garbage and a wrong scheme', async () => {
    expect((await submit(bearer('not-a-token'))).statusCode).toBe(401);
    expect((await submit({ authorization: 'Basic dXNlcjpwYXNz' })).statusCode).toBe(401);
  });

  it('should accept a configured API key as its user', async () => {
    const response = await submit(bearer(API_KEY));
    expect(response.statusCode).toBe(200);
    expect(response.body.user).toEqual({ userId: 'grader', displayName: 'Grading bot', avatar: null });
  });

  it('should keep /health and /metrics open without a token', async () => {
    expect((await call(stack.app, 'GET', '/health')).statusCode).toBe(200);
    expect((await call(stack.app, 'GET', '/metrics')).statusCode).toBe(200);
    expect((await call(stack.app, 'GET', '/docs/json')).statusCode).toBe(200);
  });

  it('should refuse the seed routes without a token as well', async () => {
    const response = await call(stack.app, 'POST', '/execute', { payload: { code: 'print(1)', language: 'python' } });
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ success: false, error: { code: 'RUNLANE_ERR_AUTH_MISSING_TOKEN' } });
  });
});

describe('when anonymous use is allowed', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack({ auth: { anonymous: true } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('should run the submission as anon:<ip> with role anonymous', async () => {
    const response = await call(stack.app, 'POST', '/api/v1/submissions', { query: { wait: 'true' }, payload: { language: 'python', source: 'print(1)' } });
    expect(response.statusCode).toBe(200);
    expect(response.body.user).toEqual({ userId: 'anon:127.0.0.1', displayName: 'Anonymous', avatar: null });
  });

  it('should serve an empty `Bearer` header as anonymous, like no header', async () => {
    const response = await call(stack.app, 'GET', '/api/v1/stats', { headers: { authorization: 'Bearer ' } });
    expect(response.statusCode).toBe(200);
  });

  it('should still refuse a bad token rather than fall back to anonymous', async () => {
    const response = await call(stack.app, 'GET', '/api/v1/stats', { headers: bearer('bad.token.value') });
    expect(response.statusCode).toBe(401);
  });
});

describe('when anonymous is auto and the server listens on all interfaces', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack({ server: { host: '0.0.0.0' }, auth: { anonymous: 'auto' } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('should require a token', async () => {
    const response = await call(stack.app, 'GET', '/api/v1/stats');
    expect(response.statusCode).toBe(401);
    expect(response.body.error.code).toBe('RUNLANE_ERR_AUTH_MISSING_TOKEN');
    const user = await makeUser();
    expect((await call(stack.app, 'GET', '/api/v1/stats', { headers: user.headers })).statusCode).toBe(200);
  });
});

describe('when anonymous is auto on loopback but credentials are configured (a server behind a reverse proxy)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack({
      server: { host: '127.0.0.1' },
      auth: { anonymous: 'auto', apiKeys: [{ key: API_KEY, userId: 'grader', displayName: 'Grading bot' }] },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('should refuse a request without a token with 401 and accept the configured credentials', async () => {
    const response = await call(stack.app, 'POST', '/api/v1/submissions', { payload: { language: 'python', source: 'print(1)' } });
    expect(response.statusCode).toBe(401);
    expect(response.body.error.code).toBe('RUNLANE_ERR_AUTH_MISSING_TOKEN');
    expect((await call(stack.app, 'GET', '/api/v1/stats')).statusCode).toBe(401);
    expect((await call(stack.app, 'GET', '/api/v1/stats', { headers: bearer(API_KEY) })).statusCode).toBe(200);
    expect((await call(stack.app, 'GET', '/api/v1/stats', { headers: (await makeUser()).headers })).statusCode).toBe(200);
  });
});

describe('when anonymous is auto on loopback and no credentials are configured', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack({ server: { host: '127.0.0.1' }, auth: { anonymous: 'auto', jwtSecret: null, apiKeys: [] } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('should serve a request without a token as anon:<ip>', async () => {
    const response = await call(stack.app, 'GET', '/api/v1/stats');
    expect(response.statusCode).toBe(200);
  });
});

describe('when a client exceeds the rate limit', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack({ rateLimit: { maxRequests: 3, windowMs: 60_000 }, auth: { anonymous: true } });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('should answer 429 RUNLANE_ERR_HTTP_RATE_LIMITED with Retry-After, per user', async () => {
    const alice = await makeUser('Alice');
    const bob = await makeUser('Bob');
    for (let index = 0; index < 3; index += 1) expect((await call(stack.app, 'GET', '/api/v1/stats', { headers: alice.headers })).statusCode).toBe(200);
    const limited = await call(stack.app, 'GET', '/api/v1/stats', { headers: alice.headers });
    expect(limited.statusCode).toBe(429);
    expect(limited.body.error.code).toBe('RUNLANE_ERR_HTTP_RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another user from the same address has their own budget.
    expect((await call(stack.app, 'GET', '/api/v1/stats', { headers: bob.headers })).statusCode).toBe(200);
  });

  it('should limit anonymous clients and bad tokens per IP', async () => {
    const fromIp = (ip: string, headers: Record<string, string> = {}) =>
      stack.app.inject({ method: 'GET', url: '/api/v1/stats', remoteAddress: ip, headers });
    for (let index = 0; index < 3; index += 1) expect((await fromIp('10.1.1.1')).statusCode).toBe(200);
    expect((await fromIp('10.1.1.1')).statusCode).toBe(429);
    expect((await fromIp('10.1.1.2')).statusCode).toBe(200);
    // Guessing tokens counts against the address too.
    for (let index = 0; index < 3; index += 1) expect((await fromIp('10.1.1.3', bearer(`guess-${index}`))).statusCode).toBe(401);
    expect((await fromIp('10.1.1.3', bearer('guess-again'))).statusCode).toBe(429);
  });

  it('should never limit /health', async () => {
    for (let index = 0; index < 6; index += 1) expect((await call(stack.app, 'GET', '/health')).statusCode).toBe(200);
  });
});
