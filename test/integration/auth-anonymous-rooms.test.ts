// Tokenless seed flows: each anonymous Socket.IO connection is its own user with the name it claims; anonymous /compile echoes what history records.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http.js';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

describe('anonymous mode and the tokenless seed flows', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await createRealtimeStack({ auth: { anonymous: true } });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stack?.close();
  });

  const anonymousClient = async () => {
    const socket = await connect(stack.url);
    sockets.push(socket);
    return { socket, events: new EventRecorder(socket) };
  };

  describe('when two browser users with no token execute in one room within 50 ms (seed 003)', () => {
    it('should run both and attribute each result to its own connection and claimed name', async () => {
      const roomId = `tokenless-${randomUUID()}`;
      const alice = await anonymousClient();
      const bob = await anonymousClient();
      // Seed 003 joins with `{ roomId, username, userId }` and repeats userId/username on execute-code.
      expect((await request(alice.socket, 'join-room', { roomId, username: 'Alice', userId: 'user1' })).ok).toBe(true);
      expect((await request(bob.socket, 'join-room', { roomId, username: 'Bob', userId: 'user2' })).ok).toBe(true);

      const execute = (client: typeof alice, text: string, userId: string) =>
        request(client.socket, 'execute-code', { roomId, language: 'python', code: `print("${text}")`, userId, username: 'ignored' });
      const [first, second] = await Promise.all([execute(alice, 'from alice', 'user1'), execute(bob, 'from bob', 'user2')]);
      expect(first).toMatchObject({ ok: true });
      expect(second).toMatchObject({ ok: true });

      const results = await alice.events.waitForCount('execution-result', 2);
      const byExecution = new Map(results.map((result) => [result.executionId, result]));
      const aliceResult = byExecution.get(first.executionId);
      const bobResult = byExecution.get(second.executionId);
      expect(aliceResult).toMatchObject({ displayName: 'Alice', username: 'Alice', output: 'from alice\n', verdict: 'accepted' });
      expect(bobResult).toMatchObject({ displayName: 'Bob', username: 'Bob', output: 'from bob\n', verdict: 'accepted' });
      expect(aliceResult.userId).toMatch(/^anon:c-[0-9a-f]{16}$/);
      expect(bobResult.userId).toMatch(/^anon:c-[0-9a-f]{16}$/);
      expect(aliceResult.userId).not.toBe(bobResult.userId);
    });
  });

  describe('when a tokenless client claims a name', () => {
    it('should strip control characters and cut it to 64 characters (over 200 it is refused as a bad payload)', async () => {
      const roomId = `names-${randomUUID()}`;
      const client = await anonymousClient();
      const state = await request(client.socket, 'join-room', { roomId, username: `Eve\u0000\u202e${'x'.repeat(150)}` });
      expect(state.ok).toBe(true);
      const me = state.users.find((user: { displayName: string }) => user.displayName.startsWith('Eve'));
      expect(me.displayName).toBe(`Eve${'x'.repeat(61)}`);
      expect(me.role).toBe('anonymous');
      const tooLong = await request(client.socket, 'join-room', { roomId, username: 'y'.repeat(201) });
      expect(tooLong).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
    });

    it('should keep a verified user\'s own name whatever the join payload claims', async () => {
      const user = await makeUser('Verified Vera');
      const socket = await connect(stack.url, { token: user.token });
      sockets.push(socket);
      const state = await request(socket, 'join-room', { roomId: `verified-${randomUUID()}`, username: 'Someone Else' });
      expect(state.users).toEqual([expect.objectContaining({ userId: user.userId, displayName: 'Verified Vera' })]);
    });
  });

  describe('when anonymous HTTP clients call POST /compile with a claimed userId', () => {
    it('should tell users behind one address apart, run both, and echo exactly the id history records', async () => {
      const roomId = `compile-${randomUUID()}`;
      const body = (userId: string) => ({ language: 'python', code: `print("${userId}")`, roomId, userId, username: `Name ${userId}` });
      const [one, two] = await Promise.all([call(stack.app, 'POST', '/compile', { payload: body('user1') }), call(stack.app, 'POST', '/compile', { payload: body('user2') })]);
      expect(one.body).toMatchObject({ success: true, userId: 'anon:127.0.0.1:user1', username: 'Name user1', output: 'user1\n' });
      expect(two.body).toMatchObject({ success: true, userId: 'anon:127.0.0.1:user2', username: 'Name user2', output: 'user2\n' });
      const history = await call(stack.app, 'GET', `/api/execution/history/room/${roomId}`);
      const recorded = new Map(history.body.history.map((entry: { executionId: string; userId: string }) => [entry.executionId, entry.userId]));
      expect(recorded.get(one.body.executionId)).toBe(one.body.userId);
      expect(recorded.get(two.body.executionId)).toBe(two.body.userId);
    });

    it('should never let a claimed id reach an authenticated user\'s executions', async () => {
      const user = await makeUser('Private Pat');
      const own = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload: { language: 'python', source: 'print("secret")' } });
      expect(own.statusCode).toBe(200);
      const claimed = await call(stack.app, 'POST', '/compile', { payload: { language: 'python', code: 'print(1)', userId: user.userId } });
      expect(claimed.body.userId).not.toBe(user.userId);
      expect(claimed.body.userId.startsWith('anon:')).toBe(true);
      expect((await call(stack.app, 'GET', `/api/execution/history/user/${user.userId}`)).statusCode).toBe(403);
      expect((await call(stack.app, 'GET', `/api/v1/submissions/${own.body.id}`)).statusCode).toBe(404);
    });
  });
});
