// Attribution under load: 500 submissions from 50 users across 10 rooms; every result belongs to its own submission and user.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

const USERS = 50;
const ROOMS = 10;

let stack: TestStack;

beforeAll(async () => {
  // Each room receives 50 submissions at once, so its queue cap is raised; everything else is the default scheduler.
  stack = await createTestStack({ scheduler: { roomMaxQueued: USERS, maxWaitMs: 120_000 } });
});

afterAll(async () => {
  await stack?.close();
});

interface Sent {
  id: string;
  token: string;
  userId: string;
  displayName: string;
  roomId: string;
  correlationId: string;
}

/** Runs `task` over `items` with at most `width` in flight. */
async function inParallel<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

describe('when 50 users submit 500 programs across 10 rooms at once', () => {
  it('should complete all of them and attribute every result to its own submission and user', async () => {
    const users = await Promise.all(Array.from({ length: USERS }, (_, index) => makeUser(`User ${index}`)));
    const rooms = Array.from({ length: ROOMS }, () => `room-${randomUUID()}`);
    // Every user submits once to every room: one active execution per user per room, as the scheduler requires.
    const plan = users.flatMap((user) => rooms.map((roomId) => ({ user, roomId, token: `tok-${randomUUID()}`, correlationId: `corr-${randomUUID()}` })));

    const sent = await inParallel(plan, 50, async ({ user, roomId, token, correlationId }): Promise<Sent> => {
      const response = await call(stack.app, 'POST', '/api/v1/submissions', {
        headers: user.headers,
        payload: { language: 'python', source: `print(${JSON.stringify(token)})`, roomId, correlationId },
      });
      expect(response.statusCode).toBe(202);
      expect(response.body.correlationId).toBe(correlationId);
      return { id: response.body.id, token, userId: user.userId, displayName: user.name, roomId, correlationId };
    });
    expect(new Set(sent.map((item) => item.id)).size).toBe(plan.length);

    await Promise.all(sent.map((item) => stack.service.waitFor(item.id, 110_000)));

    const byId = new Map(sent.map((item) => [item.id, item]));
    await inParallel(sent, 25, async (item) => {
      const response = await call(stack.app, 'GET', `/api/v1/submissions/${item.id}`, { headers: users[0]!.headers });
      expect(response.body).toMatchObject({
        id: item.id,
        status: 'completed',
        verdict: 'accepted',
        stdout: `${item.token}\n`,
        roomId: item.roomId,
        correlationId: item.correlationId,
        user: { userId: item.userId, displayName: item.displayName },
      });
    });

    for (const roomId of rooms) {
      const history = await call(stack.app, 'GET', `/api/v1/rooms/${roomId}/history`, { headers: users[0]!.headers, query: { limit: '100' } });
      expect(history.body.count).toBe(USERS);
      for (const entry of history.body.items as Array<{ id: string; stdout: string; user: { userId: string }; roomId: string }>) {
        const expected = byId.get(entry.id)!;
        expect(entry.roomId).toBe(roomId);
        expect(entry.user.userId).toBe(expected.userId);
        expect(entry.stdout).toBe(`${expected.token}\n`);
      }
    }

    const someone = users[7]!;
    const own = await call(stack.app, 'GET', `/api/v1/users/${someone.userId}/history`, { headers: someone.headers, query: { limit: '100' } });
    expect(own.body.count).toBe(ROOMS);
    for (const entry of own.body.items as Array<{ id: string; stdout: string }>) expect(entry.stdout).toBe(`${byId.get(entry.id)!.token}\n`);
  }, 150_000);
});
