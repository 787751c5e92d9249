// Service keys acting for their end users over HTTP: actAs in bodies and the header, namespacing, role ceilings, compat /compile.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { call, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { bearer, makeUser, TEST_JWT_SECRET } from '../support/tokens.js';

const SERVICE_A = `service-a-${randomUUID()}`;
const SERVICE_B = `service-b-${randomUUID()}`;
const TEACHING_SERVICE = `service-t-${randomUUID()}`;
const PLAIN_KEY = `plain-${randomUUID()}`;

const program = { language: 'python', source: 'print("acted")' };

describe('service keys acting for end users', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack({
      auth: {
        anonymous: false,
        apiKeys: [
          { key: SERVICE_A, userId: 'backend-a', displayName: 'Backend A', role: 'service' },
          { key: SERVICE_B, userId: 'backend-b', displayName: 'Backend B', role: 'service' },
          { key: TEACHING_SERVICE, userId: 'backend-t', displayName: 'Classroom backend', role: 'service', maxActAsRole: 'teacher' },
          { key: PLAIN_KEY, userId: 'grader', displayName: 'Grader', role: 'user' },
        ],
      },
    });
  });
  afterAll(async () => stack?.close());

  const submitAs = (key: string, payload: object, query: Record<string, string> = { wait: 'true' }) =>
    call(stack.app, 'POST', '/api/v1/submissions', { headers: bearer(key), query, payload });

  describe('when a service key sends actAs', () => {
    it('should run as the end user, namespaced by the key, with the name and avatar it gives', async () => {
      const response = await submitAs(SERVICE_A, { ...program, actAs: { userId: 'alice', displayName: 'Alice', avatar: 'https://a.example/alice.png' } });
      expect(response.statusCode).toBe(200);
      expect(response.body.user).toEqual({ userId: expect.stringMatching(/^svc:key:[0-9a-f]{16}:alice$/), displayName: 'Alice', avatar: 'https://a.example/alice.png' });
      expect(response.body.stdout).toBe('acted\n');
    });

    it('should make the end user the owner: readable with the header naming it, not by the service itself or another end user', async () => {
      const userId = `owner-${randomUUID()}`;
      const created = await submitAs(SERVICE_A, { ...program, actAs: { userId } }, {});
      expect(created.statusCode).toBe(202);
      const asOther = await call(stack.app, 'GET', `/api/v1/submissions/${created.body.id}`, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': 'nobody' } });
      expect(asOther.statusCode).toBe(404);
      const asService = await call(stack.app, 'GET', `/api/v1/submissions/${created.body.id}`, { headers: bearer(SERVICE_A) });
      expect(asService.statusCode).toBe(404);
      const asOwner = await waitForSubmission(stack.app, created.body.id, { ...bearer(SERVICE_A), 'runlane-act-as': userId });
      expect(asOwner.statusCode).toBe(200);
      expect(asOwner.body).toMatchObject({ status: 'completed', stdout: 'acted\n', user: { userId: expect.stringMatching(new RegExp(`^svc:key:[0-9a-f]{16}:${userId}$`)) } });
      const historyPath = `/api/v1/users/${encodeURIComponent(asOwner.body.user.userId)}/history`;
      const history = await call(stack.app, 'GET', historyPath, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': userId } });
      expect(history.statusCode).toBe(200);
      expect(history.body.items.map((item: { id: string }) => item.id)).toEqual([created.body.id]);
      expect((await call(stack.app, 'GET', historyPath, { headers: bearer(SERVICE_A) })).statusCode).toBe(403);
    });

    it('should keep two services\' users of the same id apart', async () => {
      const byA = await submitAs(SERVICE_A, { ...program, actAs: { userId: 'alice' } });
      const byB = await submitAs(SERVICE_B, { ...program, actAs: { userId: 'alice' } });
      expect(byA.body.user.userId).not.toBe(byB.body.user.userId);
      const crossRead = await call(stack.app, 'GET', `/api/v1/submissions/${byA.body.id}`, { headers: { ...bearer(SERVICE_B), 'runlane-act-as': 'alice' } });
      expect(crossRead.statusCode).toBe(404);
      const ownRead = await call(stack.app, 'GET', `/api/v1/submissions/${byA.body.id}`, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': 'alice' } });
      expect(ownRead.statusCode).toBe(200);
      expect(ownRead.body.source ?? ownRead.body.files?.[0]?.content ?? JSON.stringify(ownRead.body)).toContain('acted');
    });

    it('should never reach a JWT user of the same id', async () => {
      const jwtUser = await makeUser('Real Alice');
      const own = await call(stack.app, 'POST', '/api/v1/submissions', { headers: jwtUser.headers, query: { wait: 'true' }, payload: program });
      expect(own.statusCode).toBe(200);
      const acted = await submitAs(SERVICE_A, { ...program, actAs: { userId: jwtUser.userId } });
      expect(acted.body.user.userId).not.toBe(jwtUser.userId);
      const read = await call(stack.app, 'GET', `/api/v1/submissions/${own.body.id}`, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': jwtUser.userId } });
      expect(read.statusCode).toBe(404);
      const history = await call(stack.app, 'GET', `/api/v1/users/${jwtUser.userId}/history`, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': jwtUser.userId } });
      expect(history.statusCode).toBe(403);
    });

    it('should let the end user cancel only its own queued work, through its service', async () => {
      const slow = { language: 'python', source: 'import time\ntime.sleep(2)' };
      const fillerId = `filler-${randomUUID()}`;
      const userId = `canceller-${randomUUID()}`;
      // Fill the node so the next one stays queued.
      const fillers = await Promise.all(Array.from({ length: stack.config.scheduler.maxConcurrent }, () => submitAs(SERVICE_A, { ...slow, actAs: { userId: fillerId } }, {})));
      const queued = await submitAs(SERVICE_A, { ...slow, actAs: { userId } }, {});
      expect(queued.statusCode).toBe(202);
      const byOther = await call(stack.app, 'DELETE', `/api/v1/submissions/${queued.body.id}`, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': 'someone-else' } });
      expect(byOther.statusCode).toBe(404);
      const byOwner = await call(stack.app, 'DELETE', `/api/v1/submissions/${queued.body.id}`, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': userId } });
      expect([200, 409]).toContain(byOwner.statusCode);
      if (byOwner.statusCode === 200) expect(byOwner.body.status).toBe('cancelled');
      await Promise.all(fillers.map((filler) => call(stack.app, 'DELETE', `/api/v1/submissions/${filler.body.id}`, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': fillerId } })));
    });

    it('should act per item in a batch', async () => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions/batch', {
        headers: bearer(SERVICE_A),
        payload: { submissions: [{ ...program, actAs: { userId: 'batch-1' } }, { ...program, actAs: { userId: 'batch-2', role: 'admin' } }] },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body.results[0].statusCode).toBe(202);
      expect(response.body.results[1]).toMatchObject({ statusCode: 403, error: { code: 'RUNLANE_ERR_AUTH_ACT_AS_ROLE' } });
    });
  });

  describe('when the role asked for is above the key\'s maxActAsRole', () => {
    it('should refuse it with 403 RUNLANE_ERR_AUTH_ACT_AS_ROLE, and allow up to the ceiling', async () => {
      const refused = await submitAs(SERVICE_A, { ...program, actAs: { userId: 'mallory', role: 'teacher' } });
      expect(refused.statusCode).toBe(403);
      expect(refused.body.error.code).toBe('RUNLANE_ERR_AUTH_ACT_AS_ROLE');
      expect(refused.body.error.message).toContain('`user`');
      const allowed = await submitAs(TEACHING_SERVICE, { ...program, actAs: { userId: 'ms-t', role: 'teacher' } });
      expect(allowed.statusCode).toBe(200);
      expect((await submitAs(TEACHING_SERVICE, { ...program, actAs: { userId: 'root', role: 'admin' } })).body.error.code).toBe('RUNLANE_ERR_AUTH_ACT_AS_ROLE');
    });
  });

  describe('when a credential that is not a service sends actAs', () => {
    it.each([
      ['a user API key', () => Promise.resolve(bearer(PLAIN_KEY))],
      ['a JWT user', async () => (await makeUser('Jay', 'admin')).headers],
    ])('should refuse %s with 403 RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN, in the body and in the header', async (_name, headersOf) => {
      const headers = await headersOf();
      const body = await call(stack.app, 'POST', '/api/v1/submissions', { headers, payload: { ...program, actAs: { userId: 'victim' } } });
      expect(body.statusCode).toBe(403);
      expect(body.body.error.code).toBe('RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN');
      const header = await call(stack.app, 'GET', `/api/v1/submissions/${randomUUID()}`, { headers: { ...headers, 'runlane-act-as': 'victim' } });
      expect(header.statusCode).toBe(403);
      expect(header.body.error.code).toBe('RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN');
    });
  });

  describe('when a JWT carries role service', () => {
    it('should act like a service key, namespaced by its subject', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ role: 'service', name: 'Edge function' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('edge-fn')
        .setExpirationTime(now + 60)
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: bearer(token), query: { wait: 'true' }, payload: { ...program, actAs: { userId: 'bob' } } });
      expect(response.statusCode).toBe(200);
      expect(response.body.user.userId).toMatch(/^svc:jwt:[0-9a-f]{16}:bob$/);
    });

    it('should refuse a JWT whose subject claims a service-made id', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('svc:key:0000000000000000:alice').setExpirationTime(now + 60).sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: bearer(token), payload: program });
      expect(response.statusCode).toBe(401);
      expect(response.body.error.message).toContain('reserved');
    });
  });

  describe('when a service calls seed 003\'s POST /compile with userId and username', () => {
    it('should run as that end user and echo exactly the id history records', async () => {
      const roomId = `svc-room-${randomUUID()}`;
      const response = await call(stack.app, 'POST', '/compile', {
        headers: bearer(SERVICE_A),
        payload: { language: 'python', code: 'print("compat")', roomId, userId: 'user-001', username: 'JohnDoe' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ userId: expect.stringMatching(/^svc:key:[0-9a-f]{16}:user-001$/), username: 'JohnDoe', output: 'compat\n' });
      const history = await call(stack.app, 'GET', `/api/execution/history/room/${roomId}`, { headers: { ...bearer(SERVICE_A), 'runlane-act-as': 'user-001' } });
      expect(history.body.history).toHaveLength(1);
      expect(history.body.history[0]).toMatchObject({ executionId: response.body.executionId, userId: response.body.userId, username: 'JohnDoe' });
    });

    it('should keep a user key\'s /compile attributed to the key\'s own user, whatever userId claims', async () => {
      const response = await call(stack.app, 'POST', '/compile', { headers: bearer(PLAIN_KEY), payload: { language: 'python', code: 'print(1)', userId: 'someone-else' } });
      expect(response.statusCode).toBe(200);
      expect(response.body.userId).toBe('grader');
    });
  });
});
