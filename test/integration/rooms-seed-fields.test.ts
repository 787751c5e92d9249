// Seed 001's client reads `result.status`, `timestamp` and `startTime`: the room events carry them with its meaning.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

const SLEEPER = 'import time\ntime.sleep(1.5)\nprint("slept")';

describe('rooms: the fields seed 001\'s client reads', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // One execution at a time per room, so one is active while the other is queued.
    stack = await createRealtimeStack({ scheduler: { maxConcurrent: 2, roomMaxRunning: 1 } });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => stack?.close());

  async function member(name: string, roomId: string) {
    const user = await makeUser(name);
    const socket = await connect(stack.url, { token: user.token });
    sockets.push(socket);
    const events = new EventRecorder(socket);
    expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
    return { user, socket, events };
  }

  describe('when one member runs a program while another one\'s waits', () => {
    it('should list the queued one with timestamp, the active one with startTime, and give each result a status', async () => {
      const roomId = `room-${randomUUID()}`;
      const alice = await member('Alice', roomId);
      const bob = await member('Bob', roomId);
      const before = Date.now();
      const running = await request(alice.socket, 'execute-code', { roomId, language: 'python', code: SLEEPER });
      const started = await bob.events.waitFor('execution-started', (event) => event.executionId === running.executionId);
      expect(Date.parse(started.startTime)).toBeGreaterThanOrEqual(before - 1_000);
      expect(started.startTime).toBe(started.timestamps.startedAt);

      const failing = await request(bob.socket, 'execute-code', { roomId, language: 'python', code: 'raise SystemExit(2)' });
      const status = await request(bob.socket, 'get-execution-status', { roomId });
      const active = status.active.find((entry: { executionId: string }) => entry.executionId === running.executionId);
      const queued = status.queued.find((entry: { executionId: string }) => entry.executionId === failing.executionId);
      expect(active).toMatchObject({ userId: alice.user.userId, displayName: 'Alice', startTime: active.timestamps.startedAt, timestamp: active.timestamps.queuedAt });
      expect(Math.abs(Date.parse(active.startTime) - Date.parse(started.startTime))).toBeLessThan(100);
      expect(queued).toMatchObject({ userId: bob.user.userId, displayName: 'Bob', startTime: null, timestamp: queued.timestamps.queuedAt });
      expect(Date.parse(queued.timestamp)).toBeGreaterThanOrEqual(Date.parse(active.timestamp));

      const done = await alice.events.waitFor('execution-completed', (event) => event.executionId === running.executionId, 30_000);
      expect(done).toMatchObject({ userId: alice.user.userId, executionTime: expect.any(Number), result: { stdout: 'slept\n', stderr: '', status: 'success' } });
      const failed = await alice.events.waitFor('execution-completed', (event) => event.executionId === failing.executionId, 30_000);
      expect(failed).toMatchObject({ userId: bob.user.userId, verdict: 'runtime_error', result: { status: 'error' } });
    });
  });
});
