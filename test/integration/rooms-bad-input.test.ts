// Hostile and broken clients on the room namespace: each gets a stable error code, and the server and the room carry on.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, createRealtimeStack, EventRecorder, request, YjsPeer, type RealtimeStack } from '../support/realtime.js';
import { makeUser, signToken } from '../support/tokens.js';

describe('rooms: bad input', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await createRealtimeStack({ limits: { maxCodeBytes: 1024 } }, { realtime: { rateLimit: { burst: 20, perSecond: 10 }, maxDocumentMessageBytes: 4096, maxRoomsPerConnection: 3 } });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => stack?.close());

  async function client(name = 'User'): Promise<{ socket: Socket; events: EventRecorder; userId: string }> {
    const user = await makeUser(name);
    const socket = await connect(stack.url, { token: user.token });
    sockets.push(socket);
    return { socket, events: new EventRecorder(socket), userId: user.userId };
  }

  async function refusal(promise: Promise<unknown>): Promise<{ code?: string; message?: string; data?: { code: string } }> {
    try {
      const socket = (await promise) as Socket;
      socket.close();
      return {};
    } catch (error) {
      return error as { data?: { code: string } };
    }
  }

  describe('when the handshake token is bad', () => {
    it('should refuse the connection with the auth error code', async () => {
      const forged = await signToken({ sub: 'mallory' }, { secret: 'another-secret-that-is-long-enough-42' });
      const expired = await signToken({ sub: 'late' }, { expiresInSeconds: -60 });
      expect((await refusal(connect(stack.url, { token: forged }))).data?.code).toBe('RUNLANE_ERR_AUTH_INVALID_TOKEN');
      expect((await refusal(connect(stack.url, { token: `Bearer ${expired}` }))).data?.code).toBe('RUNLANE_ERR_AUTH_INVALID_TOKEN');
      expect((await refusal(connect(stack.url, { token: 'not a token' }))).data?.code).toBe('RUNLANE_ERR_AUTH_INVALID_TOKEN');
      expect((await refusal(connect(stack.url, { token: forged, namespace: '/interactive' }))).data?.code).toBe('RUNLANE_ERR_AUTH_INVALID_TOKEN');
    });

    it('should require a token when anonymous use is off', async () => {
      const strict = await createRealtimeStack({ auth: { anonymous: false } });
      try {
        expect((await refusal(connect(strict.url))).data?.code).toBe('RUNLANE_ERR_AUTH_MISSING_TOKEN');
        const user = await makeUser('Strict');
        const socket = await connect(strict.url, { token: `Bearer ${user.token}` });
        expect(socket.connected).toBe(true);
        socket.close();
      } finally {
        await strict.close();
      }
    });
  });

  describe('when payloads are malformed or events unknown', () => {
    it('should answer each with a stable error code', async () => {
      const { socket, events } = await client();
      const roomId = `room-${randomUUID()}`;
      expect(await request(socket, 'join-room', {})).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
      expect(await request(socket, 'join-room', { roomId: 42 })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
      expect(await request(socket, 'join-room', 'lobby')).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
      expect(await request(socket, 'drop-tables', { roomId })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_UNKNOWN_EVENT' } });
      socket.emit('drop-tables');
      expect(await events.waitFor('error')).toMatchObject({ code: 'RUNLANE_ERR_ROOMS_UNKNOWN_EVENT', event: 'drop-tables' });

      await request(socket, 'join-room', { roomId });
      expect(await request(socket, 'code-change', { roomId, code: 'x' })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
      expect(await request(socket, 'execute-code', { roomId, language: 'python' })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
      expect(await request(socket, 'execute-code', { roomId, language: 'cobol-85', code: 'x' })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE' } });
      expect(await request(socket, 'cancel-execution', { executionId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_QUEUE_NOT_FOUND' } });
      socket.emit('code-change', { roomId });
      expect(await events.waitFor('error', (error) => error.event === 'code-change')).toMatchObject({ code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' });
    });
  });

  describe('when a client acts in a room it has not joined', () => {
    it('should refuse with RUNLANE_ERR_ROOMS_NOT_JOINED', async () => {
      const { socket } = await client();
      const roomId = `room-${randomUUID()}`;
      for (const [event, payload] of [
        ['execute-code', { roomId, language: 'python', code: 'print(1)' }],
        ['code-change', { roomId, code: 'x', sequence: 0 }],
        ['get-execution-status', { roomId }],
        ['get-execution-history', { roomId }],
        ['leave-room', { roomId }],
        ['yjs-sync', { roomId, message: new Uint8Array([0, 0]) }],
      ] as const) {
        expect(await request(socket, event, payload)).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_NOT_JOINED' } });
      }
    });
  });

  describe('when a client joins more rooms than one connection may', () => {
    it('should refuse the extra room until it leaves one', async () => {
      const { socket } = await client();
      const rooms = Array.from({ length: 4 }, () => `room-${randomUUID()}`);
      for (const roomId of rooms.slice(0, 3)) expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
      expect(await request(socket, 'join-room', { roomId: rooms[3] })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_TOO_MANY_ROOMS' } });
      expect((await request(socket, 'join-room', { roomId: rooms[0] })).ok).toBe(true);
      await request(socket, 'leave-room', { roomId: rooms[0] });
      expect((await request(socket, 'join-room', { roomId: rooms[3] })).ok).toBe(true);
    });
  });

  describe('when a client sends too much', () => {
    it('should refuse oversized code and document messages, and invalid Yjs updates, without disturbing the room', async () => {
      const roomId = `room-${randomUUID()}`;
      const alice = await client('Alice');
      const bob = await client('Bob');
      const peer = new YjsPeer(bob.socket, roomId);
      await request(alice.socket, 'join-room', { roomId });
      const joined = await request(bob.socket, 'join-room', { roomId });
      peer.sync();
      const big = 'x'.repeat(2048);
      expect(await request(alice.socket, 'code-change', { roomId, code: big, sequence: joined.sequence })).toMatchObject({
        ok: false,
        error: { code: 'RUNLANE_ERR_ROOMS_PAYLOAD_TOO_LARGE' },
      });
      expect(await request(alice.socket, 'execute-code', { roomId, language: 'python', code: `# ${big}\nprint(1)` })).toMatchObject({
        ok: false,
        error: { code: 'RUNLANE_ERR_HTTP_CODE_TOO_LARGE' },
      });
      expect(await request(alice.socket, 'yjs-sync', { roomId, message: new Uint8Array(8192) })).toMatchObject({
        ok: false,
        error: { code: 'RUNLANE_ERR_ROOMS_PAYLOAD_TOO_LARGE' },
      });
      for (const garbage of [new Uint8Array([2, 9, 1, 2, 3]), new Uint8Array([7, 1]), new Uint8Array([1, 200, 200, 200])]) {
        expect(await request(alice.socket, 'yjs-sync', { roomId, message: garbage })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_DOCUMENT_UPDATE' } });
      }
      expect(await request(alice.socket, 'yjs-awareness', { roomId, update: new Uint8Array([1, 1, 1, 5, 123]) })).toMatchObject({
        ok: false,
        error: { code: 'RUNLANE_ERR_ROOMS_BAD_DOCUMENT_UPDATE' },
      });

      // The room still works for everyone.
      peer.text.insert(0, 'print("still fine")');
      const update = await alice.events.waitFor('code-update', (event) => event.code === 'print("still fine")');
      const ack = await request(alice.socket, 'execute-code', { roomId, language: 'python', code: update.code });
      expect(ack.ok).toBe(true);
      expect(await bob.events.waitFor('execution-completed', (event) => event.executionId === ack.executionId)).toMatchObject({ output: 'still fine\n' });
      peer.destroy();
    });

    it('should rate-limit a flooding socket while other users in the room are served', async () => {
      const roomId = `room-${randomUUID()}`;
      const flooder = await client('Flooder');
      const neighbour = await client('Neighbour');
      await request(flooder.socket, 'join-room', { roomId });
      await request(neighbour.socket, 'join-room', { roomId });

      const replies = await Promise.all(Array.from({ length: 60 }, () => request(flooder.socket, 'get-execution-status', { roomId })));
      const limited = replies.filter((reply) => reply.error?.code === 'RUNLANE_ERR_ROOMS_RATE_LIMITED');
      expect(limited.length).toBeGreaterThan(30);
      expect(replies.filter((reply) => reply.ok).length).toBeGreaterThanOrEqual(15);
      for (let index = 0; index < 100; index += 1) flooder.socket.emit('get-execution-status', { roomId });

      const ack = await request(neighbour.socket, 'execute-code', { roomId, language: 'python', code: 'print("served")' });
      expect(ack.ok).toBe(true);
      expect(await neighbour.events.waitFor('execution-completed', (event) => event.executionId === ack.executionId)).toMatchObject({ output: 'served\n' });
      // Errors for ack-less floods are sent at most once a second, not once per event.
      expect(flooder.events.of('error').length).toBeLessThanOrEqual(5);

      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await request(flooder.socket, 'get-execution-status', { roomId })).toMatchObject({ ok: true });
    });
  });
});
