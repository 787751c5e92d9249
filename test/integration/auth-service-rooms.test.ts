// A backend's socket in a room executing for several end users at once (actAs), and actAs refused from a user's socket.
import { randomUUID } from 'node:crypto';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

const SERVICE_KEY = `room-service-${randomUUID()}`;

describe('service keys in rooms', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await createRealtimeStack({ auth: { apiKeys: [{ key: SERVICE_KEY, userId: 'room-backend', displayName: 'Room backend', role: 'service' }] } });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stack?.close();
  });

  describe('when one service connection executes for two end users within 50 ms', () => {
    it('should run both, each attributed to its end user', async () => {
      const roomId = `svc-room-${randomUUID()}`;
      const socket = await connect(stack.url, { token: SERVICE_KEY });
      sockets.push(socket);
      const events = new EventRecorder(socket);
      expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
      const run = (userId: string, displayName: string) =>
        request(socket, 'execute-code', { roomId, language: 'python', code: `print("${userId}")`, actAs: { userId, displayName } });
      const [alice, bob] = await Promise.all([run('alice', 'Alice'), run('bob', 'Bob')]);
      expect(alice).toMatchObject({ ok: true });
      expect(bob).toMatchObject({ ok: true });
      const results = await events.waitForCount('execution-result', 2);
      const byId = new Map(results.map((result) => [result.executionId, result]));
      expect(byId.get(alice.executionId)).toMatchObject({ userId: expect.stringMatching(/^svc:key:[0-9a-f]{16}:alice$/), displayName: 'Alice', output: 'alice\n' });
      expect(byId.get(bob.executionId)).toMatchObject({ userId: expect.stringMatching(/^svc:key:[0-9a-f]{16}:bob$/), displayName: 'Bob', output: 'bob\n' });
    });
  });

  describe('when a service opens a connection for one end user (handshake `auth.actAs`)', () => {
    it('should be that end user for the whole connection, in presence as in runs', async () => {
      const socket = connectClient(`${stack.url}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: SERVICE_KEY, actAs: { userId: 'carol', displayName: 'Carol' } } });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const state = await request(socket, 'join-room', { roomId: `carol-room-${randomUUID()}` });
      expect(state.users).toEqual([expect.objectContaining({ userId: expect.stringMatching(/^svc:key:[0-9a-f]{16}:carol$/), displayName: 'Carol' })]);
    });

    it('should refuse the handshake of a user token naming someone', async () => {
      const user = await makeUser('Plain Pete');
      const socket = connectClient(`${stack.url}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: user.token, actAs: { userId: 'victim' } } });
      sockets.push(socket);
      const error = await new Promise<{ data?: { code?: string } }>((resolve) => socket.once('connect_error', resolve));
      expect(error.data?.code).toBe('RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN');
    });
  });

  describe('when a user\'s socket sends actAs', () => {
    it('should refuse it with RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN and run nothing', async () => {
      const user = await makeUser('Plain Paula');
      const socket = await connect(stack.url, { token: user.token });
      sockets.push(socket);
      const roomId = `user-room-${randomUUID()}`;
      expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
      const ack = await request(socket, 'execute-code', { roomId, language: 'python', code: 'print(1)', actAs: { userId: 'victim' } });
      expect(ack).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN' } });
      const malformed = await request(socket, 'execute-code', { roomId, language: 'python', code: 'print(1)', actAs: 'victim' });
      expect(malformed).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
    });
  });
});
