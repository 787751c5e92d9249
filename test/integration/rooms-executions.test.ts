// Executions in rooms over Socket.IO: seed 003's two concurrency scenarios and seed 001's queue, cancel and status flow.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

const SLEEPER = 'import time\ntime.sleep(1.5)\nprint("slept")';

interface Member {
  user: Awaited<ReturnType<typeof makeUser>>;
  socket: Socket;
  events: EventRecorder;
}

describe('rooms: executions', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // One execution at a time per room makes queueing deterministic; two node slots keep rooms independent.
    stack = await createRealtimeStack({ scheduler: { maxConcurrent: 2, roomMaxRunning: 1, roomMaxQueued: 10 } });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => stack?.close());

  async function member(name: string): Promise<Member> {
    const user = await makeUser(name);
    const socket = await connect(stack.url, { token: user.token });
    sockets.push(socket);
    return { user, socket, events: new EventRecorder(socket) };
  }

  async function room(...names: string[]): Promise<{ roomId: string; members: Member[] }> {
    const roomId = `room-${randomUUID()}`;
    const members = await Promise.all(names.map(member));
    for (const { socket } of members) expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
    return { roomId, members };
  }

  describe('when two users execute within 50 ms in one room (seed 003, scenario 2)', () => {
    it('should show both execution-started events to both users and give each execution its own result', async () => {
      const { roomId, members } = await room('Alice', 'Bob');
      const [alice, bob] = members as [Member, Member];
      const tokens = { alice: `alice-${randomUUID()}`, bob: `bob-${randomUUID()}` };
      const [aliceAck, bobAck] = await Promise.all([
        request(alice.socket, 'execute-code', { roomId, language: 'python', code: `print("${tokens.alice}")`, userId: 'spoofed' }),
        new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
          request(bob.socket, 'execute-code', { roomId, language: 'python', code: `print("${tokens.bob}")` }),
        ),
      ]);
      expect(aliceAck).toMatchObject({ ok: true, status: 'queued' });
      expect(bobAck).toMatchObject({ ok: true, status: 'queued' });

      for (const observer of [alice, bob]) {
        const started = await observer.events.waitForCount('execution-started', 2);
        expect(new Set(started.map((event) => event.userId))).toEqual(new Set([alice.user.userId, bob.user.userId]));
        const results = await observer.events.waitForCount('execution-result', 2);
        const byExecution = new Map(results.map((event) => [event.executionId, event]));
        expect(byExecution.get(aliceAck.executionId)).toMatchObject({
          userId: alice.user.userId,
          displayName: 'Alice',
          avatar: expect.stringContaining(alice.user.userId),
          correlationId: aliceAck.correlationId,
          language: 'python',
          verdict: 'accepted',
          output: `${tokens.alice}\n`,
        });
        expect(byExecution.get(bobAck.executionId)).toMatchObject({ userId: bob.user.userId, displayName: 'Bob', output: `${tokens.bob}\n` });
        // `execution-completed` carries the identical payload.
        expect(observer.events.of('execution-completed')).toEqual(results);
      }
    });
  });

  describe('when two users call POST /compile for the same room at once (seed 003, scenario 1)', () => {
    it('should run both, attribute each to its user, and broadcast both to the room', async () => {
      const { roomId, members } = await room('Watcher');
      const [watcher] = members as [Member];
      const users = await Promise.all([makeUser('User One'), makeUser('User Two')]);
      const replies = await Promise.all(
        users.map(async (user, index) => {
          const response = await fetch(`${stack.url}/compile`, {
            method: 'POST',
            headers: { ...user.headers, 'content-type': 'application/json' },
            body: JSON.stringify({ language: 'python', code: `print("User${index + 1}")`, roomId, userId: 'someone-else' }),
          });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        }),
      );
      replies.forEach((reply, index) => {
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ success: true, userId: users[index]!.userId, roomId, output: `User${index + 1}\n` });
      });
      const results = await watcher.events.waitForCount('execution-result', 2);
      for (const [index, user] of users.entries()) {
        const result = results.find((event) => event.executionId === replies[index]!.body.executionId);
        expect(result).toMatchObject({ userId: user.userId, displayName: user.name, output: `User${index + 1}\n` });
      }
    });
  });

  describe('when executions queue up in a room (seed 001)', () => {
    it('should broadcast queued with position, started and completed to every member, and move the queue up on cancel', async () => {
      const { roomId, members } = await room('Alice', 'Bob', 'Carol');
      const [alice, bob, carol] = members as [Member, Member, Member];
      const running = await request(alice.socket, 'execute-code', { roomId, language: 'python', code: SLEEPER });
      await alice.events.waitFor('execution-started', (event) => event.executionId === running.executionId);
      const bobAck = await request(bob.socket, 'execute-code', { roomId, language: 'python', code: 'print("bob")' });
      const carolAck = await request(carol.socket, 'execute-code', { roomId, language: 'python', input: '7\n', code: 'print(int(input()) * 6)' });
      expect(bobAck).toMatchObject({ ok: true, status: 'queued', position: 1 });
      expect(carolAck).toMatchObject({ ok: true, status: 'queued', position: 2, roomPosition: 2, queuePosition: expect.any(Number) });

      for (const observer of members) {
        const queued = await observer.events.waitFor('execution-queued', (event) => event.executionId === carolAck.executionId);
        expect(queued).toMatchObject({ userId: carol.user.userId, displayName: 'Carol', username: 'Carol', roomPosition: 2, position: 2, status: 'queued' });
        expect(queued.timestamps.queuedAt).toEqual(expect.any(String));
      }

      // Only the owner may cancel, and only while queued.
      const foreign = await request(alice.socket, 'cancel-execution', { executionId: bobAck.executionId });
      expect(foreign).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_QUEUE_CANCEL_FORBIDDEN' } });
      const runningCancel = await request(alice.socket, 'cancel-execution', { executionId: running.executionId });
      expect(runningCancel).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_QUEUE_NOT_CANCELLABLE' } });
      expect(await request(bob.socket, 'cancel-execution', { executionId: bobAck.executionId })).toMatchObject({ ok: true, status: 'cancelled' });

      for (const observer of members) {
        const cancelled = await observer.events.waitFor('execution-cancelled', (event) => event.executionId === bobAck.executionId);
        expect(cancelled).toMatchObject({ userId: bob.user.userId, cancelledBy: bob.user.userId });
        const moved = await observer.events.waitFor('queue-position', (event) => event.executionId === carolAck.executionId && event.position === 1);
        expect(moved).toMatchObject({ userId: carol.user.userId, displayName: 'Carol', language: 'python' });
        const completed = await observer.events.waitFor('execution-completed', (event) => event.executionId === carolAck.executionId);
        expect(completed).toMatchObject({ userId: carol.user.userId, verdict: 'accepted', output: '42\n', success: true });
        expect(completed.executionTime).toBeGreaterThan(0);
        expect(completed.timestamps.startedAt).toEqual(expect.any(String));
      }
      expect(alice.events.of('execution-completed', (event) => event.executionId === bobAck.executionId)).toHaveLength(0);
    });

    it('should refuse a second active execution of the same user, and a full room, with the REST error codes', async () => {
      const { roomId, members } = await room('Dana');
      const [dana] = members as [Member];
      const first = await request(dana.socket, 'execute-code', { roomId, language: 'python', code: SLEEPER });
      expect(first.ok).toBe(true);
      const second = await request(dana.socket, 'execute-code', { roomId, language: 'python', code: 'print(1)' });
      expect(second).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_QUEUE_USER_BUSY' } });

      const small = await createRealtimeStack({ scheduler: { maxConcurrent: 1, roomMaxRunning: 1, roomMaxQueued: 1 } });
      try {
        const crowd = await Promise.all(['A', 'B', 'C'].map(async (name) => {
          const user = await makeUser(name);
          return connect(small.url, { token: user.token });
        }));
        const fullRoom = `room-${randomUUID()}`;
        for (const socket of crowd) await request(socket, 'join-room', { roomId: fullRoom });
        const [a, b, c] = crowd as [Socket, Socket, Socket];
        expect((await request(a, 'execute-code', { roomId: fullRoom, language: 'python', code: SLEEPER })).ok).toBe(true);
        expect((await request(b, 'execute-code', { roomId: fullRoom, language: 'python', code: 'print(2)' })).ok).toBe(true);
        const refused = await request(c, 'execute-code', { roomId: fullRoom, language: 'python', code: 'print(3)' });
        expect(refused).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_QUEUE_ROOM_FULL' } });
        for (const socket of crowd) socket.close();
      } finally {
        await small.close();
      }
    });

    it('should answer get-execution-status and get-execution-history with attributed entries', async () => {
      const { roomId, members } = await room('Erin', 'Frank');
      const [erin, frank] = members as [Member, Member];
      const running = await request(erin.socket, 'execute-code', { roomId, language: 'python', code: SLEEPER });
      await erin.events.waitFor('execution-started', (event) => event.executionId === running.executionId);
      const queued = await request(frank.socket, 'execute-code', { roomId, language: 'python', code: 'print("frank")' });

      const status = await request(frank.socket, 'get-execution-status');
      expect(status).toMatchObject({ ok: true, roomId, activeCount: 1, queueLength: 1, roomMaxConcurrent: 1, roomMaxQueued: 10 });
      expect(status.active[0]).toMatchObject({ executionId: running.executionId, userId: erin.user.userId, displayName: 'Erin', status: 'running' });
      expect(status.queued[0]).toMatchObject({ executionId: queued.executionId, userId: frank.user.userId, position: 1 });
      expect(await frank.events.waitFor('execution-status')).toMatchObject({ roomId, activeCount: 1 });

      await frank.events.waitFor('execution-completed', (event) => event.executionId === queued.executionId);
      const history = await request(erin.socket, 'get-execution-history', { roomId, limit: 5 });
      expect(history.ok).toBe(true);
      expect(history.executions.map((entry: { executionId: string }) => entry.executionId)).toEqual([queued.executionId, running.executionId]);
      expect(history.executions[0]).toMatchObject({ userId: frank.user.userId, status: 'completed', verdict: 'accepted', output: 'frank\n' });
      expect(await erin.events.waitFor('execution-history')).toMatchObject({ roomId, executions: history.executions });
    });
  });
});
